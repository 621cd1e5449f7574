"""Duty shifts for trainees: the shifts page (upcoming shifts of their
centre, their quota light, swap offers made to them), signing up,
cancelling, and swaps.  The screen, check-in, roster and compliance
pages live in ``shifts_attendance`` and ``shifts_reports``; this module
carries the area's ``urlpatterns``.

Every action is a POST that calls one service and redirects to the
shifts page with a sentence; a refusal is shown as an error message.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lms.core.models import Role

from ..forms.shifts import SwapOfferForm
from ..models import ShiftSwap
from ..permissions import may_take_place
from ..rules import rules_for
from ..selectors import shifts as selectors
from ..selectors import shifts_quota
from ..services import shifts as services
from . import calendar, shifts_attendance, shifts_reports


def _back():
    return HttpResponseRedirect(reverse("supervision:shift_list"))


def _refusal(request, error) -> None:
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))


@login_required
@require_http_methods(["GET", "HEAD"])
def shift_list(request):
    """The trainee's own upcoming places first, then offers made to them,
    this month's quota light, for supervisors their duty shifts, and a
    week (Monday to Sunday, ``?week=YYYY-MM-DD``, previous and next week
    links) of the shifts of their centre with places left."""
    user, now = request.user, timezone.now()
    today = timezone.localdate(now)
    monday = selectors.parse_week(request.GET.get("week"), today=today)
    days = selectors.week_shifts_for(user=user, monday=monday)
    week = [shift for day in days for shift in day["shifts"]]
    context = {
        "mine": selectors.my_upcoming_shifts(user=user, now=now),
        "days": days,
        "week_shifts": week,
        "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "prev_week": (monday - datetime.timedelta(days=7)).isoformat(),
        "next_week": (monday + datetime.timedelta(days=7)).isoformat(),
        "this_week": selectors.week_start(today),
        "today": today,
        "offers": list(selectors.swaps_offered_to(user=user, now=now)),
        "quota": (
            shifts_quota.quota_for(person=user, now=now)
            if user.has_role(Role.TRAINEE)
            else None
        ),
        "duty": list(selectors.duty_shifts_of(user=user, now=now)),
        "can_take": user.has_role(Role.TRAINEE),
        "can_see_compliance": user.has_role(Role.COORDINATOR)
        or user.has_role(Role.LEADER),
        "now": now,
    }
    cutoffs: dict[int, int] = {}  # one rules query per unit, not per shift
    for shift in week:
        if shift.unit_id not in cutoffs:
            cutoffs[shift.unit_id] = rules_for(shift.unit).cancel_cutoff_hours
        shift.deadline = services.cancel_deadline(shift, hours=cutoffs[shift.unit_id])
    return render(request, "supervision/shifts/list.html", context)


def _act(request, action, done: str, **kwargs):
    try:
        action(actor=request.user, **kwargs)
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(request, done)
    return _back()


def _needs_confirmation(request, shift) -> int | None:
    """The unit's cut-off in hours when signing up for ``shift`` now could
    not be undone (it starts within the cut-off) and the person has not
    confirmed yet (no ``confirm=1``); None when the sign-up may go ahead.
    Someone already holding a row keeps it without being asked."""
    if request.POST.get("confirm") == "1" or shift.cancelled_at is not None:
        return None
    hours = rules_for(shift.unit).cancel_cutoff_hours
    now = timezone.now()
    if now < services.cancel_deadline(shift, hours=hours) or now >= shift.starts_at:
        return None
    mine = selectors.signup_of(person=request.user, shift=shift)
    if mine is not None and mine.status in (
        mine.Status.SIGNED_UP,
        mine.Status.WAITLISTED,
    ):
        return None
    return hours


@login_required
@require_POST
def shift_signup(request, pk: int):
    """Take a place; inside the cancel cut-off only after the person has
    confirmed on a page that says they could no longer cancel (item 9)."""
    shift = selectors.shift_get_for(user=request.user, pk=pk)
    hours = _needs_confirmation(request, shift)
    if hours is not None and may_take_place(request.user, shift):
        shift.places_left = max(0, shift.capacity - services.places_taken(shift))
        return render(
            request,
            "supervision/shifts/confirm_signup.html",
            {"shift": shift, "hours": hours},
        )
    try:
        row = services.shift_signup(actor=request.user, shift=shift)
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
        return _back()
    if row.status == row.Status.WAITLISTED:
        messages.info(
            request,
            _(
                "The shift is full; you are on the waiting list and will be told if a place comes free."
            ),
        )
    else:
        messages.success(request, _("You are signed up for this shift."))
    return _back()


@login_required
@require_POST
def shift_cancel(request, pk: int):
    shift = selectors.shift_get_for(user=request.user, pk=pk)
    return _act(
        request, services.shift_cancel, _("Your place was cancelled."), shift=shift
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def shift_swap_offer(request, pk: int):
    """Choose someone to offer one's place to."""
    shift = selectors.shift_get_for(user=request.user, pk=pk)
    mine = selectors.signup_of(person=request.user, shift=shift)
    if mine is None or mine.status != mine.Status.SIGNED_UP:
        raise PermissionDenied(_("Only someone signed up can offer their place."))
    form = SwapOfferForm(request.POST or None, shift=shift, offerer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_swap_offer(
                actor=request.user,
                shift=shift,
                to_person=form.cleaned_data["to_person"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _("Your offer was sent to %(name)s.")
                % {"name": form.cleaned_data["to_person"]},
            )
            return _back()
    return render(
        request,
        "supervision/shifts/swap.html",
        {"shift": shift, "form": form},
        status=400 if form.is_bound else 200,
    )


def _swap_for(request, pk: int, *, offered_by_me: bool = False) -> ShiftSwap:
    """A swap offered to the user (or by them); anyone else's is a 404."""
    mine = {"signup__person": request.user} if offered_by_me else {}
    return get_object_or_404(
        ShiftSwap.objects.select_related(
            "signup__shift__unit", "signup__person", "to_person"
        ),
        pk=pk,
        **(mine or {"to_person": request.user}),
    )


@login_required
@require_POST
def shift_swap_accept(request, pk: int):
    return _act(
        request,
        services.shift_swap_accept,
        _("The place is yours: you are signed up for this shift."),
        swap=_swap_for(request, pk),
    )


@login_required
@require_POST
def shift_swap_decline(request, pk: int):
    return _act(
        request,
        services.shift_swap_decline,
        _("You declined the offer."),
        swap=_swap_for(request, pk),
    )


@login_required
@require_POST
def shift_swap_withdraw(request, pk: int):
    return _act(
        request,
        services.shift_swap_withdraw,
        _("Your offer was withdrawn; the place is still yours."),
        swap=_swap_for(request, pk, offered_by_me=True),
    )


urlpatterns = [
    path("shifts/", shift_list, name="shift_list"),
    path("shifts/<int:pk>/signup/", shift_signup, name="shift_signup"),
    path("shifts/<int:pk>/cancel/", shift_cancel, name="shift_cancel"),
    path("shifts/<int:pk>/swap/", shift_swap_offer, name="shift_swap_offer"),
    path("shifts/swaps/<int:pk>/accept/", shift_swap_accept, name="shift_swap_accept"),
    path(
        "shifts/swaps/<int:pk>/decline/", shift_swap_decline, name="shift_swap_decline"
    ),
    path(
        "shifts/swaps/<int:pk>/withdraw/",
        shift_swap_withdraw,
        name="shift_swap_withdraw",
    ),
    *shifts_attendance.urlpatterns,
    *shifts_reports.urlpatterns,
    *calendar.urlpatterns,
]
