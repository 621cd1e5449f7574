"""The practice log (实践记录) pages under /practice/log/: a trainee's log,
new/edit/amend forms, an entry's page with its history and the actions
the viewer may take, and the supervisor's approve, return and bulk
approve (which the inbox posts to, coming back through ``next``).

Entries are fetched through ``practice_entry_get_for``: an entry the user
may not see is a 404; one they see without the right to act is a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lms.core.models import AuditAction
from lms.core.services.audit import audit_record

from ..forms.entries import (
    AmendForm,
    ApproveForm,
    EntryForm,
    ReturnForm,
    entry_initial,
    kinds_for,
)
from ..models import PracticeEntry
from ..permissions import can_sign_off
from ..selectors import entries as selectors
from ..selectors.people import entries_signable_by
from ..services import entries as services
from ..services import entries_export

Status = PracticeEntry.Status
PAGE_SIZE = 50


def _next_or(request, default: str) -> str:
    """The ``next`` parameter when it points into this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _detail_url(entry) -> str:
    return reverse("supervision:entry_detail", args=[entry.pk])


def _own_entry(request, pk: int) -> PracticeEntry:
    """An entry the user sees; 403 unless it is their own."""
    entry = selectors.practice_entry_get_for(user=request.user, pk=pk)
    if entry.person_id != request.user.pk:
        raise PermissionDenied(_("Only the trainee who logged this entry may do that."))
    return entry


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- lists -------------------------------------------------------------------------


def _log_context(request, entries) -> dict:
    """A page of ``entries`` filtered by the query string, with the flags
    the rows show (superseded, awaiting supervision)."""
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    superseded = PracticeEntry.objects.filter(
        amends=OuterRef("pk"), status=Status.APPROVED
    )
    entries = selectors.filter_entries(entries, status=status, kind=kind).annotate(
        is_superseded=Exists(superseded)
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "entries": page.object_list,
        "awaiting": _awaiting_ids(page.object_list),
        "status": status,
        "kind": kind,
        "statuses": Status.choices,
        "kinds": PracticeEntry.Kind.choices,
    }


def _awaiting_ids(entries) -> set[int]:
    """Ids among ``entries`` flagged "awaiting supervision" (one query)."""
    try:
        from ..selectors.supervisions import entries_awaiting_supervision
    except ImportError:  # the supervision area is not there yet
        return set()
    ids = [entry.pk for entry in entries]
    queryset = PracticeEntry.objects.filter(pk__in=ids)
    return set(
        entries_awaiting_supervision(entries=queryset).values_list("pk", flat=True)
    )


def _bulkable_ids(user, entries) -> set[int]:
    """Ids among ``entries`` that ``user`` may approve in bulk (one query)."""
    candidates = [
        entry.pk
        for entry in entries
        if entry.status in PracticeEntry.PENDING and entry.may_bulk_approve
    ]
    if not candidates:
        return set()
    signable = entries_signable_by(user=user).filter(pk__in=candidates)
    return set(signable.values_list("pk", flat=True))


@login_required
def entry_list(request):
    """The user's own practice log, with their approved practice hours."""
    mine = selectors.practice_entries_visible_to(user=request.user).filter(
        person=request.user
    )
    context = _log_context(request, mine)
    context["hours"] = selectors.approved_practice_hours(person=request.user)
    context["pending"] = selectors.pending_practice_hours(person=request.user)
    context["returned"] = list(selectors.returned_entries_of(person=request.user)[:20])
    context["person"] = request.user
    context["own"] = True
    return render(request, "supervision/entries/list.html", context)


@login_required
def trainee_log(request, user_id: int):
    """A supervisee's or mentee's log, for their supervisors and mentors."""
    trainee = selectors.trainee_get_for_log(user=request.user, pk=user_id)
    theirs = selectors.practice_entries_visible_to(user=request.user).filter(
        person=trainee
    )
    context = _log_context(request, theirs)
    context["bulkable"] = _bulkable_ids(request.user, context["entries"])
    context["hours"] = selectors.approved_practice_hours(person=trainee)
    context["person"] = trainee
    context["own"] = False
    return render(request, "supervision/entries/list.html", context)


# --- the trainee's forms -------------------------------------------------------------


def _render_form(request, form, *, entry=None, amends=None, status=200):
    context = {
        "form": form,
        "entry": entry,
        "amends": amends,
        "returned_by": selectors.return_comment(entry) if entry else None,
    }
    return render(request, "supervision/entries/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request):
    """Log a new entry (a draft the trainee submits from its page)."""
    form = EntryForm(request.POST or None, person=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.practice_entry_create(
                actor=request.user, **form.service_fields()
            )
        except ValidationError as error:
            form.show_service_error(error)
        else:
            messages.success(request, _("The entry is saved as a draft."))
            return redirect(_detail_url(entry))
    return _render_form(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk: int):
    """Change a draft or returned entry; an approved one is locked."""
    entry = _own_entry(request, pk)
    refusal = services.edit_refusal(entry)
    if refusal:
        messages.error(request, refusal)
        return redirect(_detail_url(entry))
    form = EntryForm(
        request.POST or None,
        person=request.user,
        initial=entry_initial(entry),
        kinds=kinds_for(entry),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_entry_update(
                actor=request.user, entry=entry, **form.service_fields()
            )
        except ValidationError as error:
            form.show_service_error(error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(_detail_url(entry))
    return _render_form(request, form, entry=entry)


@login_required
@require_http_methods(["GET", "POST"])
def entry_amend(request, pk: int):
    """Start an amendment of an approved entry (GET shows the form)."""
    original = _own_entry(request, pk)
    form = AmendForm(
        request.POST or None,
        person=request.user,
        initial=entry_initial(original),
        kinds=kinds_for(original),
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            amendment = services.practice_entry_amend(
                actor=request.user,
                entry=original,
                reason=form.cleaned_data["amendment_reason"],
                **fields,
            )
        except ValidationError as error:
            form.show_service_error(error)
        else:
            messages.success(
                request, _("The amendment is saved as a draft; submit it for sign-off.")
            )
            return redirect(_detail_url(amendment))
    return _render_form(request, form, amends=original)


@login_required
@require_POST
def entry_submit(request, pk: int):
    entry = _own_entry(request, pk)
    try:
        services.practice_entry_submit(actor=request.user, entry=entry, request=request)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _submitted_message(entry))
    return redirect(_detail_url(entry))


def _names(people) -> str:
    return "、".join(person.full_name or person.get_username() for person in people)


def _submitted_message(entry) -> str:
    """Who will review the entry now, or that nobody can yet and what to do."""
    reviewers = selectors.reviewers_of(entry)
    if not reviewers:
        return _(
            "The entry is submitted for sign-off, but no supervisor is assigned "
            "to you yet, so nobody can review it. Ask your coordinator to assign "
            "you a supervisor; the entry waits until then."
        )
    return _("The entry is submitted for sign-off. %(names)s will review it.") % {
        "names": _names(reviewers)
    }


@login_required
@require_POST
def entry_delete(request, pk: int):
    entry = _own_entry(request, pk)
    try:
        services.practice_entry_delete(actor=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, _refusal(error))
        return redirect(_detail_url(entry))
    messages.success(request, _("The draft is deleted."))
    return redirect("supervision:entry_list")


# --- the entry's page and sign-off ----------------------------------------------------


def _detail_context(request, entry, *, approve_form=None, return_form=None) -> dict:
    user = request.user
    own = entry.person_id == user.pk
    superseded_by = selectors.superseding_amendment(entry)
    open_amendment = selectors.open_amendment(entry) if own else None
    signable = entry.status in PracticeEntry.PENDING and can_sign_off(user, entry)
    return {
        "entry": entry,
        "history": selectors.practice_entry_history(entry=entry),
        "own": own,
        "superseded_by": superseded_by,
        "open_amendment": open_amendment,
        "can_edit": own and entry.status in PracticeEntry.EDITABLE,
        "can_delete": own and entry.status == Status.DRAFT,
        "can_amend": own
        and entry.is_locked
        and superseded_by is None
        and open_amendment is None,
        "can_sign": signable,
        "approve_form": approve_form or ApproveForm(),
        "return_form": return_form or ReturnForm(),
        "hours": services.entry_hours(entry),
        "plain": entry.may_bulk_approve,
        "next": _next_or(request, ""),
        "reviewers": selectors.reviewers_of(entry)
        if own and entry.status in PracticeEntry.PENDING
        else None,
        "returned_by": selectors.return_comment(entry) if own else None,
    }


@login_required
def entry_detail(request, pk: int):
    """An entry with its full history and the viewer's actions."""
    entry = selectors.practice_entry_get_for(user=request.user, pk=pk)
    context = _detail_context(request, entry)
    return render(request, "supervision/entries/detail.html", context)


def _sign(request, pk: int, *, form_class, service, done: str, form_key: str):
    entry = selectors.practice_entry_get_for(user=request.user, pk=pk)
    back = _next_or(request, _detail_url(entry))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(
                actor=request.user,
                entry=entry,
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, _refusal(error))
            return redirect(back)
        messages.success(request, done)
        return redirect(back)
    if back != _detail_url(entry):
        messages.error(request, " ".join(form.errors.get("comment", [])))
        return redirect(back)
    context = _detail_context(request, entry, **{form_key: form})
    return render(request, "supervision/entries/detail.html", context)


@login_required
@require_POST
def entry_approve(request, pk: int):
    return _sign(
        request,
        pk,
        form_class=ApproveForm,
        service=services.practice_entry_approve,
        done=_("The entry is approved."),
        form_key="approve_form",
    )


@login_required
@require_POST
def entry_return(request, pk: int):
    return _sign(
        request,
        pk,
        form_class=ReturnForm,
        service=services.practice_entry_return,
        done=_("The entry is returned to the trainee with your comment."),
        form_key="return_form",
    )


@login_required
@require_POST
def entry_bulk_approve(request):
    """Approve the ticked plain entries (``entry`` ids), all or none."""
    back = _next_or(request, reverse("supervision:entry_list"))
    raw = request.POST.getlist("entry")
    ids = {int(value) for value in raw if value.isdigit() and len(value) < 19}
    visible = selectors.practice_entries_visible_to(user=request.user).filter(
        pk__in=ids
    )
    if not ids or len(ids) != len(raw) or visible.count() != len(ids):
        messages.error(request, _("Some of the chosen entries could not be found."))
        return redirect(back)
    try:
        count = services.practice_entries_approve_bulk(
            actor=request.user, entries=list(visible), request=request
        )
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(
            request, _("%(count)d entries are approved.") % {"count": count}
        )
    return redirect(back)


# --- my log as a file ------------------------------------------------------------------

EXPORTS = {
    "csv": (entries_export.practice_log_csv, entries_export.CSV_TYPE),
    "xlsx": (entries_export.practice_log_xlsx, entries_export.XLSX_TYPE),
    "pdf": (entries_export.practice_log_pdf, entries_export.PDF_TYPE),
}


@login_required
@require_http_methods(["GET", "HEAD"])
def entry_export(request, fmt: str):
    """The user's own practice log as CSV, XLSX or PDF (nobody else's: the rows
    are those whose trainee is the user); audited as an export."""
    if fmt not in EXPORTS:
        raise Http404
    write, content_type = EXPORTS[fmt]
    rows = selectors.practice_log_rows(person=request.user)
    body = write(rows, person=request.user)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=request.user,
        request=request,
        detail=f"practice log ({fmt})",
    )
    response = HttpResponse(body, content_type=content_type)
    day = timezone.localdate().isoformat()
    name = f"practice-log-{request.user.pk}-{day}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("log/", entry_list, name="entry_list"),
    path("log/new/", entry_create, name="entry_create"),
    path("log/bulk-approve/", entry_bulk_approve, name="entry_bulk_approve"),
    path("log/export.<str:fmt>", entry_export, name="entry_export"),
    path("log/<int:pk>/", entry_detail, name="entry_detail"),
    path("log/<int:pk>/edit/", entry_edit, name="entry_edit"),
    path("log/<int:pk>/submit/", entry_submit, name="entry_submit"),
    path("log/<int:pk>/approve/", entry_approve, name="entry_approve"),
    path("log/<int:pk>/return/", entry_return, name="entry_return"),
    path("log/<int:pk>/amend/", entry_amend, name="entry_amend"),
    path("log/<int:pk>/delete/", entry_delete, name="entry_delete"),
    path("trainees/<int:user_id>/log/", trainee_log, name="trainee_log"),
]
