"""The next concrete step for a certification gap, as a link: the lesson
to finish, the next shift with places and a supervisor on duty, the
supervisor to ask for a rating, the qualification to upload, the track
whose certificate is needed.  A fixed number of queries per call."""

from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import LessonProgress, OfflineSession
from courses.selectors.learn import lessons_visible_to, pages_under_any
from courses.selectors.sessions import sessions_attendable_by
from lms.core.models import HoursCategory, User

from ..models import (
    DutyShift,
    Enrolment,
    PracticeEntry,
    Qualification,
    Rating,
    Requirement,
    ShiftSignup,
)
from .certification import RequirementResult
from .people import supervisors_of
from .shifts import with_counts

K = Requirement.Kind


@dataclass(frozen=True)
class NextStep:
    """The concrete next step for a gap, shown as a link."""

    label: str
    url: str


def next_step(person: User, result: RequirementResult) -> NextStep | None:
    """The concrete next step for ``result``'s gap, as a link; None when
    met.  A fixed number of queries (at most four) per call; reads through
    the selectors the linked pages use, so the link shows what it says."""
    if result.met:
        return None
    req = result.requirement
    step = {
        K.LESSONS: _lesson_step,
        K.HOURS: _hours_step,
        K.PRACTICE: _practice_step,
        K.SUPERVISION: _supervision_step,
        K.TECHNIQUES: _technique_step,
        K.SHIFTS: _shift_step,
        K.RATINGS: _rating_step,
        K.QUALIFICATION: _qualification_step,
        K.CERTIFICATE: _certificate_step,
    }[req.kind]
    return step(person, result)


def _lesson_step(person, result) -> NextStep:
    paths = [page.path for page in result.requirement.pages.all()]
    done = LessonProgress.objects.filter(
        person=person, completed_at__isnull=False
    ).values("lesson_id")
    lesson = (
        lessons_visible_to(user=person)
        .filter(pages_under_any(paths) if paths else Q(pk__in=[]))
        .exclude(pk__in=done)
        .order_by("path")
        .first()
    )
    if lesson is None:
        return NextStep(_("Open your lessons."), reverse("courses:learn"))
    return NextStep(
        _("Finish the lesson “%(lesson)s”.") % {"lesson": lesson.title},
        lesson.get_url() or reverse("courses:learn"),
    )


def _hours_step(person, result) -> NextStep:
    categories = result.requirement.hours_categories or [HoursCategory.ONLINE_THEORY]
    first = categories[0]
    if first == HoursCategory.PRACTICE:
        return _log_practice_step()
    if first == HoursCategory.SUPERVISION:
        return _supervision_step(person, result)
    if first == HoursCategory.OFFLINE_THEORY:
        return _session_step(person, kind=None) or NextStep(
            _("Open your lessons."), reverse("courses:learn")
        )
    return NextStep(_("Continue your online lessons."), reverse("courses:learn"))


def _log_practice_step() -> NextStep:
    return NextStep(
        _("Log your practice and submit it for approval."),
        reverse("supervision:entry_create"),
    )


def _session_step(person, *, kind) -> NextStep | None:
    """The next offline session the person may attend with a free place."""
    present = Q(attendances__status="present")
    sessions = sessions_attendable_by(user=person).filter(starts_at__gt=timezone.now())
    if kind is not None:
        sessions = sessions.filter(kind=kind)
    session = (
        sessions.annotate(taken=Count("attendances", filter=present))
        .filter(Q(capacity__isnull=True) | Q(capacity__gt=F("taken")))
        .order_by("starts_at", "pk")
        .first()
    )
    if session is None:
        return None
    when = timezone.localtime(session.starts_at)
    return NextStep(
        _("Next session with free places: “%(title)s” on %(date)s.")
        % {"title": session.title, "date": when.strftime("%Y-%m-%d %H:%M")},
        reverse("courses:learn"),
    )


def _practice_step(person, result) -> NextStep:
    kinds = set(result.requirement.practice_kinds)
    group_kinds = {PracticeEntry.Kind.GROUP_ASSISTANT, PracticeEntry.Kind.GROUP_PLAN}
    if kinds and kinds <= group_kinds:
        step = _session_step(person, kind=OfflineSession.Kind.GROUP)
        if step is not None:
            return step
    return _log_practice_step()


def _supervision_step(person, result) -> NextStep:
    supervisor = supervisors_of(trainee=person).order_by("full_name", "pk").first()
    url = reverse("supervision:my_supervision")
    if supervisor is None:
        return NextStep(_("Ask your coordinator for a supervisor."), url)
    return NextStep(
        _("Ask %(supervisor)s for a supervision session.")
        % {"supervisor": str(supervisor)},
        url,
    )


def _technique_step(person, result) -> NextStep:
    return NextStep(
        _("Apply a technique with supervised clients until it is mastered."),
        reverse("supervision:technique_list"),
    )


def _shift_step(person, result) -> NextStep:
    url = reverse("supervision:shift_list")
    if person.home_unit_id is None:
        return NextStep(_("Look at the duty shifts."), url)
    holding = ShiftSignup.objects.filter(
        shift=OuterRef("pk"),
        person=person,
        status__in=[ShiftSignup.Status.SIGNED_UP, ShiftSignup.Status.WAITLISTED],
    )
    shift = (
        with_counts(DutyShift.objects.all())
        .filter(
            person.home_unit.ancestors_q("unit__"),
            starts_at__gt=timezone.now(),
            cancelled_at__isnull=True,
            supervisor__isnull=False,
        )
        .exclude(Exists(holding))
        .filter(capacity__gt=F("taken"))
        .select_related("unit", "supervisor")
        .order_by("starts_at", "pk")
        .first()
    )
    if shift is None:
        return NextStep(_("No duty shift has a free place yet; look again soon."), url)
    when = timezone.localtime(shift.starts_at)
    return NextStep(
        _("Sign up for the duty shift on %(date)s with %(supervisor)s.")
        % {
            "date": when.strftime("%Y-%m-%d %H:%M"),
            "supervisor": str(shift.supervisor),
        },
        url,
    )


def _rating_step(person, result) -> NextStep:
    req = result.requirement
    counted = Rating.objects.filter(pk__in=[pk for _label, pk in result.records])
    supervisor = (
        supervisors_of(trainee=person)
        .exclude(pk__in=counted.values("rater_id"))
        .order_by("full_name", "pk")
        .first()
    )
    enrolment = Enrolment.objects.filter(
        person=person, track_id=req.version.track_id
    ).first()
    url = (
        reverse("supervision:certification_track", args=[enrolment.pk])
        if enrolment
        else reverse("supervision:certification_home")
    )
    if supervisor is None:
        return NextStep(
            _("Ask your coordinator for a supervisor who can rate you."), url
        )
    return NextStep(
        _("Ask %(supervisor)s for a rating on “%(rubric)s”.")
        % {"supervisor": str(supervisor), "rubric": str(req.rubric)},
        url,
    )


def _qualification_step(person, result) -> NextStep:
    req = result.requirement
    url = reverse("supervision:qualification_list")
    waiting = Qualification.objects.filter(
        person=person,
        kind_id=req.qualification_kind_id,
        status=Qualification.Status.PENDING,
    ).exists()
    values = {"qualification": str(req.qualification_kind or req.title)}
    if waiting:
        return NextStep(
            _("Your %(qualification)s is waiting for verification.") % values, url
        )
    return NextStep(_("Upload your %(qualification)s.") % values, url)


def _certificate_step(person, result) -> NextStep:
    """The certification page of the track whose certificate is needed:
    the person's enrolment in it, else the list of tracks to enrol in."""
    req = result.requirement
    values = {"track": str(req.certificate_track or req.title)}
    enrolment = Enrolment.objects.filter(
        person=person, track_id=req.certificate_track_id
    ).first()
    if enrolment is None:
        return NextStep(
            _("Enrol in the track “%(track)s” and earn its certificate.") % values,
            reverse("supervision:certification_home"),
        )
    url = reverse("supervision:certification_track", args=[enrolment.pk])
    if enrolment.status == Enrolment.Status.APPROVED:
        return NextStep(
            _(
                "Your certificate of “%(track)s” is no longer valid: ask about "
                "renewing it."
            )
            % values,
            url,
        )
    return NextStep(
        _("Complete the track “%(track)s” to earn its certificate.") % values, url
    )
