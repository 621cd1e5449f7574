"""Checking in and out of duty shifts with the rotating QR code of
``lms.core.checkin``: the screen at the centre (supervisor on duty and
coordinators over the shift), its token endpoint for the rotation, and
the trainee's scan landing page with the six-digit code as a fallback.

As for offline sessions, opening the QR link checks the token at once
and hands the page a signed *scan pass* (this user, this shift, that
token, that moment); the button posts the pass, so a slow tap does not
turn a good scan into "expired".  The pass is salted for shifts, so a
session's pass is no good here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from lms.core import checkin

from ..forms.shifts import CodeForm
from ..models import DutyShift, ShiftSignup
from ..permissions import can_run_shift_screen
from ..selectors import shifts as selectors
from ..services import shifts_attendance as services


def _phase(shift: DutyShift, now) -> str:
    if shift.cancelled_at is not None:
        return "cancelled"
    return checkin.phase(starts_at=shift.starts_at, ends_at=shift.ends_at, now=now)


def _render(request, shift, *, token=None, error="", form=None, status=200):
    now = timezone.now()
    scan_pass = ""
    if token is not None and not error:
        try:
            checkin.check_token(token, shift.check_in_keys, now)
        except checkin.CheckInRefused as refused:
            error, status = refused.message, 400
        else:
            scan_pass = checkin.scan_pass(
                shift.check_in_keys, user_id=request.user.pk, token=token, now=now
            )
    signup = selectors.signup_of(person=request.user, shift=shift)
    refused = signup is None or signup.status != ShiftSignup.Status.SIGNED_UP
    context = {
        "shift": shift,
        "signup": signup,
        "refused": refused,
        "record": None if refused or not signup.checked_in_at else signup,
        "check_in_url": reverse("supervision:shift_check_in", args=[shift.pk]),
        "check_out_url": reverse("supervision:shift_check_out", args=[shift.pk]),
        "phase": _phase(shift, now),
        "opens_minutes": int(checkin.CHECK_IN_OPENS_BEFORE.total_seconds() // 60),
        "scan_pass": scan_pass,
        "error": error,
        "form": form or CodeForm(),
    }
    return render(request, "supervision/shifts/check_in.html", context, status=status)


def _done(request, shift, row, action: str):
    moment = row.checked_in_at if action == "in" else row.checked_out_at
    sentence = (
        _("You checked in to the shift at %(time)s.")
        if action == "in"
        else _("You checked out of the shift at %(time)s.")
    )
    messages.success(
        request, sentence % {"time": timezone.localtime(moment).strftime("%H:%M")}
    )
    return HttpResponseRedirect(reverse("supervision:shift_check_in", args=[shift.pk]))


def _service(action: str):
    return services.shift_check_in if action == "in" else services.shift_check_out


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def shift_check_in(request, pk: int):
    """The page the QR code opens (``?t=TOKEN``), with a big button; a POST
    carries either the scan pass or the six-digit code."""
    shift = selectors.shift_get_for(user=request.user, pk=pk)
    if request.method != "POST":
        return _render(request, shift, token=request.GET.get("t"))
    if "pass" in request.POST:
        return _by_pass(request, shift, "in")
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _render(request, shift, form=form, status=400)
    action = form.cleaned_data["action"]
    try:
        row = _service(action)(
            actor=request.user, shift=shift, code=form.cleaned_data["code"]
        )
    except ValidationError as error:
        form.add_error("code", " ".join(error.messages))
        return _render(request, shift, form=form, status=400)
    return _done(request, shift, row, action)


def _by_pass(request, shift, action: str):
    try:
        token, scanned_at = checkin.scan_pass_read(
            request.POST.get("pass"), shift.check_in_keys, user_id=request.user.pk
        )
        row = _service(action)(
            actor=request.user, shift=shift, token=token, now=scanned_at
        )
    except signing.BadSignature as refused:
        error = checkin.scan_pass_refusal(refused)
    except ValidationError as refused:
        error = " ".join(refused.messages)
    else:
        return _done(request, shift, row, action)
    return _render(request, shift, error=error, status=400)


@login_required
@require_POST
def shift_check_out(request, pk: int):
    """Check out with the scan pass of a fresh scan of the screen."""
    shift = selectors.shift_get_for(user=request.user, pk=pk)
    return _by_pass(request, shift, "out")


# --- the screen at the centre -----------------------------------------------------


def _screen_shift(request, pk: int) -> DutyShift:
    shift = selectors.shift_get_for(user=request.user, pk=pk)
    if not can_run_shift_screen(request.user, shift):
        raise PermissionDenied
    return shift


def _screen_state(request, shift: DutyShift) -> dict:
    return checkin.screen_state(
        shift.check_in_keys,
        check_in_url=request.build_absolute_uri(
            reverse("supervision:shift_check_in", args=[shift.pk])
        ),
        present=shift.signups.filter(checked_in_at__isnull=False).count(),
        capacity=shift.capacity,
        now=timezone.now(),
    )


@login_required
@require_safe
@never_cache
def shift_screen(request, pk: int):
    """The QR code, the short code and the number checked in, refreshed
    in place by ``courses/session-screen.js``."""
    shift = _screen_shift(request, pk)
    state = _screen_state(request, shift)
    return render(
        request,
        "supervision/shifts/screen.html",
        {
            "shift": shift,
            "state": state,
            "qr": mark_safe(state["svg"]),  # noqa: S308 - made by qrcode, no text
            "token_url": reverse("supervision:shift_screen_token", args=[shift.pk]),
            "check_in_url": request.build_absolute_uri(
                reverse("supervision:shift_check_in", args=[shift.pk])
            ),
        },
    )


@login_required
@require_safe
@never_cache
def shift_screen_token(request, pk: int):
    """The screen's next QR code (SVG markup), short code and count."""
    return JsonResponse(_screen_state(request, _screen_shift(request, pk)))


urlpatterns = [
    path("shifts/<int:pk>/check-in/", shift_check_in, name="shift_check_in"),
    path("shifts/<int:pk>/check-out/", shift_check_out, name="shift_check_out"),
    path("shifts/<int:pk>/screen/", shift_screen, name="shift_screen"),
    path(
        "shifts/<int:pk>/screen/token/", shift_screen_token, name="shift_screen_token"
    ),
]
