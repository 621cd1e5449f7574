"""Certificate services: issue on an approved enrolment, the PDF,
revocation, the reminders before expiry and renewal."""

import datetime
import io
import types
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from lms.core.models import AuditEvent, Notice
from supervision.models import Certificate, CertificateTransition, Enrolment
from supervision.services import certificates as svc
from tests.factories.certificates import make_certificate, make_enrolment, make_track


def today():
    return timezone.localdate()


# --- issue --------------------------------------------------------------------


def test_issue_on_an_approved_enrolment_sets_expiry_unit_history_and_audit(
    org, django_capture_on_commit_callbacks
):
    # given an approved enrolment in a track valid for 24 months
    track = make_track(org.east, validity_months=24)
    enrolment = make_enrolment(org.trainee, track)
    # when a coordinator over the trainee issues the certificate
    with django_capture_on_commit_callbacks() as callbacks:
        certificate = svc.certificate_issue(actor=org.coordinator, enrolment=enrolment)
    # then it names the holder's unit and runs 24 calendar months
    assert certificate.unit == org.east_room
    assert certificate.issued_on == today()
    assert certificate.expires_on == svc.add_months(today(), 24)
    assert certificate.version == enrolment.version
    assert certificate.status == Certificate.Status.ISSUED
    step = CertificateTransition.objects.get(certificate=certificate)
    assert (step.from_status, step.to_status, step.actor) == (
        "",
        "issued",
        org.coordinator,
    )
    assert AuditEvent.objects.filter(
        object_id=str(certificate.pk), actor=org.coordinator
    ).exists()
    assert Notice.objects.filter(person=org.trainee).count() == 1
    # and the PDF task waits for the commit
    assert len(callbacks) >= 1
    assert not certificate.pdf


def test_a_track_without_validity_issues_a_certificate_that_never_expires(org):
    enrolment = make_enrolment(org.trainee, make_track(org.east, validity_months=None))
    certificate = svc.certificate_issue(actor=org.coordinator, enrolment=enrolment)
    assert certificate.expires_on is None


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2026, 3, 15), 36, datetime.date(2029, 3, 15)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
        (datetime.date(2026, 12, 1), 12, datetime.date(2027, 12, 1)),
    ],
)
def test_expiry_counts_calendar_months(day, months, expected):
    assert svc.add_months(day, months) == expected


@pytest.mark.parametrize(
    "status",
    [Enrolment.Status.ENROLLED, Enrolment.Status.APPLIED, Enrolment.Status.DECLINED],
)
def test_no_certificate_before_the_enrolment_is_approved(org, status):
    enrolment = make_enrolment(org.trainee, status=status)
    with pytest.raises(ValidationError):
        svc.certificate_issue(actor=org.coordinator, enrolment=enrolment)
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("who", ["sibling", "leader", "supervisor", "trainee"])
def test_only_a_coordinator_over_the_trainee_issues(org, who):
    enrolment = make_enrolment(org.trainee)
    with pytest.raises(PermissionDenied):
        svc.certificate_issue(actor=getattr(org, who), enrolment=enrolment)
    assert not Certificate.objects.exists()


def test_a_second_issue_on_the_same_enrolment_is_refused(org):
    enrolment = make_enrolment(org.trainee)
    svc.certificate_issue(actor=org.coordinator, enrolment=enrolment)
    with pytest.raises(ValidationError):
        svc.certificate_issue(actor=org.coordinator, enrolment=enrolment)
    assert Certificate.objects.count() == 1


def test_issue_queues_the_pdf_which_then_exists(org, eager_celery):
    # given the task runs in process once the transaction commits
    enrolment = make_enrolment(org.trainee)
    # when the certificate is issued (the test's transaction never commits,
    # so the task is run by hand as on_commit would)
    certificate = svc.certificate_issue(actor=org.coordinator, enrolment=enrolment)
    from supervision.tasks import certificate_pdf_task

    certificate_pdf_task.delay(certificate_id=certificate.pk)
    # then the stored PDF names the holder and the track
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as handle:
        text = PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
    assert org.trainee.full_name in text
    assert certificate.track.name in text
    assert certificate.serial in text


# --- the PDF ------------------------------------------------------------------


def test_making_the_pdf_twice_keeps_one_file(org):
    certificate = make_certificate(org.trainee)
    first = svc.certificate_pdf_make(certificate_id=certificate.pk)
    name = first.pdf.name
    second = svc.certificate_pdf_make(certificate_id=certificate.pk)
    assert second.pdf.name == name == f"certificates/{certificate.serial}.pdf"
    storage = first.pdf.storage
    _dirs, files = storage.listdir("certificates")
    assert [f for f in files if f.startswith(certificate.serial)] == [
        f"{certificate.serial}.pdf"
    ]


def test_a_lost_pdf_file_is_made_again_under_the_same_name(org):
    certificate = svc.certificate_pdf_make(
        certificate_id=make_certificate(org.trainee).pk
    )
    certificate.pdf.storage.delete(certificate.pdf.name)
    again = svc.certificate_pdf_make(certificate_id=certificate.pk)
    assert again.pdf.name == certificate.pdf.name
    assert again.pdf.storage.exists(again.pdf.name)


def test_the_pdf_of_a_deleted_certificate_is_nothing(db):
    assert svc.certificate_pdf_make(certificate_id=999_999) is None


# --- revoke -------------------------------------------------------------------


def test_a_coordinator_over_the_unit_revokes_with_a_reason(org):
    certificate = make_certificate(org.trainee)
    svc.certificate_revoke(
        actor=org.coordinator, certificate=certificate, reason="  伪造督导记录  "
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.standing() == "revoked"
    step = certificate.transitions.get()
    assert (step.from_status, step.to_status, step.comment) == (
        "issued",
        "revoked",
        "伪造督导记录",
    )
    audit = AuditEvent.objects.get(object_id=str(certificate.pk))
    assert "伪造督导记录" in audit.detail
    assert Notice.objects.filter(person=org.trainee, text__contains="伪造").exists()


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * (svc.MAX_REASON + 1)])
def test_revocation_without_a_sound_reason_is_refused_and_changes_nothing(org, reason):
    certificate = make_certificate(org.trainee)
    with pytest.raises(ValidationError) as refused:
        svc.certificate_revoke(
            actor=org.coordinator, certificate=certificate, reason=reason
        )
    assert "reason" in refused.value.message_dict
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert not certificate.transitions.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["sibling", "leader", "city_leader", "trainee"])
def test_only_a_coordinator_over_the_certificates_unit_revokes(org, who):
    certificate = make_certificate(org.trainee)
    with pytest.raises(PermissionDenied):
        svc.certificate_revoke(
            actor=getattr(org, who), certificate=certificate, reason="理由"
        )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED


def test_a_revoked_certificate_cannot_be_revoked_again(org):
    certificate = make_certificate(org.trainee, status=Certificate.Status.REVOKED)
    with pytest.raises(ValidationError):
        svc.certificate_revoke(
            actor=org.coordinator, certificate=certificate, reason="again"
        )


# --- reminders ----------------------------------------------------------------


def reminders_of(person) -> list[str]:
    """The person's notices (certificates made by the factory send none,
    so these are the reminders)."""
    return list(Notice.objects.filter(person=person).values_list("text", flat=True))


def test_reminders_go_60_and_14_days_before_expiry_once_each(org):
    # given a certificate that expires in 60 days
    start = today()
    certificate = make_certificate(
        org.trainee,
        issued_on=start - datetime.timedelta(days=400),
        expires_on=start + datetime.timedelta(days=60),
    )
    # when beat runs twice on day 0, then every day to the expiry
    assert svc.certificate_reminders_send(today=start) == 1
    assert svc.certificate_reminders_send(today=start) == 0
    sent = [
        svc.certificate_reminders_send(today=start + datetime.timedelta(days=day))
        for day in range(1, 70)
    ]
    # then the 14-day reminder went once, on day 46, and nothing else
    assert sum(sent) == 1
    assert sent.index(1) + 1 == 46
    certificate.refresh_from_db()
    assert certificate.reminded_60_at and certificate.reminded_14_at
    assert len(reminders_of(org.trainee)) == 2


def test_a_reminder_already_claimed_elsewhere_is_not_sent_again(org):
    # given another beat process claimed the 60-day reminder
    certificate = make_certificate(
        org.trainee,
        issued_on=today() - datetime.timedelta(days=400),
        expires_on=today() + datetime.timedelta(days=30),
    )
    Certificate.objects.filter(pk=certificate.pk).update(reminded_60_at=timezone.now())
    # when this one runs
    assert svc.certificate_reminders_send() == 0
    assert reminders_of(org.trainee) == []


def test_reminders_skip_revoked_renewed_and_non_expiring_certificates(org):
    soon = today() + datetime.timedelta(days=10)
    old = today() - datetime.timedelta(days=400)
    make_certificate(org.trainee, expires_on=None)
    make_certificate(
        org.west_trainee,
        issued_on=old,
        expires_on=soon,
        status=Certificate.Status.REVOKED,
    )
    renewed = make_certificate(org.supervisor, issued_on=old, expires_on=soon)
    make_certificate(org.supervisor, renews=renewed)
    assert svc.certificate_reminders_send() == 0


def test_a_certificate_already_within_14_days_gets_only_the_14_day_reminder(org):
    make_certificate(
        org.trainee,
        issued_on=today() - datetime.timedelta(days=400),
        expires_on=today() + datetime.timedelta(days=5),
    )
    assert svc.certificate_reminders_send() == 1
    assert svc.certificate_reminders_send() == 0
    assert len(reminders_of(org.trainee)) == 1
    assert "5" in reminders_of(org.trainee)[0]


# --- renewal ------------------------------------------------------------------


@pytest.fixture
def evaluation(monkeypatch):
    """The evaluation the renewal service reads, answering what the test
    sets in ``.results``."""
    from supervision.services import certificates as module

    calls = []
    state = types.SimpleNamespace(results=[], calls=calls)

    def evaluate(person, version, *, today=None, renewal=False):
        calls.append((person, version, renewal))
        return state.results

    monkeypatch.setattr(module, "evaluate", evaluate)
    return state


def result(met: bool, missing: str = ""):
    return types.SimpleNamespace(
        met=met, missing=missing, have=Decimal(1), need=Decimal(2)
    )


def test_renewal_when_the_renewal_requirements_are_met(org, evaluation):
    # given a certificate expiring in 30 days and met renewal requirements
    old = make_certificate(
        org.trainee,
        issued_on=today() - datetime.timedelta(days=1000),
        expires_on=today() + datetime.timedelta(days=30),
    )
    evaluation.results = [result(True)]
    # when a coordinator renews it
    new = svc.certificate_renew(actor=org.coordinator, certificate=old)
    # then a new certificate renews the old, running on from the old expiry
    assert new.renews == old
    assert new.serial != old.serial
    assert new.issued_on == today()
    assert new.expires_on == svc.add_months(old.expires_on, 36)
    assert evaluation.calls == [(org.trainee, old.enrolment.version, True)]


def test_renewal_with_requirements_missing_is_refused_with_what_is_missing(
    org, evaluation
):
    old = make_certificate(
        org.trainee,
        issued_on=today() - datetime.timedelta(days=1000),
        expires_on=today() - datetime.timedelta(days=3),
    )
    evaluation.results = [result(True), result(False, "还需 16 小时伦理培训。")]
    with pytest.raises(ValidationError) as refused:
        svc.certificate_renew(actor=org.coordinator, certificate=old)
    assert "还需 16 小时伦理培训。" in refused.value.messages
    assert Certificate.objects.count() == 1


def test_a_revoked_or_renewed_certificate_is_not_renewed(org, evaluation):
    evaluation.results = [result(True)]
    revoked = make_certificate(org.trainee, status=Certificate.Status.REVOKED)
    with pytest.raises(ValidationError):
        svc.certificate_renew(actor=org.coordinator, certificate=revoked)
    old = make_certificate(org.supervisor)
    svc.certificate_renew(actor=org.coordinator, certificate=old)
    with pytest.raises(ValidationError):
        svc.certificate_renew(actor=org.coordinator, certificate=old)


def test_only_a_coordinator_over_the_holder_renews(org, evaluation):
    evaluation.results = [result(True)]
    old = make_certificate(org.trainee)
    for who in ("sibling", "leader", "trainee"):
        with pytest.raises(PermissionDenied):
            svc.certificate_renew(actor=getattr(org, who), certificate=old)
    assert Certificate.objects.count() == 1
