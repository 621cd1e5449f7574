"""``{% sessions_to_run %}``: the coordinator's sessions of today and the
days ahead, each with its check-in screen and attendance list, for the
/manage/ home (issue 16, item 21).  A tag, so the management home in
``lms.core`` names no courses code beyond its template."""

import datetime

from django import template
from django.utils import timezone

from ..selectors.sessions import sessions_manageable_by

register = template.Library()

#: How far ahead the home lists sessions, and how many.
DAYS_AHEAD = 7
LIMIT = 8


def sessions_to_run(*, user, now=None) -> list:
    """Sessions in ``user``'s subtree that are on now or start within
    ``DAYS_AHEAD`` days, soonest first."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        sessions_manageable_by(user=user)
        .filter(
            ends_at__gte=today, starts_at__lte=now + datetime.timedelta(days=DAYS_AHEAD)
        )
        .order_by("starts_at", "pk")[:LIMIT]
    )


@register.inclusion_tag("courses/sessions/manage_card.html", takes_context=True)
def sessions_card(context):
    now = timezone.now()
    return {
        "sessions": sessions_to_run(user=context["request"].user, now=now),
        "now": now,
    }
