"""Every URL pattern is classified here, and every class is requested as
anonymous, each role and a coordinator-leader of a sibling unit.

A new URL that matches no rule fails ``test_every_url_is_classified``: add
it to RULES with the statuses each kind of user must get.
"""

import re
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.documents import get_document_model

from courses.models import LessonAttachment
from tests.factories.cohorts import make_cohort
from tests.factories.core import UserFactory
from tests.factories.courses import (
    make_lesson,
    make_module,
    make_ready_video,
    make_syllabus,
)
from tests.factories.roster import make_roster_import
from tests.factories.sessions import make_session

# Who asks: anonymous, the four roles (all of the east station), and the
# "sibling": coordinator and leader of the west station.
USERS = ["anon", "trainee", "supervisor", "coordinator", "leader", "sibling"]

LOGIN = "login"  # a redirect to the login page
ADMIN_DENIED = "admin-denied"  # Wagtail's redirect for users without admin access


def statuses(anon, trainee, supervisor, coordinator, leader, sibling):
    return dict(
        zip(
            USERS,
            [anon, trainee, supervisor, coordinator, leader, sibling],
            strict=True,
        )
    )


AD = ADMIN_DENIED
#: Wagtail admin pages only platform administrators (superusers) reach.
SUPERUSERS_ONLY = statuses(LOGIN, AD, AD, AD, AD, AD)
#: Admin pages for coordinators: the east one, and the sibling (west) one.
COORDINATORS = statuses(LOGIN, AD, AD, 200, AD, 200)
#: An admin object in the east subtree, and one in the west subtree.
EAST_OBJECT = statuses(LOGIN, AD, AD, 200, AD, 404)
WEST_OBJECT = statuses(LOGIN, AD, AD, 404, AD, 200)

#: Wagtail admin pages hidden from everyone but platform administrators:
#: a coordinator finds nothing there (404), as for a row outside the scope.
HIDDEN_ADMIN = statuses(LOGIN, AD, AD, 404, AD, 404)

#: Any signed-in member of the organisation; anonymous visitors log in.
MEMBERS = statuses(LOGIN, 200, 200, 200, 200, 200)
#: Public pages: everyone, signed in or not.
PUBLIC = statuses(200, 200, 200, 200, 200, 200)
#: POST-only endpoints asked with GET.
POST_ONLY = statuses(LOGIN, 405, 405, 405, 405, 405)
#: POST-only practice actions asked with GET: never a page, never a leak.
PRACTICE_POST = POST_ONLY
#: A case the east trainee holds, their supervisor not assigned to them.
CASE_ONLY = statuses(LOGIN, 200, 404, 404, 404, 404)


def course(o):
    """A published lesson showing an east video, a draft lesson, and a west
    video in no lesson; made once per test on the org fixture."""
    if not hasattr(o, "course"):
        syllabus = make_syllabus()
        module = make_module(syllabus)
        east_video = make_ready_video(o.east, title="east")
        o.course = SimpleNamespace(
            syllabus=syllabus,
            module=module,
            lesson=make_lesson(module, video=east_video),
            draft=make_lesson(module, "草稿", live=False),
            east_video=east_video,
            west_video=make_ready_video(o.west, title="west"),
            east_cohort=make_cohort(o.east, members=[o.trainee]),
            east_session=make_session(o.east),
            west_session=make_session(o.west),
            east_import=make_roster_import(o.east, created_by=o.coordinator),
            west_cohort=make_cohort(o.west, members=[o.west_trainee]),
        )
    return o.course


def documents(o):
    """A document attached to the published lesson, and one attached only to
    the draft lesson."""
    if not hasattr(o, "documents"):
        made = {}
        for key, lesson in (
            ("published", course(o).lesson),
            ("draft_only", course(o).draft),
        ):
            made[key] = get_document_model().objects.create(
                title=key, file=ContentFile(b"%PDF-1.4\n", name=f"{key}.pdf")
            )
            LessonAttachment.objects.create(page=lesson, document=made[key])
        o.documents = SimpleNamespace(**made)
    return o.documents


def practice(o):
    """Practice rows of the east station: a shift the trainee is on (the
    east supervisor on duty) with an open swap offer, the trainee's
    submitted entry, a case the trainee holds with a consent, a practice
    and a growth supervision, a pair, a mastery and a video lesson."""
    if not hasattr(o, "practice"):
        from supervision.models import ShiftSwap, SupervisionKind, TechniqueMastery
        from tests.factories.reviews import make_submission
        from tests.factories.supervision import (
            assign,
            make_case,
            make_entry,
            make_shift,
            make_signup,
            make_technique,
            pair,
        )
        from tests.factories.supervisions import make_session as make_supervision

        mentee = UserFactory(
            username="grid_worker",
            home_unit=o.east_room,
            roles=["trainee"],
            category="grid_worker",
        )
        shift = make_shift(o.east, supervisor=o.supervisor)
        signup = make_signup(shift, o.trainee)
        case = make_case(o.trainee)
        assign(mentee, o.supervisor)
        o.practice = SimpleNamespace(
            shift=shift,
            swap=ShiftSwap.objects.create(signup=signup, to_person=mentee),
            entry=make_entry(o.trainee, status="submitted"),
            case=case,
            consent=case.consents.get(),
            supervision=make_supervision(o.supervisor, [mentee]),
            growth=make_supervision(
                o.supervisor, [mentee], kind=SupervisionKind.GROWTH
            ),
            pairing=pair(o.trainee, mentee, by=o.coordinator),
            mastery=TechniqueMastery.objects.create(
                person=mentee,
                technique=make_technique(),
                reached_at=o.trainee.date_joined,
            ),
            video=make_submission(o.trainee),
        )
    return o.practice


def quals(o):
    """A rubric in use and a qualification the east trainee handed in."""
    if not hasattr(o, "quals"):
        from tests.factories.ratings import make_qualification, make_rubric

        o.quals = SimpleNamespace(
            rubric=make_rubric(), qualification=make_qualification(o.trainee)
        )
    return o.quals


def ratings_url(person, rate=False):
    """The ratings of the east trainee ("trainee") or of the supervisor's
    assigned grid worker ("mentee"), or their rating form."""

    def build(o):
        who = o.trainee if person == "trainee" else practice(o).pairing.mentee
        if rate:
            return reverse("supervision:rating_new", args=[who.pk, quals(o).rubric.pk])
        return reverse("supervision:rating_list", args=[who.pk])

    return build


def qualification_url(name):
    return lambda o: reverse(f"supervision:{name}", args=[quals(o).qualification.pk])


def stations(o):
    """Rows of both stations in every admin area (``tests.factories.sibling``:
    ``.east`` and ``.west``, each with a shift, an exemption, an assignment,
    an entry, a video, a cohort and a session)."""
    if not hasattr(o, "stations"):
        from tests.factories.sibling import make_both_stations

        o.stations = make_both_stations(o)
    return o.stations


def certificate(o):
    """The east trainee's certificate, its PDF made."""
    if not hasattr(o, "certificate"):
        from supervision.services.certificates import certificate_pdf_make
        from tests.factories.certificates import make_certificate

        o.certificate = make_certificate(o.trainee)
        certificate_pdf_make(certificate_id=o.certificate.pk)
    return o.certificate


def cert_url(name):
    return lambda o: reverse(f"supervision:{name}", args=[certificate(o).pk])


def certification(o):
    """An east and a west track (version 1 published, version 2 a draft
    of the east one), the east trainee enrolled in the east track."""
    if not hasattr(o, "certification"):
        from supervision.services.certification import track_draft
        from tests.factories.tracks import enrol, make_track

        east, west = make_track(o.east, code="east"), make_track(o.west, code="west")
        o.certification = SimpleNamespace(
            east=east,
            west=west,
            east_draft=track_draft(actor=o.coordinator, track=east),
            east_requirement=east.versions.get(number=1).requirements.first(),
            west_requirement=west.versions.get(number=1).requirements.first(),
            enrolment=enrol(o.trainee, east),
        )
    return o.certification


def cert(name, attr):
    return lambda o: reverse(name, args=[getattr(certification(o), attr).pk])


def east_row(attr):
    return lambda o: getattr(stations(o).east, attr).pk


def west_row(attr):
    return lambda o: getattr(stations(o).west, attr).pk


def admin_url(name, pk):
    """A builder for the admin URL ``name`` of the row ``pk(o)`` gives."""
    return lambda o: reverse(name, args=[pk(o)])


def pr(name, attr=None, **kwargs):
    """A builder for a practice URL named ``name``, with the pk of the
    practice row ``attr`` (and any other kwargs)."""

    def build(o):
        args = {**kwargs}
        if attr:
            args["pk"] = getattr(practice(o), attr).pk
        return reverse(f"supervision:{name}", kwargs=args or None)

    return build


def video_file(video):
    return reverse("courses:video_file", kwargs={"key": video.key, "quality": "main"})


# (route regex, description, [(url builder, expected statuses)])
# A url builder gets the org fixture and returns a path (or None for POST-only).
RULES = [
    (
        r"^$",
        "home redirects to the role home",
        [
            (lambda o: reverse("core:home"), statuses(LOGIN, 302, 302, 302, 302, 302)),
        ],
    ),
    (
        r"^learn/$",
        "my learning: every member learns",
        [(lambda o: reverse("courses:learn"), MEMBERS)],
    ),
    (
        r"^learn/hours/$",
        "my credited hours",
        [(lambda o: reverse("courses:my_hours"), MEMBERS)],
    ),
    (
        r"^learn/lessons/<int:lesson_id>/(progress|quiz|read)/$",
        "progress reports, quiz answers, mark as read (POST only)",
        [
            (
                lambda o: reverse(
                    "courses:progress_report", args=[course(o).lesson.pk]
                ),
                POST_ONLY,
            ),
            (
                lambda o: reverse("courses:quiz_submit", args=[course(o).lesson.pk]),
                POST_ONLY,
            ),
            (
                lambda o: reverse("courses:mark_read", args=[course(o).lesson.pk]),
                POST_ONLY,
            ),
        ],
    ),
    (
        r"^learn/videos/<uuid:key>/(poster.jpg|<str:quality>.mp4)$",
        "renditions: whoever may open a lesson showing them, or manages them",
        [
            (lambda o: video_file(course(o).east_video), MEMBERS),
            (
                lambda o: reverse(
                    "courses:video_poster", kwargs={"key": course(o).east_video.key}
                ),
                MEMBERS,
            ),
            (
                lambda o: video_file(course(o).west_video),
                statuses(LOGIN, 404, 404, 404, 404, 200),
            ),
        ],
    ),
    (
        r"^learn/videos/<uuid:key>/status/$",
        "video processing status: the video's managers",
        [
            (
                lambda o: reverse(
                    "courses:video_status", kwargs={"key": course(o).east_video.key}
                ),
                statuses(LOGIN, 404, 404, 200, 404, 404),
            ),
        ],
    ),
    (
        r"^\(\(\?:",
        "the syllabus pages (Wagtail's page serving)",
        [
            (lambda o: course(o).syllabus.url, MEMBERS),
            (lambda o: course(o).lesson.url, MEMBERS),
            (lambda o: course(o).draft.url, statuses(404, 404, 404, 404, 404, 404)),
        ],
    ),
    (
        r"^_util/login/$",
        "Wagtail's page-privacy login: sent to allauth's (rate-limited) login",
        [
            (
                lambda o: "/_util/login/",
                statuses(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
            )
        ],
    ),
    (
        r"^_util/authenticate_with_password/",
        "Wagtail's page-password form (no password restrictions exist)",
        [
            (
                lambda o: "/_util/authenticate_with_password/999/999/",
                statuses(404, 404, 404, 404, 404, 404),
            )
        ],
    ),
    (
        r"^manage/$",
        "coordinator home",
        [
            (
                lambda o: reverse("core:coordinator_home"),
                statuses(LOGIN, 403, 403, 200, 403, 200),
            ),
        ],
    ),
    (
        r"^reports/$",
        "leader home",
        [
            (
                lambda o: reverse("reports:leader_home"),
                statuses(LOGIN, 403, 403, 403, 200, 200),
            ),
        ],
    ),
    (
        r"^units/<int:pk>/$",
        "unit page: managers of the subtree only",
        [
            (
                lambda o: reverse("core:unit_detail", args=[o.east_room.pk]),
                statuses(LOGIN, 404, 404, 200, 200, 404),
            ),
            (
                lambda o: reverse("core:unit_detail", args=[o.west_room.pk]),
                statuses(LOGIN, 404, 404, 404, 404, 200),
            ),
        ],
    ),
    (
        r"^people/<int:pk>/$",
        "person page: self and managers of the subtree",
        [
            (
                lambda o: reverse("core:person_detail", args=[o.trainee.pk]),
                statuses(LOGIN, 200, 404, 200, 200, 404),
            ),
        ],
    ),
    (
        r"^me/$",
        "my account",
        [
            (
                lambda o: reverse("core:my_account"),
                statuses(LOGIN, 200, 200, 200, 200, 200),
            ),
        ],
    ),
    (
        r"^health/$",
        "health check for load balancers",
        [
            (lambda o: reverse("core:health"), statuses(200, 200, 200, 200, 200, 200)),
        ],
    ),
    (
        r"^i18n/",
        "language switch (POST)",
        [
            (lambda o: reverse("set_language"), statuses(302, 302, 302, 302, 302, 302)),
        ],
    ),
    (
        r"^accounts/",
        "allauth: login, logout, password, email, MFA",
        [
            (
                lambda o: reverse("account_login"),
                statuses(200, 302, 302, 302, 302, 302),
            ),
            (
                lambda o: reverse("account_change_password"),
                statuses(LOGIN, 200, 200, 200, 200, 200),
            ),
            (lambda o: reverse("mfa_index"), statuses(LOGIN, 200, 200, 200, 200, 200)),
        ],
    ),
    (
        r"^documents/",
        "lesson attachments: readers of a lesson linking them, and editors",
        [
            (
                lambda o: "/documents/999999/missing.pdf",
                statuses(LOGIN, 404, 404, 404, 404, 404),
            ),
            (lambda o: documents(o).published.url, MEMBERS),
            # attached only to a draft: the document editors (every
            # coordinator edits the shared syllabus and its documents)
            (
                lambda o: documents(o).draft_only.url,
                statuses(LOGIN, 404, 404, 200, 404, 200),
            ),
            (
                lambda o: reverse(
                    "wagtaildocs_authenticate_with_password", args=[999999]
                ),
                statuses(LOGIN, 404, 404, 404, 404, 404),
            ),
        ],
    ),
    (
        r"^admin/org_units/",
        "units admin: coordinators of the subtree",
        [
            (
                lambda o: reverse("org_units:index"),
                COORDINATORS,
            ),
            (
                lambda o: reverse("org_units:edit", args=[o.east_room.pk]),
                EAST_OBJECT,
            ),
            (
                lambda o: reverse("org_units:edit", args=[o.west_room.pk]),
                WEST_OBJECT,
            ),
            (
                lambda o: reverse("org_units:history", args=[o.west_room.pk]),
                WEST_OBJECT,
            ),
            (
                lambda o: reverse("org_units:usage", args=[o.west_room.pk]),
                WEST_OBJECT,
            ),
        ],
    ),
    (
        r"^admin/users/",
        "people admin: coordinators of the subtree",
        [
            (
                lambda o: reverse("wagtailusers_users:index"),
                COORDINATORS,
            ),
            (
                lambda o: reverse("wagtailusers_users:edit", args=[o.trainee.pk]),
                EAST_OBJECT,
            ),
            (
                lambda o: reverse("wagtailusers_users:edit", args=[o.west_trainee.pk]),
                WEST_OBJECT,
            ),
            (
                lambda o: reverse(
                    "wagtailusers_users:history", args=[o.west_trainee.pk]
                ),
                WEST_OBJECT,
            ),
        ],
    ),
    (
        r"^admin/videos/",
        "videos admin: coordinators of the subtree",
        [
            (lambda o: reverse("videos:index"), COORDINATORS),
            (lambda o: reverse("videos:add"), COORDINATORS),
            (
                lambda o: reverse("videos:edit", args=[course(o).east_video.pk]),
                EAST_OBJECT,
            ),
            (
                lambda o: reverse("videos:inspect", args=[course(o).east_video.pk]),
                EAST_OBJECT,
            ),
            (
                lambda o: reverse("videos:delete", args=[course(o).west_video.pk]),
                WEST_OBJECT,
            ),
            (
                lambda o: reverse("videos:history", args=[course(o).west_video.pk]),
                WEST_OBJECT,
            ),
            (
                lambda o: reverse("videos:usage", args=[course(o).west_video.pk]),
                WEST_OBJECT,
            ),
        ],
    ),
    (
        r"^manage/cohorts/<int:pk>/grid(/|.xlsx)$",
        "cohort progress grid and its export, read-only: coordinators and leaders "
        "of the subtree, supervisors of a member (issue 16: leaders were 403)",
        [
            (
                lambda o: reverse("cohort_grid:show", args=[course(o).east_cohort.pk]),
                statuses(LOGIN, 404, 404, 200, 200, 404),
            ),
            (
                lambda o: reverse(
                    "cohort_grid:export", args=[course(o).east_cohort.pk]
                ),
                statuses(LOGIN, 404, 404, 200, 200, 404),
            ),
            (
                lambda o: reverse("cohort_grid:show", args=[course(o).west_cohort.pk]),
                statuses(LOGIN, 404, 404, 404, 404, 200),
            ),
        ],
    ),
    (
        r"^admin/cohorts/",
        "cohorts admin: coordinators of the subtree",
        [
            (lambda o: reverse("cohorts:index"), COORDINATORS),
            (lambda o: reverse("cohorts:add"), COORDINATORS),
            (
                lambda o: reverse("cohorts:edit", args=[course(o).east_cohort.pk]),
                EAST_OBJECT,
            ),
            (
                lambda o: reverse("cohorts:delete", args=[course(o).west_cohort.pk]),
                WEST_OBJECT,
            ),
            (
                lambda o: reverse("cohorts:history", args=[course(o).west_cohort.pk]),
                WEST_OBJECT,
            ),
            (
                lambda o: reverse("cohorts:usage", args=[course(o).west_cohort.pk]),
                WEST_OBJECT,
            ),
        ],
    ),
    (
        r"^sessions/check-in/code/$",
        "check in by short code: any member",
        [(lambda o: reverse("sessions:check_in_code"), MEMBERS)],
    ),
    (
        r"^sessions/<int:session_id>/check-in/$",
        "check in by QR link: people of the session's unit, cohort or scope",
        [
            (
                lambda o: reverse(
                    "sessions:check_in", args=[course(o).east_session.pk]
                ),
                statuses(LOGIN, 200, 200, 200, 200, 404),
            ),
        ],
    ),
    (
        r"^sessions/<int:session_id>/check-out/$",
        "check out (POST only)",
        [
            (
                lambda o: reverse(
                    "sessions:check_out", args=[course(o).east_session.pk]
                ),
                POST_ONLY,
            ),
        ],
    ),
    (
        r"^sessions/<int:session_id>/(screen/|screen/token/|attendance/)$",
        "the check-in screen, its rotating token and the attendance list",
        [
            (
                lambda o: reverse("sessions:screen", args=[course(o).east_session.pk]),
                statuses(LOGIN, 403, 403, 200, 403, 404),
            ),
            (
                lambda o: reverse(
                    "sessions:screen_token", args=[course(o).east_session.pk]
                ),
                statuses(LOGIN, 403, 403, 200, 403, 404),
            ),
            (
                lambda o: reverse(
                    "sessions:attendance", args=[course(o).east_session.pk]
                ),
                statuses(LOGIN, 403, 403, 200, 403, 404),
            ),
            (
                lambda o: reverse("sessions:screen", args=[course(o).west_session.pk]),
                statuses(LOGIN, 404, 404, 404, 404, 200),
            ),
        ],
    ),
    (
        r"^admin/sessions/",
        "sessions admin: coordinators of the subtree",
        [
            (lambda o: reverse("session_admin:index"), COORDINATORS),
            (lambda o: reverse("session_admin:add"), COORDINATORS),
            (
                lambda o: reverse(
                    "session_admin:edit", args=[course(o).east_session.pk]
                ),
                EAST_OBJECT,
            ),
            (
                lambda o: reverse(
                    "session_admin:delete", args=[course(o).west_session.pk]
                ),
                WEST_OBJECT,
            ),
            (
                lambda o: reverse(
                    "session_admin:history", args=[course(o).west_session.pk]
                ),
                WEST_OBJECT,
            ),
        ],
    ),
    (
        r"^manage/roster/(template.xlsx|template.csv)?$",
        "roster upload and its templates: coordinators",
        [
            (
                lambda o: reverse("roster:upload"),
                statuses(LOGIN, 403, 403, 200, 403, 200),
            ),
            (
                lambda o: reverse("roster:template_xlsx"),
                statuses(LOGIN, 403, 403, 200, 403, 200),
            ),
            (
                lambda o: reverse("roster:template_csv"),
                statuses(LOGIN, 403, 403, 200, 403, 200),
            ),
        ],
    ),
    (
        r"^manage/roster/<int:pk>/(progress/|status/)?$",
        "a roster import's preview, progress and status: its unit's coordinators",
        [
            (
                lambda o: reverse("roster:preview", args=[course(o).east_import.pk]),
                statuses(LOGIN, 403, 403, 200, 403, 404),
            ),
            (
                lambda o: reverse("roster:progress", args=[course(o).east_import.pk]),
                statuses(LOGIN, 403, 403, 200, 403, 404),
            ),
            (
                lambda o: reverse("roster:status", args=[course(o).east_import.pk]),
                statuses(LOGIN, 403, 403, 200, 403, 404),
            ),
        ],
    ),
    (
        r"^manage/roster/<int:pk>/import/$",
        "start an import (POST only; the role is checked first)",
        [
            (
                lambda o: reverse("roster:start", args=[course(o).east_import.pk]),
                statuses(LOGIN, 403, 403, 405, 403, 405),
            ),
        ],
    ),
    (
        r"^admin/audit_log/",
        "audit log: platform administrators only",
        [
            (
                lambda o: reverse("audit_log:index"),
                SUPERUSERS_ONLY,
            ),
        ],
    ),
    (
        r"^admin/groups/",
        "Wagtail groups: platform administrators only",
        [
            (
                lambda o: reverse("wagtailusers_groups:index"),
                SUPERUSERS_ONLY,
            ),
        ],
    ),
    (
        r"^admin/duty_shifts/",
        "duty shifts admin: coordinators of the subtree",
        [
            (lambda o: reverse("shift_admin:index"), COORDINATORS),
            (admin_url("shift_admin:edit", east_row("shift")), EAST_OBJECT),
            (admin_url("shift_admin:history", west_row("shift")), WEST_OBJECT),
            (admin_url("shift_admin:usage", west_row("shift")), WEST_OBJECT),
        ],
    ),
    (
        r"^admin/quota_exemptions/",
        "quota exemptions admin: coordinators of the subtree",
        [
            (lambda o: reverse("exemption_admin:index"), COORDINATORS),
            (admin_url("exemption_admin:edit", east_row("exemption")), EAST_OBJECT),
            (
                admin_url("exemption_admin:history", west_row("exemption")),
                WEST_OBJECT,
            ),
        ],
    ),
    (
        r"^admin/practice-log/",
        "practice log admin: coordinators of the subtree; nobody deletes",
        [
            (lambda o: reverse("entry_admin:index"), COORDINATORS),
            (admin_url("entry_admin:inspect", east_row("entry")), EAST_OBJECT),
            (admin_url("entry_admin:inspect", west_row("entry")), WEST_OBJECT),
            (admin_url("entry_admin:history", west_row("entry")), WEST_OBJECT),
            (
                # outside the subtree not found, inside it refused
                admin_url("entry_admin:delete", west_row("entry")),
                statuses(LOGIN, AD, AD, 404, AD, AD),
            ),
        ],
    ),
    (
        r"^admin/supervisor_assignments/",
        "supervisor assignments admin: coordinators of the subtree",
        [
            (lambda o: reverse("supervisor_assignments:index"), COORDINATORS),
            (
                admin_url("supervisor_assignments:edit", east_row("assignment")),
                EAST_OBJECT,
            ),
            (
                admin_url("supervisor_assignments:history", west_row("assignment")),
                WEST_OBJECT,
            ),
        ],
    ),
    (
        r"^admin/techniques/",
        "technique catalogue admin: one catalogue for every coordinator",
        [(lambda o: reverse("techniques_admin:index"), COORDINATORS)],
    ),
    (
        r"^admin/(rubrics|rubric_items|qualification_kinds)/",
        "rubric and qualification-kind catalogues: one for every coordinator",
        [
            (lambda o: reverse("rubrics_admin:index"), COORDINATORS),
            (
                lambda o: reverse("rubrics_admin:edit", args=[quals(o).rubric.pk]),
                COORDINATORS,
            ),
            (lambda o: reverse("rubric_items_admin:index"), COORDINATORS),
            (lambda o: reverse("qualification_kinds_admin:index"), COORDINATORS),
        ],
    ),
    (
        r"^admin/certification_tracks/",
        "certification tracks admin: coordinators of the track's unit",
        [
            (lambda o: reverse("tracks_admin:index"), COORDINATORS),
            (lambda o: reverse("tracks_admin:add"), COORDINATORS),
            (cert("tracks_admin:edit", "east"), EAST_OBJECT),
            (cert("tracks_admin:edit", "west"), WEST_OBJECT),
            (cert("tracks_admin:history", "west"), WEST_OBJECT),
            (cert("tracks_admin:usage", "west"), WEST_OBJECT),
        ],
    ),
    (
        r"^admin/track_versions/",
        "track versions admin: new draft and publish, coordinators of the unit",
        [
            (lambda o: reverse("track_versions_admin:index"), COORDINATORS),
            (cert("track_versions_admin:edit", "east_draft"), EAST_OBJECT),
            (cert("track_versions_admin:publish", "east_draft"), EAST_OBJECT),
            (cert("track_versions_admin:new_draft", "east"), EAST_OBJECT),
            (cert("track_versions_admin:new_draft", "west"), WEST_OBJECT),
            (cert("track_versions_admin:history", "east_draft"), EAST_OBJECT),
            (cert("track_versions_admin:usage", "east_draft"), EAST_OBJECT),
            (
                cert("track_versions_admin:for_track", "east"),
                statuses(LOGIN, AD, AD, 302, AD, 302),
            ),
        ],
    ),
    (
        r"^admin/track_requirements/",
        "requirements of track versions: coordinators of the unit",
        [
            (lambda o: reverse("requirements_admin:index"), COORDINATORS),
            (lambda o: reverse("requirements_admin:add"), COORDINATORS),
            (cert("requirements_admin:edit", "east_requirement"), EAST_OBJECT),
            (cert("requirements_admin:edit", "west_requirement"), WEST_OBJECT),
            (cert("requirements_admin:inspect", "west_requirement"), WEST_OBJECT),
            (cert("requirements_admin:delete", "east_requirement"), EAST_OBJECT),
            (cert("requirements_admin:history", "east_requirement"), EAST_OBJECT),
            (cert("requirements_admin:usage", "east_requirement"), EAST_OBJECT),
            (
                cert("requirements_admin:for_version", "east_draft"),
                statuses(LOGIN, AD, AD, 302, AD, 302),
            ),
            (
                cert("requirements_admin:add_to_version", "east_draft"),
                statuses(LOGIN, AD, AD, 302, AD, 302),
            ),
        ],
    ),
    (
        r"^admin/reports/(locked|workflow|workflow_tasks|site-history|aging-pages)/",
        "Wagtail's reports across the organisation: platform administrators only",
        [
            (lambda o, name=name: reverse(f"wagtailadmin_reports:{name}"), HIDDEN_ADMIN)
            for name in (
                "site_history",
                "site_history_results",
                "locked_pages",
                "aging_pages",
                "workflow",
                "workflow_tasks",
            )
        ]
        + [
            (
                lambda o: reverse("wagtailadmin_reports:site_history") + "?export=csv",
                HIDDEN_ADMIN,
            ),
        ],
    ),
    (
        r"^admin/reports/page-types-usage/",
        "Wagtail's page types report (names nobody): admin users",
        [(lambda o: reverse("wagtailadmin_reports:page_types_usage"), COORDINATORS)],
    ),
    (
        r"^admin/(choose-|documents/chooser/|images/chooser/|embeds/chooser/"
        r"|workflows/task_chooser/)",
        "Wagtail's choosers: shared rows only (syllabus, documents, tasks)",
        [
            (lambda o: reverse("wagtailadmin_choose_page"), COORDINATORS),
            (lambda o: reverse("wagtailadmin_choose_page_external_link"), COORDINATORS),
            (lambda o: reverse("wagtaildocs_chooser:choose"), COORDINATORS),
            # no image permissions: an empty chooser
            (lambda o: reverse("wagtailimages_chooser:choose"), COORDINATORS),
            # the site's workflow tasks, which belong to no unit
            (lambda o: reverse("wagtailadmin_workflows:task_chooser"), COORDINATORS),
        ],
    ),
    (
        r"^admin/bulk/",
        "Wagtail's bulk actions; those on people for platform administrators only",
        [
            (
                lambda o: (
                    reverse(
                        "wagtail_bulk_action", args=["core", "user", "set_active_state"]
                    )
                    + f"?id={o.west_trainee.pk}&id={o.trainee.pk}"
                ),
                HIDDEN_ADMIN,
            ),
        ],
    ),
    (
        r"^admin/pages/<int:page_id>/(history|revisions)/",
        "a page's history: editors of the shared syllabus",
        [
            (
                lambda o: reverse(
                    "wagtailadmin_pages:history", args=[course(o).lesson.pk]
                ),
                COORDINATORS,
            ),
        ],
    ),
    (
        r"^admin/",
        "the rest of the Wagtail admin: admin users only",
        [
            (
                lambda o: reverse("wagtailadmin_home"),
                COORDINATORS,
            ),
            (
                # Coordinators edit the shared syllabus; under the tree's root
                # only a syllabus may be added, so Wagtail goes straight to it.
                lambda o: reverse("wagtailadmin_pages:add_subpage", args=[1]),
                statuses(LOGIN, AD, AD, 302, AD, 302),
            ),
            (
                lambda o: reverse("wagtailsites:index"),
                SUPERUSERS_ONLY,
            ),
        ],
    ),
    (
        r"^practice/$",
        "practice home: notices and links, for every member",
        [(pr("home"), MEMBERS)],
    ),
    (
        r"^practice/notices/read/$",
        "mark notices read (POST only)",
        [(pr("notices_read"), POST_ONLY)],
    ),
    (
        r"^practice/shifts/$",
        "duty shifts: everyone sees their own unit's",
        [(pr("shift_list"), MEMBERS)],
    ),
    (
        r"^practice/shifts/(<int:pk>/(signup|cancel|check-out|call-off)|swaps/<int:pk>/(accept|decline|withdraw))/$",
        "shift actions (POST only)",
        [
            (pr("shift_signup", "shift"), PRACTICE_POST),
            (pr("shift_cancel", "shift"), PRACTICE_POST),
            (pr("shift_check_out", "shift"), PRACTICE_POST),
            (pr("shift_call_off", "shift"), PRACTICE_POST),
            (pr("shift_swap_accept", "swap"), PRACTICE_POST),
            (pr("shift_swap_decline", "swap"), PRACTICE_POST),
            (pr("shift_swap_withdraw", "swap"), PRACTICE_POST),
        ],
    ),
    (
        r"^practice/shifts/<int:pk>/swap/$",
        "offer my place: trainees of the unit",
        [(pr("shift_swap_offer", "shift"), statuses(LOGIN, 200, 403, 403, 403, 404))],
    ),
    (
        r"^practice/shifts/<int:pk>/check-in/$",
        "the check-in page the QR code opens",
        [(pr("shift_check_in", "shift"), statuses(LOGIN, 200, 200, 200, 200, 404))],
    ),
    (
        r"^practice/shifts/<int:pk>/(screen|roster)/",
        "check-in screen and roster: supervisor on duty and coordinators",
        [
            (pr("shift_screen", "shift"), statuses(LOGIN, 403, 200, 200, 403, 404)),
            (
                pr("shift_screen_token", "shift"),
                statuses(LOGIN, 403, 200, 200, 403, 404),
            ),
            (pr("shift_roster", "shift"), statuses(LOGIN, 403, 200, 200, 403, 404)),
        ],
    ),
    (
        r"^practice/shifts/compliance/$",
        "monthly shift compliance: coordinators and leaders over their subtree",
        [
            (pr("shift_compliance"), statuses(LOGIN, 403, 403, 200, 200, 200)),
            (
                lambda o: (
                    reverse("supervision:shift_compliance") + f"?unit={o.east.pk}"
                ),
                statuses(LOGIN, 403, 403, 200, 200, 404),
            ),
        ],
    ),
    (
        r"^practice/log/$",
        "my practice log",
        [(pr("entry_list"), MEMBERS)],
    ),
    (
        r"^practice/log/new/$",
        "log practice: anyone who practises (managers practise too)",
        [(pr("entry_create"), MEMBERS)],
    ),
    (
        r"^practice/log/(bulk-approve|<int:pk>/(submit|approve|return|delete))/$",
        "sign-off and entry actions (POST only)",
        [
            (pr("entry_bulk_approve"), PRACTICE_POST),
            (pr("entry_submit", "entry"), PRACTICE_POST),
            (pr("entry_approve", "entry"), PRACTICE_POST),
            (pr("entry_return", "entry"), PRACTICE_POST),
            (pr("entry_delete", "entry"), PRACTICE_POST),
        ],
    ),
    (
        r"^practice/log/<int:pk>/(edit|amend)?/?$",
        "an entry: its trainee, their supervisors, managers over the unit",
        [
            (pr("entry_detail", "entry"), statuses(LOGIN, 200, 404, 200, 200, 404)),
            # submitted: the trainee is sent back to it; managers may look
            # but not write (403), outsiders do not find it
            (pr("entry_edit", "entry"), statuses(LOGIN, 302, 404, 403, 403, 404)),
            (pr("entry_amend", "entry"), statuses(LOGIN, 200, 404, 403, 403, 404)),
        ],
    ),
    (
        r"^practice/trainees/<int:user_id>/log/$",
        "a supervisee's log: their supervisors and mentors",
        [
            (
                lambda o: reverse(
                    "supervision:trainee_log",
                    kwargs={"user_id": practice(o).pairing.mentee_id},
                ),
                statuses(LOGIN, 200, 200, 404, 404, 404),
            ),
        ],
    ),
    (
        r"^practice/supervision/(new/)?$",
        "supervision sessions held; recording one (supervisors)",
        [
            (pr("session_list"), statuses(LOGIN, 403, 200, 200, 200, 200)),
            (pr("session_create"), statuses(LOGIN, 403, 200, 403, 403, 403)),
        ],
    ),
    (
        r"^practice/supervision/mine/$",
        "my supervision",
        [(pr("my_supervision"), MEMBERS)],
    ),
    (
        r"^practice/supervision/<int:pk>/$",
        "a supervision: practice facts to managers; growth notes to nobody else",
        [
            (
                pr("session_detail", "supervision"),
                statuses(LOGIN, 404, 200, 200, 200, 404),
            ),
            (pr("session_detail", "growth"), statuses(LOGIN, 404, 200, 404, 404, 404)),
        ],
    ),
    (
        r"^practice/techniques/(people/<int:pk>/)?$",
        "techniques and the three-client rule",
        [
            (pr("technique_list"), MEMBERS),
            (
                lambda o: reverse(
                    "supervision:technique_person",
                    kwargs={"pk": practice(o).pairing.mentee_id},
                ),
                statuses(LOGIN, 404, 200, 200, 200, 404),
            ),
        ],
    ),
    (
        r"^practice/techniques/mastery/<int:pk>/confirm/$",
        "confirm a mastery (POST only)",
        [(pr("mastery_confirm", "mastery"), PRACTICE_POST)],
    ),
    (
        r"^practice/cases/(new/)?$",
        "cases I hold or supervise; opening one",
        [
            (pr("case_list"), MEMBERS),
            (pr("case_create"), statuses(LOGIN, 200, 200, 403, 403, 403)),
        ],
    ),
    (
        r"^practice/cases/summary/$",
        "case counts for managers (no codes, no notes)",
        [(pr("case_summary"), statuses(LOGIN, 403, 403, 200, 200, 200))],
    ),
    (
        r"^practice/cases/<int:pk>/",
        "a case and its notes: the practitioner and their supervisors only",
        [
            (pr("case_detail", "case"), CASE_ONLY),
            (pr("case_note_create", "case"), CASE_ONLY),
            (pr("case_risk_change", "case"), CASE_ONLY),
            (pr("case_close", "case"), CASE_ONLY),
            (pr("consent_create", "case"), CASE_ONLY),
            (pr("referral_create", "case"), CASE_ONLY),
            (
                lambda o: reverse(
                    "supervision:consent_withdraw",
                    kwargs={
                        "pk": practice(o).case.pk,
                        "consent_id": practice(o).consent.pk,
                    },
                ),
                CASE_ONLY,
            ),
            (
                lambda o: reverse(
                    "supervision:consent_form",
                    kwargs={
                        "pk": practice(o).case.pk,
                        "consent_id": practice(o).consent.pk,
                    },
                ),
                CASE_ONLY,
            ),
        ],
    ),
    (
        r"^practice/pairs/(new/)?$",
        "pairs (一帮二): coordinators and leaders over their subtree",
        [
            (pr("pairing_list"), statuses(LOGIN, 403, 403, 200, 200, 200)),
            (pr("pairing_create"), statuses(LOGIN, 403, 403, 405, 403, 405)),
        ],
    ),
    (
        r"^practice/pairs/mine/$",
        "my grid workers",
        [(pr("pairing_mine"), MEMBERS)],
    ),
    (
        r"^practice/pairs/<int:pk>/(end|contacts)/$",
        "end a pair, log a contact (POST only)",
        [
            (pr("pairing_end", "pairing"), statuses(LOGIN, 403, 403, 405, 403, 405)),
            (pr("pairing_contact_create", "pairing"), PRACTICE_POST),
        ],
    ),
    (
        r"^practice/videos/(new/)?$",
        "video lessons: trainees upload, supervisors review",
        [
            (pr("video_lesson_list"), statuses(LOGIN, 200, 200, 403, 403, 403)),
            (pr("video_lesson_submit"), statuses(LOGIN, 405, 403, 403, 403, 403)),
        ],
    ),
    (
        r"^practice/videos/<int:pk>/(comments/|approve/|return/|resubmit/)?$",
        "a video lesson: the trainee and their supervisors",
        [
            (
                pr("video_lesson_detail", "video"),
                statuses(LOGIN, 200, 404, 404, 404, 404),
            ),
            (pr("video_comment_create", "video"), PRACTICE_POST),
            (pr("video_lesson_approve", "video"), PRACTICE_POST),
            (pr("video_lesson_return", "video"), PRACTICE_POST),
            (pr("video_lesson_resubmit", "video"), PRACTICE_POST),
        ],
    ),
    (
        r"^practice/videos/<int:pk>/(poster.jpg|<str:quality>.mp4)$",
        "a video lesson's files: the trainee and their supervisors",
        [
            (
                pr("video_lesson_poster", "video"),
                statuses(LOGIN, 200, 404, 404, 404, 404),
            ),
            (
                pr("video_lesson_file", "video", quality="main"),
                statuses(LOGIN, 200, 404, 404, 404, 404),
            ),
        ],
    ),
    (
        r"^practice/inbox/$",
        "supervisor inbox (the supervisor's home)",
        [(pr("inbox_show"), statuses(LOGIN, 403, 200, 403, 403, 403))],
    ),
    (
        r"^practice/certificates/$",
        "the certificate register: coordinators and leaders over their subtree",
        [(pr("certificate_register"), statuses(LOGIN, 403, 403, 200, 200, 200))],
    ),
    (
        r"^practice/certificates/<int:pk>/(pdf/)?$",
        "a certificate and its PDF: the holder, coordinators and leaders over it",
        [
            (cert_url("certificate_detail"), statuses(LOGIN, 200, 404, 200, 200, 404)),
            (cert_url("certificate_pdf"), statuses(LOGIN, 200, 404, 200, 200, 404)),
        ],
    ),
    (
        r"^practice/certificates/<int:pk>/(revoke|renew)/$",
        "revoke or renew a certificate (POST only)",
        [
            (cert_url("certificate_revoke"), POST_ONLY),
            (cert_url("certificate_renew"), POST_ONLY),
        ],
    ),
    (
        r"^verify/(<str:serial>(/|\.json))?$",
        "the public certificate check: anyone, without login",
        [
            (lambda o: reverse("verify:form"), PUBLIC),
            (lambda o: reverse("verify:page", args=[certificate(o).serial]), PUBLIC),
            (lambda o: reverse("verify:json", args=[certificate(o).serial]), PUBLIC),
        ],
    ),
    (
        r"^practice/ratings/mine/$",
        "my competency ratings",
        [(pr("my_ratings"), MEMBERS)],
    ),
    (
        r"^practice/ratings/people/<int:person_pk>/(rate/<int:rubric_pk>/)?$",
        "ratings: the person, their supervisors and managers; rating: supervisors",
        [
            (ratings_url("trainee"), statuses(LOGIN, 200, 404, 200, 200, 404)),
            (ratings_url("mentee"), statuses(LOGIN, 404, 200, 200, 200, 404)),
            # managers and the person read but do not rate (403)
            (
                ratings_url("trainee", rate=True),
                statuses(LOGIN, 403, 404, 403, 403, 404),
            ),
            (
                ratings_url("mentee", rate=True),
                statuses(LOGIN, 404, 200, 403, 403, 404),
            ),
        ],
    ),
    (
        r"^practice/qualifications/$",
        "my qualifications and the upload form",
        [(pr("qualification_list"), MEMBERS)],
    ),
    (
        r"^practice/qualifications/queue/$",
        "qualifications waiting for verification: coordinators",
        [(pr("qualification_queue"), statuses(LOGIN, 403, 403, 200, 403, 200))],
    ),
    (
        r"^practice/qualifications/(upload|<int:pk>/decide)/$",
        "upload and decide on a qualification (POST only)",
        [
            (pr("qualification_upload"), POST_ONLY),
            (qualification_url("qualification_decide"), POST_ONLY),
        ],
    ),
    (
        r"^practice/qualifications/<int:pk>/file/$",
        "a qualification's document: the holder and coordinators over them",
        [
            (
                qualification_url("qualification_file"),
                statuses(LOGIN, 200, 404, 200, 404, 404),
            )
        ],
    ),
    (
        r"^practice/certification/$",
        "my certification tracks: every member",
        [(lambda o: reverse("supervision:certification_home"), MEMBERS)],
    ),
    (
        r"^practice/certification/tracks/<int:track_pk>/enrol/$",
        "enrol in a track (trainees, POST only)",
        [
            (
                cert("supervision:certification_enrol", "east"),
                statuses(LOGIN, 405, 403, 403, 403, 403),
            )
        ],
    ),
    (
        r"^practice/certification/<int:enrolment_pk>/$",
        "a progress page: the trainee, their supervisors, managers over them",
        [
            (
                cert("supervision:certification_track", "enrolment"),
                statuses(LOGIN, 200, 404, 200, 200, 404),
            )
        ],
    ),
    (
        r"^practice/certification/<int:enrolment_pk>/(apply|decide|move-version)/$",
        "apply, decide, move to the latest version (POST only)",
        [
            (cert("supervision:certification_apply", "enrolment"), POST_ONLY),
            (cert("supervision:certification_decide", "enrolment"), POST_ONLY),
            (cert("supervision:certification_move_version", "enrolment"), POST_ONLY),
        ],
    ),
    (
        r"^practice/certification/queue/$",
        "applications waiting: coordinators of the subtree",
        [
            (
                lambda o: reverse("supervision:certification_queue"),
                statuses(LOGIN, 403, 403, 200, 403, 200),
            )
        ],
    ),
    (
        r"^practice/certification/cohort/$",
        "progress tables: coordinators and leaders of the subtree",
        [
            (
                lambda o: reverse("supervision:certification_cohort"),
                statuses(LOGIN, 403, 403, 200, 200, 200),
            ),
            (
                lambda o: (
                    reverse("supervision:certification_cohort")
                    + f"?version={certification(o).enrolment.version_id}"
                ),
                statuses(LOGIN, 403, 403, 200, 200, 404),
            ),
        ],
    ),
    # --- courses16 ---
    (
        r"^manage/cohorts/$",
        "the cohorts a person may read: coordinators, leaders, supervisors",
        [
            (
                lambda o: reverse("cohort_grid:list"),
                statuses(LOGIN, 403, 200, 200, 200, 200),
            )
        ],
    ),
    # --- end courses16 ---
    # --- teams ---
    (
        r"^practice/crisis/teams/$",
        "crisis-team readiness: the teams each member leads, is in or manages",
        [(lambda o: reverse("supervision:crisis_team_list"), MEMBERS)],
    ),
    (
        r"^practice/crisis/teams/<int:pk>/$",
        "a team's readiness: managers over its unit, its lead, its members",
        [
            # the east trainee is a member, the east supervisor the lead
            (
                lambda o: team_path(o, "supervision:crisis_team_detail", "east"),
                statuses(LOGIN, 200, 200, 200, 200, 404),
            ),
            (
                lambda o: team_path(o, "supervision:crisis_team_detail", "west"),
                statuses(LOGIN, 404, 404, 404, 404, 200),
            ),
        ],
    ),
    (
        r"^admin/(crisis_teams|team_drills)/",
        "crisis teams and their drills admin: coordinators of the team's unit",
        [
            (lambda o: reverse("crisis_teams_admin:index"), COORDINATORS),
            (lambda o: reverse("crisis_teams_admin:add"), COORDINATORS),
            (lambda o: team_path(o, "crisis_teams_admin:edit", "east"), EAST_OBJECT),
            (lambda o: team_path(o, "crisis_teams_admin:edit", "west"), WEST_OBJECT),
            (lambda o: team_path(o, "crisis_teams_admin:history", "west"), WEST_OBJECT),
            (lambda o: team_path(o, "crisis_teams_admin:usage", "west"), WEST_OBJECT),
            (
                # teams are closed, never deleted: refused inside the subtree
                lambda o: team_path(o, "crisis_teams_admin:delete", "east"),
                statuses(LOGIN, AD, AD, AD, AD, 404),
            ),
            (lambda o: reverse("team_drills_admin:index"), COORDINATORS),
            (lambda o: reverse("team_drills_admin:add"), COORDINATORS),
            (
                lambda o: team_path(o, "team_drills_admin:edit", "east_drill"),
                EAST_OBJECT,
            ),
            (
                lambda o: team_path(o, "team_drills_admin:edit", "west_drill"),
                WEST_OBJECT,
            ),
            (
                lambda o: team_path(o, "team_drills_admin:delete", "east_drill"),
                EAST_OBJECT,
            ),
            (
                lambda o: team_path(o, "team_drills_admin:history", "west_drill"),
                WEST_OBJECT,
            ),
            (
                lambda o: team_path(o, "team_drills_admin:usage", "west_drill"),
                WEST_OBJECT,
            ),
            (
                lambda o: team_path(o, "team_drills_admin:for_team", "east"),
                statuses(LOGIN, AD, AD, 302, AD, 302),
            ),
        ],
    ),
    # --- end teams ---
    # --- serve ---
    (
        r"^favicon\.ico$",
        "the site icon browsers ask for on every page",
        [(lambda o: "/favicon.ico", PUBLIC)],
    ),
    # --- end serve ---
    # --- directory ---
    (
        r"^practice/pool/directory/$",
        "the talent-pool directory: coordinators and leaders over their subtree",
        [(pr("pool_directory"), statuses(LOGIN, 403, 403, 200, 200, 200))],
    ),
    (
        r"^practice/pool/coverage/(<int:unit_pk>/)?$",
        "staffing coverage: coordinators and leaders; a unit beside them is 404",
        [
            (pr("coverage"), statuses(LOGIN, 403, 403, 200, 200, 200)),
            (
                lambda o: reverse("supervision:coverage") + "?format=csv",
                statuses(LOGIN, 403, 403, 200, 200, 200),
            ),
            (
                lambda o: reverse("supervision:coverage_unit", args=[o.east.pk]),
                statuses(LOGIN, 403, 403, 200, 200, 404),
            ),
            (
                lambda o: reverse("supervision:coverage_unit", args=[o.city.pk]),
                statuses(LOGIN, 403, 403, 404, 404, 404),
            ),
        ],
    ),
    # --- /directory ---
    # --- pool ---
    (
        r"^practice/pool/$",
        "my tier: every member (none shows a page without a scheme)",
        [(lambda o: reverse("supervision:pool_mine"), MEMBERS)],
    ),
    (
        r"^practice/pool/review/$",
        "the talent-pool review queue: coordinators of the subtree",
        [
            (
                lambda o: reverse("supervision:pool_review"),
                statuses(LOGIN, 403, 403, 200, 403, 200),
            )
        ],
    ),
    (
        r"^practice/pool/people/<int:pk>/$",
        "a dossier: coordinators and leaders over the person",
        [
            (
                lambda o: reverse("supervision:pool_dossier", args=[pool_rows(o).pk]),
                statuses(LOGIN, 404, 404, 200, 200, 404),
            )
        ],
    ),
    (
        r"^practice/pool/people/<int:pk>/decide/$",
        "a tier decision (POST only)",
        [
            (
                lambda o: reverse("supervision:pool_decide", args=[pool_rows(o).pk]),
                POST_ONLY,
            )
        ],
    ),
    # --- end pool ---
]


# --- deploy ---


def crisis(o):
    """A deployment of the east room being called out, with one call-out
    of the east trainee waiting on its link (the token kept here)."""
    if not hasattr(o, "crisis"):
        from supervision.models import Deployment
        from tests.factories.deployments import make_callout, make_deployment

        deployment = make_deployment(
            o.east_room, created_by=o.coordinator, status=Deployment.Status.CALLED
        )
        callout, token = make_callout(deployment, o.trainee)
        o.crisis = SimpleNamespace(deployment=deployment, callout=callout, token=token)
    return o.crisis


def dep(name, callout=False):
    def build(o):
        args = [crisis(o).deployment.pk]
        if callout:
            args.append(crisis(o).callout.pk)
        return reverse(f"supervision:{name}", args=args)

    return build


RULES += [
    (
        r"^practice/crisis/deployments/$",
        "crisis deployments of the subtree: coordinators and leaders",
        [
            (
                lambda o: reverse("supervision:deployment_list"),
                statuses(LOGIN, 403, 403, 200, 200, 200),
            )
        ],
    ),
    (
        r"^practice/crisis/deployments/new/$",
        "describe a crisis need: coordinators",
        [
            (
                lambda o: reverse("supervision:deployment_new"),
                statuses(LOGIN, 403, 403, 200, 403, 200),
            )
        ],
    ),
    (
        r"^practice/crisis/deployments/<int:pk>/$",
        "a deployment with its proposal: coordinators and leaders over its unit",
        [(dep("deployment_detail"), statuses(LOGIN, 404, 404, 200, 200, 404))],
    ),
    (
        r"^practice/crisis/deployments/<int:pk>/(call|close|cancel)/$",
        "call out, close, cancel (POST only)",
        [
            (dep("deployment_call"), POST_ONLY),
            (dep("deployment_close"), POST_ONLY),
            (dep("deployment_cancel"), POST_ONLY),
        ],
    ),
    (
        r"^practice/crisis/deployments/<int:pk>/callouts/<int:callout_pk>/"
        r"(fill|withdraw)/$",
        "fill a place, stand someone down (POST only)",
        [
            (dep("callout_fill", callout=True), POST_ONLY),
            (dep("callout_withdraw", callout=True), POST_ONLY),
        ],
    ),
    (
        r"^crisis/answer/<str:token>/$",
        "the call-out link: whoever holds it, without login; others find nothing",
        [
            (lambda o: reverse("crisis:answer", args=[crisis(o).token]), PUBLIC),
            (
                lambda o: reverse("crisis:answer", args=["not-a-token"]),
                statuses(404, 404, 404, 404, 404, 404),
            ),
        ],
    ),
]

# --- /deploy ---

# --- entries16 ---
RULES += [
    (
        r"^practice/log/export\.<str:fmt>$",
        "my practice log as a file: every member, their own entries only",
        [
            (lambda o: reverse("supervision:entry_export", args=["csv"]), MEMBERS),
            (lambda o: reverse("supervision:entry_export", args=["xlsx"]), MEMBERS),
            (lambda o: reverse("supervision:entry_export", args=["pdf"]), MEMBERS),
            (
                lambda o: reverse("supervision:entry_export", args=["doc"]),
                statuses(LOGIN, 404, 404, 404, 404, 404),
            ),
        ],
    ),
]
# --- /entries16 ---


def all_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").replace("\\Z", "")
        route = route.rstrip("$")
        if isinstance(entry, URLResolver):
            yield from all_routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def rule_for(route):
    for pattern, description, checks in RULES:
        if re.search(pattern, route):
            return description, checks
    return None


def test_every_url_is_classified():
    unclassified = [route for route in all_routes() if rule_for(route) is None]
    assert unclassified == [], "classify these URLs in RULES: " + ", ".join(
        unclassified
    )


def test_every_rule_is_still_used():
    routes = list(all_routes())
    unused = [p for p, _d, _c in RULES if not any(re.search(p, r) for r in routes)]
    assert unused == []


def _outcome(response, user):
    in_admin = response.wsgi_request.path.startswith("/admin/")
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            # Wagtail sends a logged-in user without admin access to the
            # login page, which in turn sends them to their own home.
            return ADMIN_DENIED if in_admin and user != "anon" else LOGIN
        if location.startswith("/admin/login/") or location == "/admin/":
            return ADMIN_DENIED
        return 302
    if response.status_code == 403:
        return ADMIN_DENIED if in_admin else 403
    return response.status_code


CASES = [
    pytest.param(build, expected, user, id=f"{description}-{index}-{user}")
    for _pattern, description, checks in RULES
    for index, (build, expected) in enumerate(checks)
    for user in USERS
]


@pytest.mark.parametrize("build, expected, user", CASES)
def test_permission_matrix(org, client, build, expected, user):
    if user != "anon":
        client.force_login(getattr(org, user))
    path = build(org)
    response = client.get(path)
    assert _outcome(response, user) == expected[user], (
        path,
        response.status_code,
        response.get("Location"),
    )


# --- teams ---
def crisis_teams(o):
    """A team of each station with a drill: the east one led by the east
    supervisor with the east trainee a member, the west one holding the
    west trainee."""
    if not hasattr(o, "crisis_teams"):
        from tests.factories.crisis import make_drill, make_team

        east = make_team(o.east, lead=o.supervisor, members=[o.trainee])
        west = make_team(o.west, name="西区小分队", members=[o.west_trainee])
        day = o.trainee.date_joined.date()
        o.crisis_teams = SimpleNamespace(
            east=east,
            west=west,
            east_drill=make_drill(east, day, present=[o.trainee]),
            west_drill=make_drill(west, day, present=[o.west_trainee]),
        )
    return o.crisis_teams


def team_path(o, name, attr):
    """The URL ``name`` of the team row ``attr`` of ``crisis_teams``."""
    return reverse(name, args=[getattr(crisis_teams(o), attr).pk])


# --- pool ---


def pool_rows(o):
    """The city's scheme with an entry tier, the east trainee in it; returns
    the trainee (whose dossier the rules ask for)."""
    if not hasattr(o, "pool"):
        from tests.factories.pool import make_scheme, make_tier, place

        tier = make_tier(make_scheme(o.city, "city-pool"), 1)
        place(o.trainee, tier)
        o.pool = o.trainee
    return o.pool


# --- end pool ---


# --- shifts16 ---
def calendar_feed_url(valid):
    """The east trainee's calendar feed, or a made-up secret."""

    def build(o):
        from supervision.selectors.calendar import feed_of

        secret = feed_of(person=o.trainee).secret if valid else "x" * 43
        return reverse("supervision:calendar_feed", args=[secret])

    return build


RULES += [
    (
        r"^practice/calendar/$",
        "a member's own calendar feed page",
        [(pr("calendar"), MEMBERS)],
    ),
    (
        r"^practice/calendar/reset/$",
        "reset one's calendar feed (POST only)",
        [(pr("calendar_reset"), POST_ONLY)],
    ),
    (
        r"^practice/calendar/<str:secret>\.ics$",
        "a calendar feed: public with a valid secret, 404 otherwise",
        [
            (calendar_feed_url(True), PUBLIC),
            (calendar_feed_url(False), statuses(404, 404, 404, 404, 404, 404)),
        ],
    ),
]
# --- end shifts16 ---
