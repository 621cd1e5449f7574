"""The public certificate check under /verify/, without login.

``/verify/`` is a form to type a serial; ``/verify/<serial>/`` a page and
``/verify/<serial>.json`` the same as JSON.  They show the holder's name,
the track, the unit and the dates, nothing else, and only for an exact
serial (the serials are random, so nothing can be listed or guessed).
Every lookup counts against a per-address limit (``LMS_VERIFY_RATE``);
answers are never stored by caches and never indexed.
"""

import functools
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from lms.core.services.audit import client_ip

from ..models import Certificate
from ..selectors.certificates import certificate_by_serial, serial_normalise

app_name = "verify"

UNITS = {"s": 1, "m": 60, "h": 3600}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"30/10m"`` as (30 lookups, 600 seconds)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smh])\s*", rate or "")
    if not match or int(match[1]) < 1:
        raise ImproperlyConfigured(f"LMS_VERIFY_RATE {rate!r}: use e.g. 30/10m.")
    return int(match[1]), int(match[2] or 1) * UNITS[match[3]]


def _over_limit(request) -> bool:
    """Count one lookup for the client's address in the current window;
    whether it is over the limit."""
    limit, seconds = parse_rate(settings.LMS_VERIFY_RATE)
    window = int(time.time() // seconds)
    key = f"verify-rate:{client_ip(request) or '-'}:{window}"
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count > limit


def _private(view):
    """No cache keeps an answer; no search engine indexes one."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def _too_many(request):
    return render(request, "supervision/verify/limited.html", status=429)


def _public(certificate: Certificate) -> dict:
    """The only fields the public check reveals."""
    return {
        "status": certificate.standing(),
        "holder": certificate.holder.get_full_name(),
        "track": certificate.track.name,
        "unit": certificate.unit.name,
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": (
            certificate.expires_on.isoformat() if certificate.expires_on else None
        ),
    }


@_private
@require_safe
def verify_form(request):
    """The form; ``?serial=`` (typed any way) goes to that serial's page."""
    raw = request.GET.get("serial", "")
    error = ""
    if raw.strip():
        serial = serial_normalise(raw)
        if serial is not None:
            return redirect("verify:page", serial=serial)
        error = _(
            "A serial has 16 letters and digits, like ABCD-EFGH-JKMN-PQRS. "
            "Check what you typed."
        )
    return render(
        request,
        "supervision/verify/form.html",
        {"typed": raw[:100], "error": error},
        status=400 if error else 200,
    )


@_private
@require_safe
def verify_page(request, serial: str):
    """What the public may know of one certificate; 404 for no such serial."""
    if _over_limit(request):
        return _too_many(request)
    certificate = certificate_by_serial(serial)
    if certificate is None:
        return render(
            request,
            "supervision/verify/page.html",
            {"typed": serial[:100], "found": None},
            status=404,
        )
    return render(
        request,
        "supervision/verify/page.html",
        {"found": _public(certificate), "serial": certificate.serial},
    )


@_private
@require_safe
def verify_json(request, serial: str):
    """The same as JSON: ``status`` is ``valid``, ``expired``, ``revoked``,
    or (404) ``unknown``; ``rate_limited`` (429) over the limit."""
    if _over_limit(request):
        return JsonResponse({"status": "rate_limited"}, status=429)
    certificate = certificate_by_serial(serial)
    if certificate is None:
        return JsonResponse({"status": "unknown"}, status=404)
    return JsonResponse(_public(certificate), json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("", verify_form, name="form"),
    path("<str:serial>.json", verify_json, name="json"),
    path("<str:serial>/", verify_page, name="page"),
]
