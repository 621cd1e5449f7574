"""The call-out answer page under /crisis/answer/<token>/, without login.

GET shows the deployment's title, unit and dates and two buttons; it
never answers, because mail scanners and link previews open links.  POST
answers (``services.deployments.callout_answer``), once.  Whoever holds
the link may answer, unless they are signed in as someone else.

The token is the key, so the page:

- counts every request against a per-address limit
  (``LMS_CALLOUT_RATE``), so tokens cannot be tried in bulk;
- is never cached, indexed, or sent on as a referrer;
- keeps its path (which holds the token) out of Django's request log:
  answers of 4xx are marked logged, and the form is exempt from CSRF
  checking (whose refusals log the path).  A forged cross-site POST would
  need the token itself, which is all an attacker would need anyway;
- tells a wrong, used or withdrawn link apart from nothing else (all are
  "not valid"), so it reveals nothing about other links.
"""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from lms.core.services.audit import client_ip

from ..forms.deployments import AnswerForm
from ..services.deployments import callout_answer, callout_find
from .verify import parse_rate

app_name = "crisis"
TEMPLATE = "supervision/crisis/deployments_answer.html"


def _over_limit(request) -> bool:
    limit, seconds = parse_rate(settings.LMS_CALLOUT_RATE)
    window = int(time.time() // seconds)
    key = f"callout-rate:{client_ip(request) or '-'}:{window}"
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count > limit


def _private(view):
    """No cache keeps the page, no search engine indexes it, no referrer
    carries the token on, and no request log line holds the path."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        response["Referrer-Policy"] = "no-referrer"
        # Django's request logger skips a response already logged; the
        # outcome of this page is in the audit log, without the token.
        response._has_been_logged = True
        return response

    return wrapper


def _page(request, state: str, *, callout=None, form=None, error="", status=200):
    return render(
        request,
        TEMPLATE,
        {
            "state": state,
            "callout": callout,
            "deployment": callout.deployment if callout else None,
            "form": form,
            "error": error,
        },
        status=status,
    )


@_private
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token: str):
    """The call-out's facts and the two buttons; the answer on POST."""
    if _over_limit(request):
        return _page(request, "limited", status=429)
    callout = callout_find(token)
    if callout is None:
        return _page(request, "invalid", status=404)
    if callout.is_expired and request.method != "POST":
        return _page(request, "expired", callout=callout, status=410)
    if request.method != "POST":
        return _page(request, "open", callout=callout, form=AnswerForm())
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _page(request, "open", callout=callout, form=form, status=400)
    try:
        answered = callout_answer(
            token=token,
            answer=form.cleaned_data["answer"],
            user=request.user,
            note=form.cleaned_data["note"],
            request=request,
        )
    except PermissionDenied as error:
        return _page(request, "other", callout=callout, error=str(error), status=403)
    except ValidationError as error:
        callout = callout_find(token)
        state = "open" if callout is not None and not callout.is_expired else "closed"
        return _page(
            request,
            state,
            callout=callout,
            form=form if state == "open" else None,
            error=" ".join(error.messages),
            status=400,
        )
    if answered is None:
        return _page(request, "invalid", status=404)
    return _page(request, answered.status, callout=answered)


urlpatterns = [
    path("<str:token>/", answer, name="answer"),
]
