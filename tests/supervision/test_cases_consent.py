"""Informed consent: recording with the signed form (checked by its bytes),
withdrawal, the audit of both, and ``observation_consent_on``."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lms.core.models import AuditAction, AuditEvent
from supervision.models import Consent
from supervision.selectors.cases import observation_consent_on
from supervision.services import cases as services
from supervision.services.cases_files import MAX_FORM_BYTES
from tests.factories.cases import EXE_BYTES, JPEG_BYTES, PNG_BYTES, days_ago, upload
from tests.factories.supervision import PDF_BYTES, make_case, make_consent

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def record(org, case, form, **overrides):
    fields = {
        "actor": org.trainee,
        "case": case,
        "signed_on": days_ago(1),
        "covers_observation": True,
        "covers_recording": False,
        "covers_discussion": True,
        "form": form,
    }
    return services.consent_record(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("content", "extension"),
    [(PDF_BYTES, "pdf"), (PNG_BYTES, "png"), (JPEG_BYTES, "jpg")],
)
def test_a_consent_is_recorded_with_its_signed_form(org, media, content, extension):
    # given a case without consent
    case = make_case(org.trainee, consent=False)
    # when the practitioner records one, whatever the file is called
    consent = record(org, case, upload(content, name="扫描件.dat"))
    # then the form is stored under a random name with the right extension
    assert consent.form.name.startswith(f"consent/{case.pk}/")
    assert consent.form.name.endswith(f".{extension}")
    assert "扫描件" not in consent.form.name
    assert consent.form.read() == content
    assert AuditEvent.objects.filter(
        action=AuditAction.CONSENT_CHANGE, object_id=str(consent.pk)
    ).exists()


def test_a_hostile_file_name_leaves_no_trace(org, media):
    case = make_case(org.trainee, consent=False)
    consent = record(
        org, case, upload(name="../../../etc/<script>alert(1)</script>.pdf")
    )
    name = consent.form.name
    assert ".." not in name and "<" not in name and "script" not in name
    assert (media / name).resolve().is_relative_to(media.resolve())


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"just some text, not a PDF at all", "consent.pdf", "application/pdf"),
        (EXE_BYTES, "consent.pdf", "application/pdf"),
        (EXE_BYTES, "setup.exe", "application/x-msdownload"),
        (b"<html><script>alert(1)</script></html>", "form.png", "image/png"),
        (b"", "consent.pdf", "application/pdf"),
        (b"%PDF-" + b"0" * MAX_FORM_BYTES, "big.pdf", "application/pdf"),
    ],
    ids=["text-named-pdf", "exe-named-pdf", "exe", "html-named-png", "empty", "huge"],
)
def test_a_wrong_empty_or_huge_form_is_refused_and_nothing_is_left(
    org, media, content, name, content_type
):
    case = make_case(org.trainee, consent=False)
    with pytest.raises(ValidationError) as refused:
        record(org, case, upload(content, name=name, content_type=content_type))
    assert "form" in refused.value.error_dict
    assert not Consent.objects.exists()
    assert stored_files(media) == []
    assert not AuditEvent.objects.filter(action=AuditAction.CONSENT_CHANGE).exists()


def test_a_consent_must_cover_something_and_not_be_signed_in_the_future(org, media):
    case = make_case(org.trainee, consent=False)
    with pytest.raises(ValidationError):
        record(org, case, upload(), covers_observation=False, covers_discussion=False)
    with pytest.raises(ValidationError):
        record(org, case, upload(), signed_on=TODAY() + datetime.timedelta(days=1))
    assert not Consent.objects.exists()
    assert stored_files(media) == []


def test_only_the_practitioner_and_supervisors_record_consent(org, media):
    case = make_case(org.trainee, consent=False)
    for actor in (org.coordinator, org.leader, org.west_trainee, org.supervisor):
        with pytest.raises(PermissionDenied):
            record(org, case, upload(), actor=actor)
    assert stored_files(media) == []


def test_a_consent_is_withdrawn_with_a_date_and_note(org):
    # given a standing consent
    case = make_case(org.trainee)
    consent = case.consents.get()
    # when the client withdraws it
    services.consent_withdraw(
        actor=org.trainee, consent=consent, withdrawn_on=TODAY(), note="来访者撤回"
    )
    # then it is withdrawn, audited, and no longer lets anyone observe
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY()
    assert consent.withdrawn_by == org.trainee
    assert consent.withdrawal_note == "来访者撤回"
    assert AuditEvent.objects.filter(
        action=AuditAction.CONSENT_CHANGE, object_id=str(consent.pk)
    ).exists()
    assert observation_consent_on(case=case, on=days_ago(5)) is None


def test_a_withdrawal_is_refused_twice_early_in_the_future_or_with_a_phone(org):
    case = make_case(org.trainee)
    consent = case.consents.get()  # signed ten days ago
    for day, note in [
        (days_ago(11), ""),
        (TODAY() + datetime.timedelta(days=1), ""),
        (TODAY(), "电话 13812345678"),
        (TODAY(), "字" * 301),
    ]:
        with pytest.raises(ValidationError):
            services.consent_withdraw(
                actor=org.trainee, consent=consent, withdrawn_on=day, note=note
            )
    services.consent_withdraw(actor=org.trainee, consent=consent, withdrawn_on=TODAY())
    with pytest.raises(ValidationError):
        services.consent_withdraw(
            actor=org.trainee, consent=consent, withdrawn_on=TODAY()
        )


def test_a_consent_can_be_withdrawn_after_the_case_closed(org):
    case = make_case(org.trainee)
    services.case_close(actor=org.trainee, case=case, closed_on=TODAY())
    consent = services.consent_withdraw(
        actor=org.trainee, consent=case.consents.get(), withdrawn_on=TODAY()
    )
    assert consent.withdrawn_on == TODAY()


def test_a_coordinator_cannot_withdraw_a_consent(org):
    case = make_case(org.trainee)
    with pytest.raises(PermissionDenied):
        services.consent_withdraw(
            actor=org.coordinator, consent=case.consents.get(), withdrawn_on=TODAY()
        )


def test_observation_needs_a_consent_covering_it_signed_by_that_day(org):
    # given a case opened ten days ago with a consent signed then
    case = make_case(org.trainee)
    consent = case.consents.get()
    # then an observation that day or later is covered, one before is not
    assert observation_consent_on(case=case, on=case.opened_on) == consent
    assert observation_consent_on(case=case, on=TODAY()) == consent
    assert observation_consent_on(case=case, on=days_ago(11)) is None


def test_a_consent_signed_after_the_observation_does_not_cover_it(org):
    case = make_case(org.trainee, consent=False)
    later = make_consent(case)
    later.signed_on = days_ago(2)
    later.save()
    assert observation_consent_on(case=case, on=days_ago(3)) is None
    assert observation_consent_on(case=case, on=days_ago(2)) == later


def test_a_consent_not_covering_observation_does_not_let_a_trainee_observe(org):
    case = make_case(org.trainee, observation=False)
    assert observation_consent_on(case=case, on=TODAY()) is None


def test_a_withdrawn_consent_blocks_observation_but_another_standing_one_counts(org):
    # given two consents, the newer one withdrawn
    case = make_case(org.trainee)
    older = case.consents.get()
    newer = make_consent(case)
    services.consent_withdraw(actor=org.trainee, consent=newer, withdrawn_on=TODAY())
    # then the older one still covers observation
    assert observation_consent_on(case=case, on=TODAY()) == older
    # and once it is withdrawn too, nothing does, whatever the date
    services.consent_withdraw(actor=org.trainee, consent=older, withdrawn_on=TODAY())
    assert observation_consent_on(case=case, on=days_ago(5)) is None
    assert observation_consent_on(case=case, on=TODAY()) is None
