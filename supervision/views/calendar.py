"""A personal calendar feed (iCalendar, RFC 5545) and the page that shows
its secret URL with a reset button.

The feed is read without logging in: a phone's calendar subscribes by
URL.  The URL carries the person's 43-character random secret
(``supervision.models.CalendarFeed``); a wrong or reset secret is a 404,
the same answer as for a URL that never existed.  The text is written by
hand: CRLF line ends, lines folded at 75 octets, ``\\``, ``;``, ``,`` and
newlines escaped in text values, times in UTC (``Z``), all-day deadlines
as ``VALUE=DATE``.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..models.calendar import new_feed_secret
from ..selectors import calendar as selectors
from ..selectors.calendar import Event

CRLF = "\r\n"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and
    newlines escaped; other control characters dropped."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch == "\n" or ch >= " " or ch == "\t")
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """``line`` folded so no physical line exceeds 75 octets of UTF-8
    (continuations start with a space), never inside a character."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        limit = 75 if not out else 74  # a continuation's space counts
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += width
    out.append(current)
    return (CRLF + " ").join(out)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: Event, *, host: str, stamp: str) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{event.uid}@{host}", f"DTSTAMP:{stamp}"]
    if event.all_day:
        lines += [
            f"DTSTART;VALUE=DATE:{event.starts:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.ends:%Y%m%d}",
            "TRANSP:TRANSPARENT",
        ]
    else:
        lines += [f"DTSTART:{_utc(event.starts)}", f"DTEND:{_utc(event.ends)}"]
    lines.append("SUMMARY:" + escape_text(event.summary))
    if event.location:
        lines.append("LOCATION:" + escape_text(event.location))
    if event.description:
        lines.append("DESCRIPTION:" + escape_text(event.description))
    lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
    lines.append("END:VEVENT")
    return lines


def ical_text(
    events: list[Event], *, name: str, host: str, now: datetime.datetime
) -> str:
    """The whole VCALENDAR for ``events``."""
    stamp = _utc(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//lms//practice calendar//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + escape_text(name),
        "X-WR-TIMEZONE:" + settings.TIME_ZONE,
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for event in events:
        lines += _event_lines(event, host=host, stamp=stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def _host(request) -> str:
    return request.get_host().split(":")[0] or "lms"


@never_cache
@require_http_methods(["GET", "HEAD"])
def calendar_feed(request, secret: str):
    """The feed behind ``secret``; 404 for any secret that is not current."""
    feed = selectors.feed_for_secret(secret)
    if feed is None:
        raise Http404
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        events = selectors.feed_events(person=feed.person, now=now)
        name = _("%(name)s: shifts, sessions and deadlines") % {
            "name": feed.person.get_full_name() or feed.person.get_username()
        }
        body = ical_text(events, name=name, host=_host(request), now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def feed_url(request, feed) -> str:
    return request.build_absolute_uri(
        reverse("supervision:calendar_feed", args=[feed.secret])
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def calendar_page(request):
    """The person's feed URL, how to subscribe, and the reset button."""
    feed = selectors.feed_of(person=request.user)
    url = feed_url(request, feed)
    return render(
        request,
        "supervision/calendar/page.html",
        {
            "feed": feed,
            "url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[-1],
        },
    )


@login_required
@require_POST
def calendar_reset(request):
    """A new secret: the old URL answers 404 from now on."""
    feed = selectors.feed_of(person=request.user)
    feed.secret = new_feed_secret()
    feed.reset_at = timezone.now()
    feed.save(update_fields=["secret", "reset_at"])
    messages.success(
        request,
        _(
            "Your calendar address was reset. The old address no longer works: "
            "subscribe again with the new one."
        ),
    )
    return HttpResponseRedirect(reverse("supervision:calendar"))


urlpatterns = [
    path("calendar/", calendar_page, name="calendar"),
    path("calendar/reset/", calendar_reset, name="calendar_reset"),
    path("calendar/<str:secret>.ics", calendar_feed, name="calendar_feed"),
]
