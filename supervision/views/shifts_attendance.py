"""Checking in and out of duty shifts with the rotating QR code of
``courses.attendance``: the screen at the centre (supervisor on duty and
coordinators over the shift), its token endpoint for the rotation, and
the trainee's scan landing page with the six-digit code as a fallback.

As for offline sessions, opening the QR link checks the token at once
and hands the page a signed *scan pass* (this user, this shift, that
token, that moment); the button posts the pass, so a slow tap does not
turn a good scan into "expired".  The pass uses its own salt, so a
session's pass is no good here.
"""

import datetime

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

from courses import attendance as tokens
from courses.services.attendance import CHECK_IN_OPENS_BEFORE, CHECK_OUT_CLOSES_AFTER
from courses.views.sessions import SCAN_MAX_AGE, SCREEN_REFRESH_SECONDS, qr_svg

from ..forms.shifts import CodeForm
from ..models import DutyShift
from ..permissions import can_run_shift_screen
from ..selectors import shifts as selectors
from ..services import shifts_attendance as services

SCAN_SALT = "supervision.shifts.scan"
_MAX_PASS_LENGTH = 500


def _scan_pass(*, user, shift: DutyShift, token: str, now) -> str:
    return signing.dumps(
        {"u": user.pk, "s": shift.pk, "t": token, "at": now.timestamp()},
        salt=SCAN_SALT,
    )


def _read_scan_pass(value, *, user, shift: DutyShift):
    """The token and the moment of the scan; ``signing.BadSignature`` for a
    pass that is forged, too old, or someone else's."""
    if not isinstance(value, str) or not value or len(value) > _MAX_PASS_LENGTH:
        raise signing.BadSignature("no pass")
    data = signing.loads(value, salt=SCAN_SALT, max_age=SCAN_MAX_AGE)
    if data.get("u") != user.pk or data.get("s") != shift.pk:
        raise signing.BadSignature("another user's or shift's pass")
    scanned_at = datetime.datetime.fromtimestamp(float(data["at"]), tz=datetime.UTC)
    return str(data["t"]), scanned_at


def _phase(shift: DutyShift, now) -> str:
    if shift.cancelled_at is not None:
        return "cancelled"
    if now < shift.starts_at - CHECK_IN_OPENS_BEFORE:
        return "not_open"
    if now <= shift.ends_at:
        return "open"
    if now <= shift.ends_at + CHECK_OUT_CLOSES_AFTER:
        return "check_out_only"
    return "closed"


def _render(request, shift, *, token=None, error="", form=None, status=200):
    now = timezone.now()
    scan_pass = ""
    if token is not None and not error:
        try:
            tokens.check_token(token, session_id=shift.pk, secret=shift.secret, now=now)
        except tokens.CheckInRefused as refused:
            error, status = refused.message, 400
        else:
            scan_pass = _scan_pass(user=request.user, shift=shift, token=token, now=now)
    context = {
        "shift": shift,
        "signup": selectors.signup_of(person=request.user, shift=shift),
        "phase": _phase(shift, now),
        "opens_minutes": int(CHECK_IN_OPENS_BEFORE.total_seconds() // 60),
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
        token, scanned_at = _read_scan_pass(
            request.POST.get("pass"), user=request.user, shift=shift
        )
        row = _service(action)(
            actor=request.user, shift=shift, token=token, now=scanned_at
        )
    except signing.SignatureExpired:
        error = _(
            "This page has been open too long. Scan the code on the screen again."
        )
    except signing.BadSignature:
        error = _("This check-in link is not valid. Scan the code on the screen again.")
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
    secret = {"session_id": shift.pk, "secret": shift.secret, "now": timezone.now()}
    url = request.build_absolute_uri(
        reverse("supervision:shift_check_in", args=[shift.pk])
        + "?t="
        + tokens.current_token(**secret)
    )
    present = shift.signups.filter(checked_in_at__isnull=False).count()
    return {
        "url": url,
        "svg": qr_svg(url),
        "code": tokens.short_code(**secret),
        "present": present,
        "capacity": shift.capacity,
        "refresh_seconds": SCREEN_REFRESH_SECONDS,
    }


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
