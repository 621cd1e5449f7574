"""Front-end pages for offline sessions: the coordinator's check-in
screen (a rotating QR code and short code), the trainee's check-in and
check-out pages, the short-code form, and the attendance list where
coordinators mark or correct attendance by hand.

Sessions are fetched through ``courses.selectors.sessions``: a session the
user cannot see is a 404; one they see without the right is a 403.

Scanning and tapping are two steps: opening the QR link checks the token
at once and hands the page a signed *scan pass* (this user, this session,
that token, that moment), and the button posts the pass.  The check-in
then counts from the moment of the scan, so a slow tap or a slow network
does not turn a good scan into "expired"; a pass is good for
``lms.core.checkin.SCAN_MAX_AGE`` seconds and only for the person who scanned.
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

from ..forms.sessions import CodeForm, MarkForm
from ..models import Attendance, OfflineSession
from ..permissions import can_manage_session, can_run_session_screen, may_attend
from ..selectors import sessions as selectors
from ..services import attendance as attendance_services

# --- trainee pages ----------------------------------------------------------------


def _attendable_session(request, session_id: int) -> OfflineSession:
    session = selectors.session_get_for(user=request.user, pk=session_id)
    if not may_attend(request.user, session):
        raise PermissionDenied(
            _("This session is not for your unit or cohort, so you cannot check in.")
        )
    return session


def _render_check_in(request, session, *, token=None, error="", status=200):
    now = timezone.now()
    attendance = selectors.attendance_of(person=request.user, session=session)
    scan_pass = ""
    if token is not None and not error:
        try:
            checkin.check_token(token, session.check_in_keys, now)
        except checkin.CheckInRefused as refused:
            error = refused.message
        else:
            scan_pass = checkin.scan_pass(
                session.check_in_keys, user_id=request.user.pk, token=token, now=now
            )
    refused = attendance is not None and attendance.status == Attendance.Status.ABSENT
    context = {
        "session": session,
        "attendance": attendance,
        "refused": refused,
        "record": None if refused else attendance,
        "check_in_url": reverse("sessions:check_in", args=[session.pk]),
        "check_out_url": reverse("sessions:check_out", args=[session.pk]),
        "flags": (
            selectors.attendance_flags(attendance, session) if attendance else {}
        ),
        "phase": checkin.phase(
            starts_at=session.starts_at, ends_at=session.ends_at, now=now
        ),
        "opens_minutes": int(checkin.CHECK_IN_OPENS_BEFORE.total_seconds() // 60),
        "scan_pass": scan_pass,
        "error": error,
    }
    return render(request, "courses/sessions/check_in.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request, session_id: int):
    """The page the QR code opens (``?t=TOKEN``): the session and a big
    check-in button, or, once in, a check-out button."""
    session = _attendable_session(request, session_id)
    if request.method != "POST":
        return _render_check_in(request, session, token=request.GET.get("t"))
    return _act_on_scan(
        request,
        session,
        attendance_services.attendance_check_in,
        lambda a: (
            _("You checked in to “%(title)s” at %(time)s."),
            a.checked_in_at,
        ),
    )


def _act_on_scan(request, session, action, done):
    """Check in or out with the scan pass the page carries; on success say
    when (``done(attendance)`` gives the sentence and the time) and go back
    to the session's page, otherwise show it again with the reason."""
    try:
        token, scanned_at = checkin.scan_pass_read(
            request.POST.get("pass", ""), session.check_in_keys, user_id=request.user.pk
        )
        attendance = action(
            person=request.user, session=session, token=token, now=scanned_at
        )
    except signing.BadSignature as error:
        return _render_check_in(
            request, session, error=checkin.scan_pass_refusal(error), status=400
        )
    except ValidationError as error:
        message = " ".join(error.messages)
        return _render_check_in(request, session, error=message, status=400)
    sentence, moment = done(attendance)
    messages.success(
        request,
        sentence
        % {
            "title": session.title,
            "time": timezone.localtime(moment).strftime("%H:%M"),
        },
    )
    return HttpResponseRedirect(reverse("sessions:check_in", args=[session.pk]))


@login_required
@require_POST
def check_out(request, session_id: int):
    """Check out with the scan pass of a fresh scan of the screen."""
    session = _attendable_session(request, session_id)
    return _act_on_scan(
        request,
        session,
        attendance_services.attendance_check_out,
        lambda a: (
            _("You checked out of “%(title)s” at %(time)s."),
            a.checked_out_at,
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def check_in_by_code(request):
    """For phones that cannot scan: today's sessions and the six digits.

    The list starts on the session open now, and a code that belongs to
    another session open now checks the person in there (see
    ``selectors.sessions.session_for_code``)."""
    now = timezone.now()
    sessions = list(selectors.sessions_for_code_entry(user=request.user))
    current = selectors.session_open_now(sessions=sessions, now=now)
    form = CodeForm(
        request.POST or None,
        sessions=selectors.sessions_for_code_entry(user=request.user),
        initial={"session": current.pk if current else None},
    )
    if request.method == "POST" and form.is_valid():
        session = selectors.session_for_code(
            sessions=sessions,
            chosen=form.cleaned_data["session"],
            code=form.cleaned_data["code"],
            now=now,
        )
        service = (
            attendance_services.attendance_check_in
            if form.cleaned_data["action"] == "in"
            else attendance_services.attendance_check_out
        )
        try:
            service(
                person=request.user,
                session=session,
                code=form.cleaned_data["code"],
                now=now,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error("code", " ".join(getattr(error, "messages", [str(error)])))
        else:
            done = (
                _("You checked in to “%(title)s”.")
                if form.cleaned_data["action"] == "in"
                else _("You checked out of “%(title)s”.")
            )
            messages.success(request, done % {"title": session.title})
            return HttpResponseRedirect(reverse("sessions:check_in", args=[session.pk]))
    return render(
        request,
        "courses/sessions/code.html",
        {"form": form, "sessions": sessions, "current": current},
        status=400 if request.method == "POST" else 200,
    )


# --- the coordinator's screen ----------------------------------------------------


def _screen_session(request, session_id: int) -> OfflineSession:
    session = selectors.session_get_for(user=request.user, pk=session_id)
    if not can_run_session_screen(request.user, session):
        raise PermissionDenied
    return session


def _screen_state(request, session: OfflineSession) -> dict:
    return checkin.screen_state(
        session.check_in_keys,
        check_in_url=request.build_absolute_uri(
            reverse("sessions:check_in", args=[session.pk])
        ),
        present=selectors.present_count(session=session),
        capacity=session.capacity,
        now=timezone.now(),
    )


@login_required
@require_safe
@never_cache
def screen(request, session_id: int):
    """The check-in screen for the projector: the QR code, the short code
    and the number present, refreshed in place by ``session-screen.js``."""
    session = _screen_session(request, session_id)
    state = _screen_state(request, session)
    return render(
        request,
        "courses/sessions/screen.html",
        {
            "session": session,
            "state": state,
            "qr": mark_safe(state["svg"]),  # noqa: S308 - made by qrcode, no text
            "token_url": reverse("sessions:screen_token", args=[session.pk]),
            "code_url": request.build_absolute_uri(reverse("sessions:check_in_code")),
            "can_manage": can_manage_session(request.user, session),
        },
    )


@login_required
@require_safe
@never_cache
def screen_token(request, session_id: int):
    """The screen's next QR code (as SVG markup), short code and count."""
    session = _screen_session(request, session_id)
    return JsonResponse(_screen_state(request, session))


# --- the attendance list -----------------------------------------------------------


def _row_form(row, session) -> MarkForm:
    attendance = row["attendance"]
    return MarkForm(
        session=session,
        auto_id=f"id_{attendance.person_id}_%s",
        initial={
            "person": attendance.person_id,
            "status": attendance.status,
            "checked_in_at": attendance.checked_in_at,
            "checked_out_at": attendance.checked_out_at,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def attendance(request, session_id: int):
    """Who came, late and early flags, and a form per row (and one to add
    someone) to mark or correct attendance with a reason."""
    session = selectors.session_get_for(user=request.user, pk=session_id)
    if not can_manage_session(request.user, session):
        raise PermissionDenied
    bound = None
    if request.method == "POST":
        bound = MarkForm(request.POST, session=session, auto_id="id_bound_%s")
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                attendance_services.attendance_mark(
                    actor=request.user,
                    session=session,
                    person=data["person"],
                    status=data["status"],
                    checked_in_at=data.get("checked_in_at"),
                    checked_out_at=data.get("checked_out_at"),
                    reason=data["reason"],
                    request=request,
                )
            except ValidationError as error:
                bound.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("The attendance of %(name)s was recorded.")
                    % {"name": data["person"]},
                )
                return HttpResponseRedirect(
                    reverse("sessions:attendance", args=[session.pk])
                )
    rows = selectors.attendance_rows_for(session=session)
    for row in rows:
        row["form"] = _row_form(row, session)
    return render(
        request,
        "courses/sessions/attendance.html",
        {
            "session": session,
            "rows": rows,
            "summary": selectors.attendance_summary(rows),
            "bound": bound,
            "add_form": MarkForm(session=session, auto_id="id_add_%s"),
            "tolerance_minutes": int(checkin.LATENESS_TOLERANCE.total_seconds() // 60),
        },
        status=400 if bound is not None else 200,
    )


urlpatterns = [
    path("check-in/code/", check_in_by_code, name="check_in_code"),
    path("<int:session_id>/check-in/", check_in, name="check_in"),
    path("<int:session_id>/check-out/", check_out, name="check_out"),
    path("<int:session_id>/screen/", screen, name="screen"),
    path("<int:session_id>/screen/token/", screen_token, name="screen_token"),
    path("<int:session_id>/attendance/", attendance, name="attendance"),
]
