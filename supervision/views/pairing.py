"""Pairing pages (结对子, 一帮二) under /practice/pairs/.

Coordinators and leaders list the pairs of their subtree, with the
"no contact" flag and filter; coordinators pair people and end pairings.
A mentor's page lists their grid workers with a link to each one's
practice log and a form to log a contact; a grid worker sees their
mentor there too.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lms.core.decorators import role_required
from lms.core.models import Role
from lms.core.permissions import can_manage_units

from ..forms.cases import add_service_error
from ..forms.pairing import ContactForm, EndForm, PairingForm
from ..models import PairingContact
from ..selectors import pairing as selectors
from ..services import pairing as services

#: How far back the mentor's page shows contacts.
RECENT_CONTACT_DAYS = 90
FILTERS = ("open", "quiet", "ended", "all")


def _filtered_rows(user, show: str):
    pairings = selectors.pairings_visible_to(user=user).order_by(
        "unit__path", "mentor__full_name", "-starts_on", "-id"
    )
    if not user.is_superuser:
        pairings = pairings.filter(user.home_unit.subtree_q("unit__"))
    if show in ("open", "quiet"):
        pairings = pairings.filter(ends_on__isnull=True)
    elif show == "ended":
        pairings = pairings.filter(ends_on__isnull=False)
    rows = selectors.pair_rows(pairings)
    if show == "quiet":
        rows = [row for row in rows if row.flagged]
    return rows


@role_required(Role.COORDINATOR, Role.LEADER)
@require_safe
def pairing_list(request):
    """The pairs of my subtree; ``?show=quiet`` keeps the flagged ones."""
    return _list_page(request)


def _list_page(request, *, form=None, status=200):
    show = request.GET.get("show", "open")
    show = show if show in FILTERS else "open"
    user = request.user
    if user.home_unit_id is None and not user.is_superuser:
        rows = []
    else:
        rows = _filtered_rows(user, show)
    can_manage = can_manage_units(user)
    if form is None and can_manage:
        form = PairingForm(user=user)
    return render(
        request,
        "supervision/pairing/list.html",
        {
            "page": Paginator(rows, 100).get_page(request.GET.get("page")),
            "show": show,
            "filters": FILTERS,
            "form": form,
            "can_manage": can_manage,
            "end_form": EndForm(),
        },
        status=status,
    )


@role_required(Role.COORDINATOR)
@require_POST
def pairing_create(request):
    form = PairingForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            pairing = services.pairing_create(
                actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(mentor)s now mentors %(mentee)s.")
                % {"mentor": pairing.mentor, "mentee": pairing.mentee},
            )
            return redirect("supervision:pairing_list")
    return _list_page(request, form=form, status=400)


@role_required(Role.COORDINATOR)
@require_POST
def pairing_end(request, pk: int):
    pairing = get_object_or_404(selectors.pairings_managed_by(user=request.user), pk=pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.pairing_end(
                actor=request.user, pairing=pairing, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
    if form.errors:
        for message in _messages_of(form):
            messages.error(request, message)
    else:
        messages.success(request, _("The pairing was ended."))
    return redirect("supervision:pairing_list")


def _messages_of(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def _mine(user, today: datetime.date):
    since = today - datetime.timedelta(days=RECENT_CONTACT_DAYS)
    recent = PairingContact.objects.filter(occurred_on__gte=since).select_related(
        "logged_by"
    )
    pairings = (
        selectors.pairings_visible_to(user=user)
        .filter(Q(mentor=user) | Q(mentee=user), ends_on__isnull=True)
        .prefetch_related(Prefetch("contacts", queryset=recent, to_attr="recent"))
        .order_by("starts_on", "id")
    )
    rows = selectors.pair_rows(pairings, today=today)
    as_mentor = [row for row in rows if row.pairing.mentor_id == user.pk]
    as_mentee = [row for row in rows if row.pairing.mentee_id == user.pk]
    return as_mentor, as_mentee


@login_required
@require_safe
def pairing_mine(request):
    """My grid workers (and my mentor), each with a contact form."""
    return _mine_page(request)


def _mine_page(request, *, bound=None, bound_pk=None, status=200):
    as_mentor, as_mentee = _mine(request.user, timezone.localdate())
    for row in as_mentor + as_mentee:
        row.form = (
            bound
            if row.pairing.pk == bound_pk
            else ContactForm(auto_id=f"id_{row.pairing.pk}_%s")
        )
    return render(
        request,
        "supervision/pairing/mine.html",
        {"as_mentor": as_mentor, "as_mentee": as_mentee},
        status=status,
    )


@login_required
@require_POST
def pairing_contact_create(request, pk: int):
    """Log a contact; the mentor or the grid worker of an open pair."""
    pairing = selectors.pairing_get_for_contact(user=request.user, pk=pk)
    form = ContactForm(request.POST, auto_id=f"id_{pairing.pk}_%s")
    if form.is_valid():
        try:
            services.pairing_contact_log(
                actor=request.user, pairing=pairing, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The contact was logged."))
            return redirect("supervision:pairing_mine")
    return _mine_page(request, bound=form, bound_pk=pairing.pk, status=400)


urlpatterns = [
    path("pairs/", pairing_list, name="pairing_list"),
    path("pairs/new/", pairing_create, name="pairing_create"),
    path("pairs/mine/", pairing_mine, name="pairing_mine"),
    path("pairs/<int:pk>/end/", pairing_end, name="pairing_end"),
    path(
        "pairs/<int:pk>/contacts/",
        pairing_contact_create,
        name="pairing_contact_create",
    ),
]
