"""Who is free on a range of dates: no duty shift, offline session or crisis
deployment then.  One home for the rule, in two forms that must agree
(``tests/supervision/test_availability.py``):

- ``busy_q(start, end)``: a filter on people, for the directory and the
  team proposal (one SQL condition, whatever the pool's size);
- ``clashes(person_ids, start, end)``: what each of them is busy with, in
  words, for the pages that say why someone is not proposed.

A person is busy when, on any day from ``start`` to ``end`` (both
included, in the site's time zone):

- they hold a place (signed up, not waitlisted) on a duty shift that is not
  cancelled;
- an offline session is held that they facilitate, were recorded at, or
  whose cohort they belong to;
- they were called out for, or accepted, a live deployment (being
  assembled or called out), other than ``exclude_deployment``.
"""

import datetime
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from courses.models import OfflineSession

from ..models import CallOut, Deployment, ShiftSignup


def _bounds(start: datetime.date, end: datetime.date):
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    finish = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return begin, finish


def _shift_signups(start, end):
    begin, finish = _bounds(start, end)
    return ShiftSignup.objects.filter(
        status=ShiftSignup.Status.SIGNED_UP,
        shift__cancelled_at__isnull=True,
        shift__starts_at__lt=finish,
        shift__ends_at__gt=begin,
    )


def _sessions(start, end):
    begin, finish = _bounds(start, end)
    return OfflineSession.objects.filter(starts_at__lt=finish, ends_at__gt=begin)


#: How a session concerns a person (each its own ``EXISTS``: one subquery
#: joining all three with OR made SQLite scan the pool once per person).
SESSION_LINKS = ("facilitators", "attendances__person", "cohort__memberships__person")


def _callouts(start, end, exclude_deployment):
    rows = CallOut.objects.filter(
        status__in=CallOut.HOLDING,
        deployment__status__in=Deployment.LIVE,
        deployment__starts_on__lte=end,
        deployment__ends_on__gte=start,
    )
    if exclude_deployment is not None:
        rows = rows.exclude(deployment=exclude_deployment)
    return rows


def busy_q(
    start: datetime.date,
    end: datetime.date,
    *,
    exclude_deployment: Deployment | None = None,
) -> Q:
    """People (a ``User`` queryset's filter) busy on some day of the range."""
    shift = Exists(_shift_signups(start, end).filter(person=OuterRef("pk")))
    sessions = _sessions(start, end)
    callout = Exists(
        _callouts(start, end, exclude_deployment).filter(person=OuterRef("pk"))
    )
    busy = Q(shift) | Q(callout)
    for link in SESSION_LINKS:
        busy |= Q(Exists(sessions.filter(**{link: OuterRef("pk")})))
    return busy


def _when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def clashes(
    person_ids,
    start: datetime.date,
    end: datetime.date,
    *,
    exclude_deployment: Deployment | None = None,
) -> dict[int, list[str]]:
    """Person id → what they are busy with in the range, in words (people
    who are free are absent).  Three queries."""
    person_ids = list(person_ids)
    found: dict[int, list[str]] = defaultdict(list)
    if not person_ids:
        return {}
    for signup in (
        _shift_signups(start, end)
        .filter(person_id__in=person_ids)
        .select_related("shift__unit")
        .order_by("shift__starts_at")
    ):
        found[signup.person_id].append(
            _("Duty shift at %(unit)s, %(when)s")
            % {"unit": signup.shift.unit.name, "when": _when(signup.shift.starts_at)}
        )
    ids = set(person_ids)
    sessions = (
        _sessions(start, end)
        .filter(
            Q(facilitators__in=person_ids)
            | Q(attendances__person__in=person_ids)
            | Q(cohort__memberships__person__in=person_ids)
        )
        .distinct()
        .prefetch_related("facilitators", "attendances", "cohort__memberships")
        .order_by("starts_at")
    )
    for session in sessions:
        concerned = {f.pk for f in session.facilitators.all()}
        concerned |= {a.person_id for a in session.attendances.all()}
        if session.cohort_id:
            concerned |= {m.person_id for m in session.cohort.memberships.all()}
        for pk in sorted(concerned & ids):
            found[pk].append(
                _("Session “%(title)s”, %(when)s")
                % {"title": session.title, "when": _when(session.starts_at)}
            )
    for callout in (
        _callouts(start, end, exclude_deployment)
        .filter(person_id__in=person_ids)
        .select_related("deployment")
        .order_by("deployment__starts_on")
    ):
        found[callout.person_id].append(
            _("Crisis deployment “%(title)s”, %(start)s–%(end)s")
            % {
                "title": callout.deployment.title,
                "start": formats.date_format(
                    callout.deployment.starts_on, "SHORT_DATE_FORMAT"
                ),
                "end": formats.date_format(
                    callout.deployment.ends_on, "SHORT_DATE_FORMAT"
                ),
            }
        )
    return dict(found)
