"""External qualifications under /practice/qualifications/: my own and
the upload form, the document (the holder and coordinators over them),
and the coordinators' queue with the decision.  Qualifications are
fetched through ``selectors.qualifications.qualification_get_for``, so an
outsider gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from lms.core.decorators import role_required
from lms.core.downloads import private_download
from lms.core.models import Role

from ..forms.qualifications import DecideForm, UploadForm
from ..models import Qualification
from ..permissions import can_decide_qualification
from ..selectors import qualifications as selectors
from ..services.qualifications import qualification_decide, qualification_upload

#: Verified qualifications shown on the queue, for a later revocation.
RECENT_VERIFIED = 50


def _errors_on(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _with_reasons(rows) -> list[Qualification]:
    """Each row with ``reason``: the comment of its last step (prefetched)."""
    rows = list(rows)
    for row in rows:
        steps = list(row.transitions.all())
        row.reason = steps[-1].comment if steps else ""
    return rows


def _list_page(request, form=None, status=200):
    user = request.user
    return render(
        request,
        "supervision/qualifications/list.html",
        {
            "form": form or UploadForm(),
            "mine": _with_reasons(selectors.qualifications_of(person=user)),
            "can_upload": user.home_unit_id is not None,
            "is_coordinator": user.has_role(Role.COORDINATOR),
        },
        status=status,
    )


@never_cache
@login_required
@require_safe
def qualification_list(request):
    """My qualifications with their verification, and the upload form."""
    return _list_page(request)


@never_cache
@login_required
@require_POST
def qualification_upload_view(request):
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            qualification_upload(
                actor=request.user,
                kind=data["kind"],
                issued_on=data["issued_on"],
                expires_on=data["expires_on"],
                file=data["file"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                error = ValidationError(str(error))
            _errors_on(form, error)
        else:
            messages.success(
                request, _("Your qualification was handed in for verification.")
            )
            return HttpResponseRedirect(reverse("supervision:qualification_list"))
    return _list_page(request, form=form, status=400)


@never_cache
@login_required
@require_safe
def qualification_file(request, pk: int):
    """The document, always as a download with a content type we chose."""
    qualification = selectors.qualification_get_for(user=request.user, pk=pk)
    return private_download(
        qualification.document, filename=f"qualification-{qualification.pk}"
    )


def _queue_page(request, *, bound=None, status=200):
    user = request.user
    waiting = list(selectors.qualifications_waiting_for(user=user))
    verified = list(
        selectors.qualifications_decidable_by(user=user)
        .filter(status=Qualification.Status.VERIFIED)
        .order_by("-uploaded_at", "-id")[:RECENT_VERIFIED]
    )
    for row in waiting + verified:
        row.form = (
            bound[1]
            if bound and bound[0] == row.pk
            else DecideForm(auto_id=f"id_%s_{row.pk}")
        )
    return render(
        request,
        "supervision/qualifications/queue.html",
        {"waiting": waiting, "verified": verified},
        status=status,
    )


@never_cache
@role_required(Role.COORDINATOR)
@require_safe
def qualification_queue(request):
    """Qualifications of the coordinator's subtree waiting for a decision,
    and the recently verified ones (which may still be rejected)."""
    return _queue_page(request)


@never_cache
@login_required
@require_POST
def qualification_decide_view(request, pk: int):
    qualification = selectors.qualification_get_for(user=request.user, pk=pk)
    if not can_decide_qualification(request.user, qualification):
        raise PermissionDenied
    form = DecideForm(request.POST, auto_id=f"id_%s_{qualification.pk}")
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "verify"
        try:
            qualification_decide(
                actor=request.user,
                qualification=qualification,
                accept=accept,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            _errors_on(form, error)
        else:
            messages.success(
                request,
                _("The qualification was verified.")
                if accept
                else _("The qualification was marked not accepted."),
            )
            return HttpResponseRedirect(reverse("supervision:qualification_queue"))
    return _queue_page(request, bound=(qualification.pk, form), status=400)


urlpatterns = [
    path("qualifications/", qualification_list, name="qualification_list"),
    path(
        "qualifications/upload/",
        qualification_upload_view,
        name="qualification_upload",
    ),
    path(
        "qualifications/<int:pk>/file/", qualification_file, name="qualification_file"
    ),
    path("qualifications/queue/", qualification_queue, name="qualification_queue"),
    path(
        "qualifications/<int:pk>/decide/",
        qualification_decide_view,
        name="qualification_decide",
    ),
]
