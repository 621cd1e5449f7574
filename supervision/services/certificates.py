"""Writes on certificates: issue (on an approved enrolment), make the PDF,
revoke, remind before expiry, renew.

A certificate is issued in the approving coordinator's transaction; its
PDF is made after commit by a Celery task into the private storage.  The
public check (``supervision.views.verify``) reads ``Certificate.standing``.
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.models import AuditAction, User
from lms.core.permissions import can_manage_person
from lms.core.services.audit import audit_record
from lms.core.services.notices import notice_send
from lms.core.status import status_change, status_record

from ..certificate_pdf import certificate_pdf
from ..models import Certificate, Enrolment
from ..permissions import can_revoke_certificate
from ..selectors.certification import evaluate

#: Days before expiry a reminder goes out, each once per certificate, with
#: the field that records it was claimed.
REMINDERS = ((60, "reminded_60_at"), (14, "reminded_14_at"))
MAX_REASON = 2000


def _today() -> datetime.date:
    return timezone.localdate()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus calendar months, on the month's last day when it is
    shorter (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def verify_url(certificate: Certificate) -> str:
    """The public verification page of ``certificate``, absolute (the QR
    code and the notices carry it)."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return base + reverse("verify:page", args=[certificate.serial])


def _detail_url(certificate: Certificate) -> str:
    return reverse("supervision:certificate_detail", args=[certificate.pk])


def _create(
    *,
    actor: User,
    enrolment: Enrolment,
    expiry_from: datetime.date,
    renews: Certificate | None,
    request: HttpRequest | None,
) -> Certificate:
    holder = enrolment.person
    if holder.home_unit_id is None:
        raise ValidationError(
            _("%(name)s belongs to no unit, so no certificate can name one.")
            % {"name": holder}
        )
    today = _today()
    months = enrolment.track.validity_months
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        holder=holder,
        track=enrolment.track,
        version=enrolment.version,
        unit_id=holder.home_unit_id,
        issued_on=today,
        expires_on=add_months(expiry_from, months) if months else None,
        renews=renews,
    )
    comment = _("Renewed.") if renews else _("Issued on approval.")
    status_record(certificate, actor=actor, comment=comment)
    what = f"renewal of {renews.serial}" if renews else "issued"
    audit_record(
        actor=actor,
        action=AuditAction.CERTIFICATE,
        obj=certificate,
        request=request,
        detail=f"certificate {what}: {enrolment.track} v{enrolment.version.number}"
        f" for {holder}",
    )
    notice_send(
        person=holder,
        text=_("Your certificate for %(track)s was issued.")
        % {"track": enrolment.track},
        url=_detail_url(certificate),
    )
    from ..tasks import certificate_pdf_task

    certificate_pdf_task.delay_on_commit(certificate_id=certificate.pk)
    return certificate


def certificate_issue(
    *, actor: User, enrolment: Enrolment, request: HttpRequest | None = None
) -> Certificate:
    """Issue the certificate of an approved enrolment.

    Called by the coordinator's approval (``enrolment_decide``) inside its
    transaction, once the enrolment is approved.  A coordinator over the
    trainee only; refused when the enrolment already has a certificate in
    force.  Expiry is the track's validity in calendar months from today;
    the unit is the holder's home unit.  Writes the first history row and
    an audit row, tells the holder, and queues the PDF after commit.
    """
    if not can_manage_person(actor, enrolment.person):
        raise PermissionDenied(
            _("Only a coordinator over the trainee can issue their certificate.")
        )
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("person", "track", "version")
            .get(pk=enrolment.pk)
        )
        if enrolment.status != Enrolment.Status.APPROVED:
            raise ValidationError(
                _("A certificate is issued only on an approved application.")
            )
        in_force = enrolment.certificates.filter(status=Certificate.Status.ISSUED)
        if in_force.exclude(expires_on__lt=_today()).exists():
            raise ValidationError(
                _("This enrolment already has a certificate in force.")
            )
        return _create(
            actor=actor,
            enrolment=enrolment,
            expiry_from=_today(),
            renews=None,
            request=request,
        )


def certificate_pdf_make(*, certificate_id: int) -> Certificate | None:
    """Render the certificate's PDF into the private storage and set
    ``pdf``.  Idempotent: a certificate whose PDF exists is left alone;
    the file name is the serial, so a second run replaces rather than
    adds.  ``None`` for a certificate that no longer exists."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("holder", "track", "version", "unit")
            .filter(pk=certificate_id)
            .first()
        )
        if certificate is None:
            return None
        if certificate.pdf and certificate.pdf.storage.exists(certificate.pdf.name):
            return certificate
        content = certificate_pdf(
            holder_name=certificate.holder.get_full_name(),
            track_name=certificate.track.name,
            version_number=certificate.version.number,
            unit_name=certificate.unit.name,
            issued_on=certificate.issued_on,
            expires_on=certificate.expires_on,
            serial=certificate.serial,
            verify_url=verify_url(certificate),
        )
        field = certificate.pdf
        name = field.field.generate_filename(certificate, f"{certificate.serial}.pdf")
        if field.storage.exists(name):
            field.storage.delete(name)
        field.save(name.rsplit("/", 1)[-1], ContentFile(content), save=False)
        certificate.save(update_fields=["pdf"])
        return certificate


def certificate_revoke(
    *,
    actor: User,
    certificate: Certificate,
    reason: str,
    request: HttpRequest | None = None,
) -> Certificate:
    """Revoke a certificate, with a reason (required).  Coordinators over
    the certificate's unit only.  The public check says "revoked" from
    then on; audited; the holder is told."""
    if not can_revoke_certificate(actor, certificate):
        raise PermissionDenied(
            _("Only a coordinator over the certificate's unit can revoke it.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the revocation.")})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {
                "reason": _("Keep the reason under %(max)d characters.")
                % {"max": MAX_REASON}
            }
        )
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("holder", "track")
            .get(pk=certificate.pk)
        )
        status_change(
            certificate, to=Certificate.Status.REVOKED, actor=actor, comment=reason
        )
        audit_record(
            actor=actor,
            action=AuditAction.CERTIFICATE,
            obj=certificate,
            request=request,
            detail=f"certificate revoked: {reason}",
        )
        notice_send(
            person=certificate.holder,
            text=_("Your certificate for %(track)s was revoked: %(reason)s")
            % {"track": certificate.track, "reason": reason},
            url=_detail_url(certificate),
        )
        # A tier that needs this certificate flags its holder for review now,
        # not at the night's run (imported here: pool imports certification).
        from .pool import pool_flag_holder

        pool_flag_holder(person=certificate.holder)
    return certificate


def _reminder_text(certificate: Certificate, days: int) -> str:
    return _(
        "Your certificate for %(track)s expires on %(date)s, in %(days)d days. "
        "Ask your coordinator about renewing it."
    ) % {
        "track": certificate.track,
        "date": f"{certificate.expires_on:%Y-%m-%d}",
        "days": days,
    }


def certificate_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind holders 60 and 14 days before their certificate expires;
    returns how many reminders went out.

    Each reminder goes once per certificate, however often or however
    concurrently this runs: a conditional UPDATE claims it (the field
    still empty), and the notice is written in the claim's transaction.
    A certificate within 14 days gets only the 14-day reminder; revoked
    certificates and those already renewed get none.
    """
    today = today or _today()
    sent = 0
    lower = 0
    for days, field in sorted(REMINDERS, key=lambda pair: pair[0]):
        due = (
            Certificate.objects.filter(
                status=Certificate.Status.ISSUED,
                expires_on__gt=today + datetime.timedelta(days=lower),
                expires_on__lte=today + datetime.timedelta(days=days),
                **{f"{field}__isnull": True},
            )
            .exclude(renewals__status=Certificate.Status.ISSUED)
            .select_related("holder", "track")
        )
        for certificate in due:
            with transaction.atomic():
                claimed = Certificate.objects.filter(
                    pk=certificate.pk, **{f"{field}__isnull": True}
                ).update(**{field: timezone.now()})
                if claimed:
                    notice_send(
                        person=certificate.holder,
                        text=_reminder_text(
                            certificate, (certificate.expires_on - today).days
                        ),
                        url=_detail_url(certificate),
                    )
                    sent += 1
        lower = days
    return sent


def _unmet_renewal(certificate: Certificate, version) -> list[str]:
    results = evaluate(certificate.holder, version, renewal=True)
    return [result.missing for result in results if not result.met]


def certificate_renew(
    *, actor: User, certificate: Certificate, request: HttpRequest | None = None
) -> Certificate:
    """Issue a new certificate renewing ``certificate``, once the holder
    meets the track's renewal requirements (those marked "also required to
    renew", evaluated against the enrolment's version).

    A coordinator over the holder only.  The old certificate must be in
    force or expired, not revoked, expire at all, and not be renewed
    already.  The new validity runs from the old expiry when renewed
    early (nobody loses the days left), else from today.
    """
    if not can_manage_person(actor, certificate.holder):
        raise PermissionDenied(
            _("Only a coordinator over the holder can renew their certificate.")
        )
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("holder", "enrolment__track", "enrolment__version")
            .get(pk=certificate.pk)
        )
        if certificate.status != Certificate.Status.ISSUED:
            raise ValidationError(_("A revoked certificate cannot be renewed."))
        if certificate.expires_on is None:
            raise ValidationError(
                _("This certificate does not expire, so it needs no renewal.")
            )
        if certificate.renewals.filter(status=Certificate.Status.ISSUED).exists():
            raise ValidationError(_("This certificate has been renewed already."))
        enrolment = certificate.enrolment
        missing = _unmet_renewal(certificate, enrolment.version)
        if missing:
            raise ValidationError(
                [_("The renewal requirements are not met yet."), *missing]
            )
        return _create(
            actor=actor,
            enrolment=enrolment,
            expiry_from=max(_today(), certificate.expires_on),
            renews=certificate,
            request=request,
        )
