"""Certificate pages under /practice/certificates/: the register of a
subtree (filters, CSV and XLSX), one certificate with its history, its
PDF, and revoking or renewing it.

The holder and the coordinators and leaders over the certificate's unit
see a certificate; anyone else gets 404.  The public check is
``supervision.views.verify``.
"""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook
from openpyxl.styles import Font

from lms.core.downloads import private_download
from lms.core.models import AuditAction
from lms.core.permissions import can_manage_person
from lms.core.services.audit import audit_record
from lms.core.spreadsheets import safe_cell

from ..forms.cases import add_service_error
from ..forms.certificates import RegisterFilterForm, RevokeForm
from ..models import Track
from ..permissions import can_revoke_certificate, can_see_register
from ..selectors import certificates as selectors
from ..services import certificates as services

PAGE_SIZE = 100


def _standing_label(value: str) -> str:
    return {
        "valid": _("Valid"),
        "expired": _("Expired"),
        "revoked": _("Revoked"),
    }[value]


def _register_rows(request, form):
    rows = selectors.certificates_in_register(user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    track = filters.get("track")
    return selectors.certificates_filtered(
        rows,
        track_id=track.pk if track else None,
        standing=filters.get("status") or "",
        unit=filters.get("unit"),
        expiring_within=filters.get("expiring_within"),
    ).order_by("unit__path", "holder__full_name", "-issued_on", "-id")


@login_required
@require_safe
def certificate_register(request):
    """Certificates of my subtree, filtered by track, status, unit and
    "expiring within N days"; ``?format=csv`` or ``xlsx`` downloads the
    same rows (audited)."""
    if not can_see_register(request.user):
        raise PermissionDenied
    in_scope = selectors.certificates_in_register(user=request.user)
    tracks = Track.objects.filter(pk__in=in_scope.values("track")).order_by("name")
    form = RegisterFilterForm(request.GET or None, user=request.user, tracks=tracks)
    rows = _register_rows(request, form)
    today = timezone.localdate()
    export = request.GET.get("format")
    if export in ("csv", "xlsx") and not form.errors:
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            request=request,
            detail=f"certificate register ({export}): {request.GET.urlencode()}"[:500],
        )
        return (_csv if export == "csv" else _xlsx)(list(rows), today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for certificate in page:
        certificate.standing_now = certificate.standing(today)
        certificate.standing_label = _standing_label(certificate.standing_now)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "supervision/certificates/register.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )


def _header() -> list[str]:
    return [
        _("Serial"),
        _("Holder"),
        _("Username"),
        _("Track"),
        _("Version"),
        _("Unit"),
        _("Issued on"),
        _("Valid until"),
        _("Status"),
    ]


def _values(certificate, today) -> list:
    return [
        certificate.serial,
        certificate.holder.get_full_name(),
        certificate.holder.username,
        certificate.track.name,
        certificate.version.number,
        certificate.unit.name,
        certificate.issued_on,
        certificate.expires_on,
        _standing_label(certificate.standing(today)),
    ]


def _filename(ext: str, today) -> str:
    return f'attachment; filename="certificates-{today:%Y%m%d}.{ext}"'


def _csv(rows, *, today) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(v) for v in _header()])
    for certificate in rows:
        values = _values(certificate, today)
        writer.writerow([safe_cell("" if v is None else v) for v in values])
    response = HttpResponse(
        "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = _filename("csv", today)
    return response


def _xlsx(rows, *, today) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Certificates")[:31]
    sheet.append([safe_cell(v) for v in _header()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for certificate in rows:
        sheet.append([safe_cell(v) for v in _values(certificate, today)])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = _filename("xlsx", today)
    return response


def _detail_page(request, certificate, *, revoke_form=None, status=200):
    user = request.user
    can_revoke = (
        certificate.status == certificate.Status.ISSUED
        and can_revoke_certificate(user, certificate)
    )
    return render(
        request,
        "supervision/certificates/detail.html",
        {
            "certificate": certificate,
            "standing": certificate.standing(),
            "history": certificate.transitions.select_related("actor"),
            "renewals": certificate.renewals.all(),
            "can_revoke": can_revoke,
            "can_renew": (
                certificate.status == certificate.Status.ISSUED
                and certificate.expires_on is not None
                and can_manage_person(user, certificate.holder)
            ),
            "revoke_form": revoke_form or (RevokeForm() if can_revoke else None),
            "verify_url": services.verify_url(certificate),
        },
        status=status,
    )


@login_required
@require_safe
def certificate_detail(request, pk: int):
    """One certificate: the holder, track, unit, dates, standing and
    history; the PDF when made ("being prepared" until then)."""
    certificate = selectors.certificate_get_for(user=request.user, pk=pk)
    return _detail_page(request, certificate)


@login_required
@require_safe
def certificate_pdf(request, pk: int):
    """The PDF, for those who see the certificate; 404 until it is made."""
    certificate = selectors.certificate_get_for(user=request.user, pk=pk)
    return private_download(
        certificate.pdf, filename=f"certificate-{certificate.serial}"
    )


@login_required
@require_POST
def certificate_revoke(request, pk: int):
    """Revoke with a reason (coordinators over the certificate's unit)."""
    certificate = selectors.certificate_get_for(user=request.user, pk=pk)
    if not can_revoke_certificate(request.user, certificate):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_revoke(
                actor=request.user,
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The certificate was revoked."))
            return redirect("supervision:certificate_detail", pk=certificate.pk)
    return _detail_page(request, certificate, revoke_form=form, status=400)


@login_required
@require_POST
def certificate_renew(request, pk: int):
    """Renew once the renewal requirements are met (coordinators over the
    holder); what is missing is shown otherwise."""
    certificate = selectors.certificate_get_for(user=request.user, pk=pk)
    if not can_manage_person(request.user, certificate.holder):
        raise PermissionDenied
    try:
        renewal = services.certificate_renew(
            actor=request.user, certificate=certificate, request=request
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("supervision:certificate_detail", pk=certificate.pk)
    messages.success(request, _("The certificate was renewed."))
    return redirect("supervision:certificate_detail", pk=renewal.pk)


urlpatterns = [
    path("certificates/", certificate_register, name="certificate_register"),
    path("certificates/<int:pk>/", certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/pdf/", certificate_pdf, name="certificate_pdf"),
    path(
        "certificates/<int:pk>/revoke/", certificate_revoke, name="certificate_revoke"
    ),
    path("certificates/<int:pk>/renew/", certificate_renew, name="certificate_renew"),
]
