"""Case pages (个案) under /practice/cases/.

A case is fetched through ``cases_visible_to``: anyone but the
practitioner and their supervisors gets 404, coordinators, leaders and
superusers included; leaders and coordinators see the counts page only.
Every page showing notes writes an audit row, and every case page is
marked ``private, no-store`` so no cache keeps it.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from lms.core.decorators import role_required
from lms.core.downloads import private_download
from lms.core.models import AuditAction, Role
from lms.core.permissions import is_scoped_manager
from lms.core.services.audit import audit_record

from ..forms import cases as case_forms
from ..permissions import can_read_case_notes
from ..selectors import cases as selectors
from ..services import cases as services

FORM_METHODS = ["GET", "HEAD", "POST"]


def private(view):
    """Signed-in only, and never kept by a browser or proxy cache."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper


@private
@require_safe
def case_list(request):
    """The cases I hold and those of the people I supervise."""
    cases = selectors.cases_visible_to(user=request.user).order_by(
        "closed_on", "-opened_on", "-id"
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    user = request.user
    return render(
        request,
        "supervision/cases/list.html",
        {
            "page": page,
            "can_open": user.has_role(Role.TRAINEE) or user.has_role(Role.SUPERVISOR),
            "can_see_summary": is_scoped_manager(user),
        },
    )


@private
@require_safe
def case_detail(request, pk: int):
    """Risk, history, consents, referrals and (audited) the notes."""
    case = selectors.case_get_for(user=request.user, pk=pk)
    notes = None
    if can_read_case_notes(request.user, case):
        notes = services.case_notes_read(actor=request.user, case=case, request=request)
    return render(
        request,
        "supervision/cases/detail.html",
        {
            "case": case,
            "notes": notes,
            "consents": case.consents.select_related("withdrawn_by"),
            "referrals": case.referrals.all(),
            "history": selectors.case_risk_history(case=case),
        },
    )


@role_required(Role.COORDINATOR, Role.LEADER)
@require_safe
def case_summary(request):
    """Counts only, for coordinators and leaders: no codes, no text."""
    return render(
        request,
        "supervision/cases/summary.html",
        {"summary": selectors.case_summary_for(user=request.user)},
    )


def _form_page(request, *, case, form, title, run, done, testid):
    """GET shows ``form``; a valid POST runs ``run(data)`` and goes back
    to the case (or the list); a refusal shows the form again with 400."""
    if request.method == "POST" and form.is_valid():
        try:
            result = run(form.cleaned_data)
        except ValidationError as error:
            case_forms.add_service_error(form, error)
        else:
            messages.success(request, done)
            target = case or result
            return redirect("supervision:case_detail", target.pk)
    return render(
        request,
        "supervision/cases/form.html",
        {"case": case, "form": form, "title": title, "testid": testid},
        status=400 if request.method == "POST" else 200,
    )


def _bound(request, form_class):
    if request.method == "POST":
        return form_class(request.POST, request.FILES)
    return form_class()


@role_required(Role.TRAINEE, Role.SUPERVISOR)
@private
@require_http_methods(FORM_METHODS)
def case_create(request):
    """Open a case: the client gets a code; there is no field for a name."""
    return _form_page(
        request,
        case=None,
        form=_bound(request, case_forms.CaseOpenForm),
        title=_("Open a case"),
        testid="case-open-form",
        run=lambda data: services.case_open(
            actor=request.user, request=request, **data
        ),
        done=_("The case was opened."),
    )


@private
@require_http_methods(FORM_METHODS)
def case_note_create(request, pk: int):
    case = selectors.case_get_for(user=request.user, pk=pk)
    form = _bound(request, case_forms.NoteForm)
    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Add a note"),
        testid="note-form",
        run=lambda data: services.case_note_add(
            actor=request.user,
            case=case,
            session_on=data["session_on"],
            body=data["body"],
            confirmed=data["confirm"],
        ),
        done=_("The note was added."),
    )


@private
@require_http_methods(FORM_METHODS)
def case_risk_change(request, pk: int):
    case = selectors.case_get_for(user=request.user, pk=pk)
    form = (
        case_forms.RiskForm(request.POST)
        if request.method == "POST"
        else case_forms.RiskForm(initial={"risk_level": case.risk_level})
    )
    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Change the risk level"),
        testid="risk-form",
        run=lambda data: services.case_risk_change(
            actor=request.user, case=case, request=request, **data
        ),
        done=_("The risk level was changed."),
    )


@private
@require_http_methods(FORM_METHODS)
def case_close(request, pk: int):
    case = selectors.case_get_for(user=request.user, pk=pk)
    return _form_page(
        request,
        case=case,
        form=_bound(request, case_forms.CloseForm),
        title=_("Close the case"),
        testid="close-form",
        run=lambda data: services.case_close(
            actor=request.user, case=case, request=request, **data
        ),
        done=_("The case was closed."),
    )


@private
@require_http_methods(FORM_METHODS)
def consent_create(request, pk: int):
    case = selectors.case_get_for(user=request.user, pk=pk)
    return _form_page(
        request,
        case=case,
        form=_bound(request, case_forms.ConsentForm),
        title=_("Record informed consent"),
        testid="consent-form",
        run=lambda data: services.consent_record(
            actor=request.user, case=case, request=request, **data
        ),
        done=_("The consent was recorded."),
    )


@private
@require_http_methods(FORM_METHODS)
def consent_withdraw(request, pk: int, consent_id: int):
    case = selectors.case_get_for(user=request.user, pk=pk)
    consent = selectors.consent_get_for(case=case, pk=consent_id)
    return _form_page(
        request,
        case=case,
        form=_bound(request, case_forms.WithdrawForm),
        title=_("Withdraw consent"),
        testid="withdraw-form",
        run=lambda data: services.consent_withdraw(
            actor=request.user, consent=consent, request=request, **data
        ),
        done=_("The consent was withdrawn."),
    )


@private
@require_safe
def consent_form(request, pk: int, consent_id: int):
    """The signed form, as an attachment, to those who may read the notes
    (audited like a read of the notes: the form carries the client's
    name)."""
    case = selectors.case_get_for(user=request.user, pk=pk)
    if not can_read_case_notes(request.user, case):
        raise Http404
    consent = selectors.consent_get_for(case=case, pk=consent_id)
    response = private_download(
        consent.form, filename=f"consent-{case.client_code}-{consent.signed_on:%Y%m%d}"
    )
    audit_record(
        actor=request.user,
        action=AuditAction.CASE_NOTES_READ,
        obj=case,
        request=request,
        detail=f"signed consent form {consent.pk}",
    )
    return response


@private
@require_http_methods(FORM_METHODS)
def referral_create(request, pk: int):
    case = selectors.case_get_for(user=request.user, pk=pk)
    return _form_page(
        request,
        case=case,
        form=_bound(request, case_forms.ReferralForm),
        title=_("Refer to medical care"),
        testid="referral-form",
        run=lambda data: services.referral_add(actor=request.user, case=case, **data),
        done=_("The referral was recorded."),
    )


urlpatterns = [
    path("cases/", case_list, name="case_list"),
    path("cases/new/", case_create, name="case_create"),
    path("cases/summary/", case_summary, name="case_summary"),
    path("cases/<int:pk>/", case_detail, name="case_detail"),
    path("cases/<int:pk>/notes/new/", case_note_create, name="case_note_create"),
    path("cases/<int:pk>/risk/", case_risk_change, name="case_risk_change"),
    path("cases/<int:pk>/close/", case_close, name="case_close"),
    path("cases/<int:pk>/consents/new/", consent_create, name="consent_create"),
    path(
        "cases/<int:pk>/consents/<int:consent_id>/withdraw/",
        consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "cases/<int:pk>/consents/<int:consent_id>/form/",
        consent_form,
        name="consent_form",
    ),
    path("cases/<int:pk>/referrals/new/", referral_create, name="referral_create"),
]
