"""Practice and supervision rows for tests.  Made directly (not through the
services) so a test can set up any state, including ones the services
would refuse; tests of a service call the service."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from supervision.models import (
    Case,
    Consent,
    DutyShift,
    Pairing,
    PracticeEntry,
    ShiftSignup,
    SupervisionKind,
    SupervisorAssignment,
    Technique,
)

#: A minimal PDF, enough for a consent form upload.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_shift(
    unit, *, supervisor=None, starts_at=None, hours=4, capacity=2, title="值班"
):
    """A shift of ``unit``; by default it starts tomorrow at this time."""
    starts_at = starts_at or timezone.now() + datetime.timedelta(days=1)
    return DutyShift.objects.create(
        unit=unit,
        title=title,
        place="心理服务中心",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        capacity=capacity,
        supervisor=supervisor,
    )


def make_signup(shift, person, *, status=ShiftSignup.Status.SIGNED_UP, **fields):
    return ShiftSignup.objects.create(
        shift=shift, person=person, status=status, queued_at=timezone.now(), **fields
    )


def assign(trainee, supervisor, *, kind=SupervisionKind.PRACTICE, by=None, days_ago=30):
    return SupervisorAssignment.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        kind=kind,
        starts_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        created_by=by or supervisor,
    )


def make_case(practitioner, *, unit=None, consent=True, observation=True, **fields):
    """A case held by ``practitioner``, with a consent covering observation
    unless told otherwise."""
    case = Case.objects.create(
        unit=unit or practitioner.home_unit,
        practitioner=practitioner,
        presenting_issue=fields.pop("presenting_issue", "工作压力"),
        opened_on=fields.pop(
            "opened_on", timezone.localdate() - datetime.timedelta(days=10)
        ),
        created_by=practitioner,
        **fields,
    )
    if consent:
        make_consent(case, observation=observation)
    return case


def make_consent(
    case, *, observation=True, recording=False, discussion=True, withdrawn_on=None
):
    consent = Consent(
        case=case,
        signed_on=case.opened_on,
        covers_observation=observation,
        covers_recording=recording,
        covers_discussion=discussion,
        recorded_by=case.practitioner,
        withdrawn_on=withdrawn_on,
    )
    consent.form.save("consent.pdf", ContentFile(PDF_BYTES), save=False)
    consent.save()
    return consent


def make_technique(name="空椅子技术"):
    return Technique.objects.get_or_create(name=name)[0]


def make_entry(
    person,
    *,
    kind=PracticeEntry.Kind.HOTLINE,
    status=PracticeEntry.Status.DRAFT,
    minutes=60,
    **fields,
):
    """An entry of ``person``; approved ones get an approver (the database
    insists), ``fields['approved_by']`` or a placeholder supervisor."""
    if status == PracticeEntry.Status.APPROVED and "approved_by" not in fields:
        raise ValueError("an approved entry needs approved_by=")
    if status in PracticeEntry.PENDING | {PracticeEntry.Status.APPROVED}:
        fields.setdefault("submitted_at", timezone.now())
    return PracticeEntry.objects.create(
        person=person,
        unit=fields.pop("unit", person.home_unit),
        kind=kind,
        status=status,
        minutes=minutes,
        occurred_on=fields.pop("occurred_on", timezone.localdate()),
        reflection=fields.pop("reflection", "体会"),
        **fields,
    )


def pair(mentor, mentee, *, by=None, days_ago=40):
    return Pairing.objects.create(
        mentor=mentor,
        mentee=mentee,
        unit=mentee.home_unit,
        starts_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        created_by=by or mentor,
    )
