"""The audit log read in the reader's language.

Services write ``AuditEvent.detail`` as short code-made English ("shift
compliance 2026-03 (csv)", "track created"); the row is append-only and
stays as written.  The admin listing shows it through :func:`detail_label`,
which words the known shapes again with gettext and leaves anything else
(a reason or comment someone typed) as it is.  Rows are never rewritten."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# Whole details written verbatim by a service.
FIXED = {
    "left the pool": gettext_noop("left the pool"),
    "kept after review": gettext_noop("kept after review"),
    "scheme created": gettext_noop("scheme created"),
    "scheme changed": gettext_noop("scheme changed"),
    "tier changed": gettext_noop("tier changed"),
    "technique mastery confirmed": gettext_noop("technique mastery confirmed"),
    "track created": gettext_noop("track created"),
    "track changed": gettext_noop("track changed"),
    "draft edited": gettext_noop("draft edited"),
    "enrolled": gettext_noop("enrolled"),
    "applied": gettext_noop("applied"),
    "approved": gettext_noop("approved"),
    "declined": gettext_noop("declined"),
}

# (pattern, sentence with the pattern's named groups); first match wins.
SHAPES = [
    (
        re.compile(r"^shift compliance (?P<month>\S+) \((?P<format>\w+)\)$"),
        gettext_noop("shift compliance report %(month)s (%(format)s)"),
    ),
    (
        re.compile(r"^staffing coverage \((?P<format>\w+)\): (?P<scope>.*)$"),
        gettext_noop("staffing coverage (%(format)s): %(scope)s"),
    ),
    (
        re.compile(r"^certificate register \((?P<format>\w+)\): (?P<query>.*)$"),
        gettext_noop("certificate register (%(format)s): %(query)s"),
    ),
    (
        re.compile(r"^approved ?(?P<comment>.*)$"),
        gettext_noop("approved %(comment)s"),
    ),
    (
        re.compile(r"^returned ?(?P<comment>.*)$"),
        gettext_noop("returned %(comment)s"),
    ),
    (
        re.compile(r"^opened; risk (?P<risk>.*)$"),
        gettext_noop("opened; risk %(risk)s"),
    ),
    (re.compile(r"^(?P<count>\d+) notes$"), gettext_noop("%(count)s notes")),
    (
        re.compile(r"^risk (?P<before>.*) -> (?P<after>.*)$"),
        gettext_noop("risk %(before)s → %(after)s"),
    ),
    (re.compile(r"^closed on (?P<date>\S+)$"), gettext_noop("closed on %(date)s")),
    (
        re.compile(r"^withdrawn on (?P<date>\S+)$"),
        gettext_noop("withdrawn on %(date)s"),
    ),
    (re.compile(r"^recorded: (?P<what>.*)$"), gettext_noop("recorded: %(what)s")),
    (
        re.compile(r"^draft v(?P<number>\d+) made$"),
        gettext_noop("draft v%(number)s made"),
    ),
    (
        re.compile(r"^v(?P<number>\d+) published$"),
        gettext_noop("v%(number)s published"),
    ),
    (
        re.compile(r"^tier created in (?P<scheme>.*)$"),
        gettext_noop("tier created in %(scheme)s"),
    ),
    (
        re.compile(r"^flagged for review: (?P<person>.*) in (?P<tier>.*)$"),
        gettext_noop("flagged for review: %(person)s in %(tier)s"),
    ),
    (
        re.compile(r"^certificate revoked: (?P<reason>.*)$"),
        gettext_noop("certificate revoked: %(reason)s"),
    ),
    (
        re.compile(r"^qualification (?P<to>.*)$"),
        gettext_noop("qualification %(to)s"),
    ),
    (
        re.compile(r"^team created; (?P<count>\d+) members$"),
        gettext_noop("team created; %(count)s members"),
    ),
    (
        re.compile(r"^team changed; (?P<added>\d+) added, (?P<removed>\d+) removed$"),
        gettext_noop("team changed; %(added)s added, %(removed)s removed"),
    ),
    (
        re.compile(
            r"^drill (?P<what>linked|changed|unlinked): session (?P<session>\d+)$"
        ),
        gettext_noop("drill %(what)s: session %(session)s"),
    ),
    (
        re.compile(
            r"^(?P<kind>practice|growth) supervisors of (?P<trainee>.*?): (?P<rest>.*)$"
        ),
        gettext_noop("%(kind)s supervisors of %(trainee)s: %(rest)s"),
    ),
    (
        re.compile(r"^email: (?P<rest>.*)$"),
        gettext_noop("email: %(rest)s"),
    ),
]

# Code words that may appear inside a shape's groups.
WORDS = {
    "csv": "CSV",
    "xlsx": "XLSX",
    "all": gettext_noop("all units"),
    "practice": gettext_noop("practice"),
    "growth": gettext_noop("personal growth"),
    "linked": gettext_noop("linked"),
    "changed": gettext_noop("changed"),
    "unlinked": gettext_noop("unlinked"),
}


def detail_label(detail: str) -> str:
    """``detail`` worded in the active language where its shape is known."""
    text = (detail or "").strip()
    if not text:
        return ""
    if text in FIXED:
        return _(FIXED[text])
    for pattern, sentence in SHAPES:
        match = pattern.match(text)
        if match:
            groups = {
                key: _(WORDS[value]) if value in WORDS else value
                for key, value in match.groupdict().items()
            }
            return (_(sentence) % groups).strip()
    return text
