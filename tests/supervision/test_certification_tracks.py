"""Tracks with versions, enrolling, applying and deciding
(``supervision.services.certification``)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from lms.core.models import AuditEvent, Notice, Role
from supervision.models import Enrolment, Requirement, Technique, TrackVersion
from supervision.permissions import (
    can_decide_enrolment,
    can_manage_track,
    can_see_progress,
)
from supervision.selectors.enrolments import (
    enrolments_decidable_by,
    enrolments_visible_to,
    tracks_manageable_by,
)
from supervision.services import certification as services
from tests.factories.core import UserFactory
from tests.factories.courses import make_lesson, make_module, make_syllabus
from tests.factories.supervision import assign, make_technique
from tests.factories.tracks import (
    enrol,
    make_track,
    meet_everything,
    verified_qualification,
    version_of,
)

Status = Enrolment.Status


@pytest.fixture(autouse=True)
def english(settings):
    """The sentences are checked in English, whatever the translations say."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def issued(monkeypatch):
    """The enrolments ``certificate_issue`` is called for (the certificate
    itself is another module's concern)."""
    import supervision.services.certification as certification_services

    calls = []
    monkeypatch.setattr(
        certification_services,
        "certificate_issue",
        lambda *, actor, enrolment: calls.append((actor, enrolment.pk)),
    )
    return calls


@pytest.fixture
def track(org):
    return make_track(org.east)


# --- versions -------------------------------------------------------------------


def test_editing_a_track_after_enrolment_leaves_the_enrolled_trainee_on_their_version(
    org, track
):
    # given a trainee enrolled in version 1
    enrolment = services.track_enrol(actor=org.trainee, person=org.trainee, track=track)
    # when the coordinator drafts, tightens and publishes version 2
    draft = services.track_draft(actor=org.coordinator, track=track)
    hotline = draft.requirements.get(kind=Requirement.Kind.PRACTICE)
    hotline.need = 20
    hotline.save()
    services.track_publish(actor=org.coordinator, version=draft, note="更严格")
    # then the trainee is still held to version 1 and its two entries
    enrolment.refresh_from_db()
    assert enrolment.version.number == 1
    needs = {r.kind: r.need for r in enrolment.version.requirements.all()}
    assert needs[Requirement.Kind.PRACTICE] == 2
    # and a new enrolment is held to version 2
    newcomer = UserFactory(
        username="newcomer", home_unit=org.east_room, roles=[Role.TRAINEE]
    )
    other = services.track_enrol(actor=newcomer, person=newcomer, track=track)
    assert other.version.number == 2


def test_a_draft_copies_the_requirements_with_their_lessons_and_techniques(org, track):
    module = make_module(make_syllabus())
    lesson = make_lesson(module)
    technique = make_technique()
    source = version_of(track)
    extra = Requirement.objects.create(
        version=source, kind="lessons", title="完成课程", need=1
    )
    extra.pages.add(lesson)
    mastery = Requirement.objects.create(
        version=source, kind="techniques", title="掌握技术", need=1
    )
    mastery.techniques.add(technique)
    draft = services.track_draft(actor=org.coordinator, track=track)
    assert draft.number == 2 and not draft.is_published
    copied = {r.title: r for r in draft.requirements.all()}
    assert set(copied) == {r.title for r in source.requirements.all()}
    assert list(copied["完成课程"].pages.all()) == [lesson.page_ptr]
    assert list(copied["掌握技术"].techniques.all()) == [technique]
    assert copied["完成课程"].pk != extra.pk
    # asking again gives the same draft
    assert services.track_draft(actor=org.coordinator, track=track) == draft
    assert Technique.objects.count() == 1


def test_a_published_version_refuses_edits_and_a_second_publication(org, track):
    published = version_of(track)
    with pytest.raises(ValidationError, match="published version cannot be changed"):
        services.track_draft_save(
            actor=org.coordinator, version=published, save=lambda: None
        )
    with pytest.raises(ValidationError):
        services.track_publish(actor=org.coordinator, version=published)


def test_publishing_refuses_an_empty_draft_and_a_requirement_that_does_not_fit(
    org, track
):
    draft = services.track_draft(actor=org.coordinator, track=track)
    draft.requirements.all().delete()
    with pytest.raises(ValidationError, match="at least one requirement"):
        services.track_publish(actor=org.coordinator, version=draft)
    Requirement.objects.create(version=draft, kind="ratings", title="评价", need=2)
    with pytest.raises(ValidationError, match="rubric and a level"):
        services.track_publish(actor=org.coordinator, version=draft)
    assert not TrackVersion.objects.get(pk=draft.pk).is_published


@pytest.mark.parametrize(
    "kind, values, words",
    [
        ("ratings", {"min_level": 4}, "rubric and a level"),
        ("qualification", {}, "qualification it asks for"),
        ("lessons", {"pages": []}, "lesson or module"),
        ("hours", {"measure": "count"}, "counted in hours"),
        ("techniques", {"measure": "hours"}, "counted in hours"),
        ("shifts", {"measure": "count"}, ""),
    ],
)
def test_a_requirements_parameters_must_fit_its_kind(kind, values, words):
    problem = services.requirement_problem(kind, values)
    assert (words in problem) if words else problem == ""


def test_only_coordinators_over_the_track_manage_it(org, track):
    for outsider in (org.sibling, org.trainee, org.supervisor, org.leader):
        assert not can_manage_track(outsider, track)
        with pytest.raises(PermissionDenied):
            services.track_draft(actor=outsider, track=track)
    assert can_manage_track(org.coordinator, track)
    for user in (org.coordinator, org.sibling, org.trainee):
        assert (track in tracks_manageable_by(user=user)) == can_manage_track(
            user, track
        )


# --- enrolling ------------------------------------------------------------------


def test_a_trainee_enrols_once_and_it_is_audited(org, track):
    enrolment = services.track_enrol(actor=org.trainee, person=org.trainee, track=track)
    assert enrolment.status == Status.ENROLLED
    assert enrolment.transitions.count() == 1
    assert AuditEvent.objects.filter(object_id=str(enrolment.pk)).exists()
    with pytest.raises(ValidationError, match="already enrolled"):
        services.track_enrol(actor=org.trainee, person=org.trainee, track=track)
    assert Enrolment.objects.count() == 1


def test_enrolling_is_refused_outside_the_unit_closed_or_unpublished(org, track):
    with pytest.raises(ValidationError, match="not offered"):
        services.track_enrol(
            actor=org.west_trainee, person=org.west_trainee, track=track
        )
    track.is_active = False
    track.save()
    with pytest.raises(ValidationError, match="closed"):
        services.track_enrol(actor=org.trainee, person=org.trainee, track=track)
    draft_only = make_track(org.east, code="draft-only", published=False)
    with pytest.raises(ValidationError, match="no published"):
        services.track_enrol(actor=org.trainee, person=org.trainee, track=draft_only)
    assert not Enrolment.objects.exists()


def test_a_coordinator_enrols_their_people_but_nobody_else_does(org, track):
    services.track_enrol(actor=org.coordinator, person=org.trainee, track=track)
    assert Notice.objects.filter(person=org.trainee).exists()
    track = make_track(org.east, code="second")
    for actor in (org.sibling, org.supervisor, org.leader):
        with pytest.raises(PermissionDenied):
            services.track_enrol(actor=actor, person=org.trainee, track=track)
    with pytest.raises(PermissionDenied):
        services.track_enrol(actor=org.supervisor, person=org.supervisor, track=track)


# --- applying and deciding ------------------------------------------------------


def test_applying_with_gaps_is_refused_with_a_sentence(org, track):
    enrolment = enrol(org.trainee, track)
    verified_qualification(org.trainee)
    with pytest.raises(ValidationError) as refused:
        services.enrolment_apply(actor=org.trainee, enrolment=enrolment)
    assert "cannot apply yet" in " ".join(refused.value.messages)
    enrolment.refresh_from_db()
    assert enrolment.status == Status.ENROLLED
    assert not Notice.objects.filter(person=org.coordinator).exists()


def test_applying_tells_the_coordinators_over_the_trainee(org, track):
    enrolment = enrol(org.trainee, track)
    meet_everything(org.trainee, org.supervisor)
    services.enrolment_apply(actor=org.trainee, enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == Status.APPLIED
    assert Notice.objects.filter(person=org.coordinator).count() == 1
    assert not Notice.objects.filter(person=org.sibling).exists()


def test_only_the_trainee_applies(org, track):
    enrolment = enrol(org.trainee, track)
    meet_everything(org.trainee, org.supervisor)
    with pytest.raises(PermissionDenied):
        services.enrolment_apply(actor=org.coordinator, enrolment=enrolment)


def test_approving_issues_the_certificate_and_is_audited_once(org, track, issued):
    enrolment = enrol(org.trainee, track, status=Status.APPLIED)
    services.enrolment_decide(
        actor=org.coordinator, enrolment=enrolment, approve=True, reason=""
    )
    enrolment.refresh_from_db()
    assert enrolment.status == Status.APPROVED
    assert issued == [(org.coordinator, enrolment.pk)]
    assert AuditEvent.objects.filter(detail="approved").count() == 1
    # deciding twice is refused and issues nothing more
    with pytest.raises(ValidationError):
        services.enrolment_decide(
            actor=org.coordinator, enrolment=enrolment, approve=True, reason=""
        )
    assert len(issued) == 1


def test_declining_needs_a_reason_and_tells_the_trainee(org, track, issued):
    enrolment = enrol(org.trainee, track, status=Status.APPLIED)
    for reason in ("", "   ", "\x00坏"):
        with pytest.raises(ValidationError):
            services.enrolment_decide(
                actor=org.coordinator, enrolment=enrolment, approve=False, reason=reason
            )
    with pytest.raises(ValidationError, match="too long"):
        services.enrolment_decide(
            actor=org.coordinator,
            enrolment=enrolment,
            approve=False,
            reason="长" * 5000,
        )
    enrolment.refresh_from_db()
    assert enrolment.status == Status.APPLIED
    services.enrolment_decide(
        actor=org.coordinator, enrolment=enrolment, approve=False, reason="督导时数不足"
    )
    enrolment.refresh_from_db()
    assert enrolment.status == Status.DECLINED
    assert enrolment.transitions.last().comment == "督导时数不足"
    assert "督导时数不足" in Notice.objects.get(person=org.trainee).text
    assert issued == []


def test_a_sibling_coordinator_or_the_trainee_cannot_decide(org, track, issued):
    enrolment = enrol(org.trainee, track, status=Status.APPLIED)
    for actor in (org.sibling, org.trainee, org.supervisor, org.leader):
        assert not can_decide_enrolment(actor, enrolment)
        with pytest.raises(PermissionDenied):
            services.enrolment_decide(
                actor=actor, enrolment=enrolment, approve=True, reason=""
            )
    assert issued == []


# --- moving to a new version ----------------------------------------------------


def _second_version(org, track):
    draft = services.track_draft(actor=org.coordinator, track=track)
    return services.track_publish(actor=org.coordinator, version=draft, note="v2")


def test_moving_to_the_latest_version_is_audited_with_both_versions(org, track):
    enrolment = enrol(org.trainee, track)
    latest = _second_version(org, track)
    services.enrolment_move_version(
        actor=org.coordinator, enrolment=enrolment, version=latest, reason="新标准"
    )
    enrolment.refresh_from_db()
    assert enrolment.version == latest
    step = enrolment.transitions.last()
    assert step.comment == "v1 → v2: 新标准"
    assert step.from_status == step.to_status == Status.ENROLLED
    assert AuditEvent.objects.filter(detail="moved from v1 to v2").exists()


def test_moving_is_refused_without_reason_to_an_old_version_or_while_applied(
    org, track
):
    enrolment = enrol(org.trainee, track)
    first = version_of(track)
    latest = _second_version(org, track)
    with pytest.raises(ValidationError):
        services.enrolment_move_version(
            actor=org.coordinator, enrolment=enrolment, version=latest, reason=" "
        )
    with pytest.raises(ValidationError, match="latest published"):
        services.enrolment_move_version(
            actor=org.coordinator, enrolment=enrolment, version=first, reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.enrolment_move_version(
            actor=org.sibling, enrolment=enrolment, version=latest, reason="x"
        )
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Status.APPLIED)
    enrolment.refresh_from_db()
    with pytest.raises(ValidationError, match="stays with its version"):
        services.enrolment_move_version(
            actor=org.coordinator, enrolment=enrolment, version=latest, reason="x"
        )
    enrolment.refresh_from_db()
    assert enrolment.version == first


# --- who sees the progress --------------------------------------------------------


def test_the_progress_predicate_and_its_queryset_agree(org, track):
    enrolment = enrol(org.trainee, track)
    assign(org.trainee, org.supervisor)
    expected = {
        "trainee": True,
        "supervisor": True,
        "coordinator": True,
        "leader": True,
        "city_leader": True,
        "sibling": False,
        "west_trainee": False,
    }
    for name, sees in expected.items():
        user = getattr(org, name)
        assert can_see_progress(user, enrolment) is sees, name
        assert enrolments_visible_to(user=user).filter(pk=enrolment.pk).exists() is sees
        decides = can_decide_enrolment(user, enrolment)
        assert enrolments_decidable_by(user=user).filter(pk=enrolment.pk).exists() is (
            decides
        )
