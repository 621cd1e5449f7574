"""Certification evaluation: how far a person is with each requirement of a
track version, which records count, and what is missing (the next step
for a gap is ``selectors.next_steps``).

Evaluation is a pure function of the records and ``today``: it writes
nothing and the database does the counting.  Each kind of requirement is
answered by one query, whatever the number of records or (for
``evaluate_many``) people: the counted rows come back with a window sum per
person and requirement, so the figure and the rows behind it are read
together.  A record never counts twice within one requirement.

What counts, per kind (records outside the period or dated after
``today`` never count; ``period_months`` empty: any date up to ``today``):

- ``lessons``: completed ``LessonProgress`` of live lessons at or below the
  chosen pages (a module counts as all its lessons), by completion date.
  ``need`` is the row's number: "all of module X" is written as need = the
  module's lesson count, so a lesson added later never fails anyone
  enrolled in a published version.
- ``hours``: standing ledger credits (a credit that was reversed does not
  count, nor its reversal; the two carry the same date, so this is the
  net sum) of the chosen categories (empty: all), by ``earned_on``; always
  measured in hours.
- ``practice``: approved entries of the chosen kinds (empty: all), by
  ``occurred_on``; an original whose amendment was approved counts through
  the amendment only.  A count of entries, or hours (minutes / 60).
- ``supervision``: sessions the person took part in (``participants``) of
  the chosen kind and form, by ``held_at``; a count, or hours.
- ``techniques``: masteries *confirmed* by a supervisor (reaching the
  three-client rule asks for the confirmation; the sign-off is what
  certification trusts), of the chosen techniques (empty: any), by
  ``reached_at``; a count.
- ``shifts``: sign-ups checked in and out of shifts not cancelled, by the
  shift's start; a count.
- ``ratings``: distinct raters whose latest rating of the person on the
  rubric is at or above ``min_level``; a newer lower rating supersedes an
  older higher one.  ``need`` is the number of distinct supervisors.
- ``qualification``: verified qualifications of the kind not expired on
  ``today`` (by ``issued_on`` for the period); ``need`` is normally 1.
- ``certificate``: certificates of ``certificate_track`` the person holds
  that are in force on ``today`` (``selectors.certificates.in_force_q``:
  issued, not revoked, not expired), by ``issued_on``; ``need`` is
  normally 1.  Talent-pool tiers use it ("a valid 团辅带领 certificate").

The period is "the last N calendar months": from the same day N months
before ``today`` (the month's last day when it is shorter), both ends
included, in the site's time zone (Asia/Shanghai) for moments.
"""

import calendar
import datetime
import functools
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Page

from courses.models import LessonProgress
from lms.core.models import HoursEntry, User

from ..models import (
    Certificate,
    PracticeEntry,
    Qualification,
    Rating,
    Requirement,
    ShiftSignup,
    SupervisionSession,
    TechniqueMastery,
    TrackVersion,
)
from .certificates import in_force_q

K = Requirement.Kind
ZERO = Decimal("0")
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class RequirementResult:
    """One requirement's standing for one person."""

    requirement: Requirement
    have: Decimal
    need: Decimal
    met: bool
    records: tuple[tuple[str, int], ...]
    missing: str

    @property
    def percent(self) -> int:
        if self.need <= 0:
            return 100
        return min(100, int((self.have * 100 / self.need).to_integral(ROUND_FLOOR)))


# --- periods --------------------------------------------------------------------


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months before ``day`` (the month's
    last day when that month is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _dated_q(field: str, *, moment: bool, since, today) -> Q:
    """Rows whose ``field`` lies in [since, today] (``since`` may be None)."""
    end = today + datetime.timedelta(days=1)
    if moment:
        q = Q(**{f"{field}__lt": _day_start(end)})
        if since is not None:
            q &= Q(**{f"{field}__gte": _day_start(since)})
        return q
    q = Q(**{f"{field}__lte": today})
    if since is not None:
        q &= Q(**{f"{field}__gte": since})
    return q


# --- what counts, per kind ------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    label: str  # "app.model" of the counted record
    person: str  # the field naming the person
    record: str  # the field naming the record's pk
    date: str  # the field the period reads
    moment: bool  # ``date`` is a datetime


def _latest_rating_q() -> Q:
    newer = Rating.objects.filter(
        person=OuterRef("person"), rater=OuterRef("rater"), rubric=OuterRef("rubric")
    ).filter(
        Q(rated_at__gt=OuterRef("rated_at"))
        | Q(rated_at=OuterRef("rated_at"), pk__gt=OuterRef("pk"))
    )
    return ~Q(Exists(newer))


_Participation = SupervisionSession.participants.through

KINDS = {
    K.LESSONS: _Kind("courses.lessonprogress", "person_id", "pk", "completed_at", True),
    K.HOURS: _Kind("core.hoursentry", "person_id", "pk", "earned_on", False),
    K.PRACTICE: _Kind(
        "supervision.practiceentry", "person_id", "pk", "occurred_on", False
    ),
    K.SUPERVISION: _Kind(
        "supervision.supervisionsession",
        "user_id",
        "supervisionsession_id",
        "supervisionsession__held_at",
        True,
    ),
    K.TECHNIQUES: _Kind(
        "supervision.techniquemastery", "person_id", "pk", "reached_at", True
    ),
    K.SHIFTS: _Kind(
        "supervision.shiftsignup", "person_id", "pk", "shift__starts_at", True
    ),
    K.RATINGS: _Kind("supervision.rating", "person_id", "pk", "rated_at", True),
    K.QUALIFICATION: _Kind(
        "supervision.qualification", "person_id", "pk", "issued_on", False
    ),
    K.CERTIFICATE: _Kind(
        "supervision.certificate", "holder_id", "pk", "issued_on", False
    ),
}


def _rows(kind: str, today: datetime.date) -> QuerySet:
    """Every row of ``kind`` that could count for anyone (before the
    requirement's own condition)."""
    if kind == K.LESSONS:
        return LessonProgress.objects.filter(
            completed_at__isnull=False, lesson__live=True
        )
    if kind == K.HOURS:
        return HoursEntry.objects.filter(
            kind=HoursEntry.Kind.CREDIT, reversed_by__isnull=True
        )
    if kind == K.PRACTICE:
        approved = PracticeEntry.Status.APPROVED
        amended = PracticeEntry.objects.filter(amends=OuterRef("pk"), status=approved)
        return PracticeEntry.objects.filter(status=approved).exclude(Exists(amended))
    if kind == K.SUPERVISION:
        return _Participation.objects.all()
    if kind == K.TECHNIQUES:
        return TechniqueMastery.objects.filter(confirmed_at__isnull=False)
    if kind == K.SHIFTS:
        return ShiftSignup.objects.filter(
            checked_in_at__isnull=False,
            checked_out_at__isnull=False,
            shift__cancelled_at__isnull=True,
        )
    if kind == K.RATINGS:
        return Rating.objects.filter(_latest_rating_q())
    if kind == K.CERTIFICATE:
        return Certificate.objects.filter(in_force_q(today))
    return Qualification.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today),
        status=Qualification.Status.VERIFIED,
    )


def _condition(req: Requirement) -> Q | None:
    """The requirement's own filter on its kind's rows; None: nothing can
    count (no pages, no rubric, no qualification kind)."""
    if req.kind == K.LESSONS:
        paths = [page.path for page in req.pages.all()]
        if not paths:
            return None
        return functools.reduce(
            operator.or_, (Q(lesson__path__startswith=p) for p in paths)
        )
    if req.kind == K.HOURS:
        return Q(category__in=req.hours_categories) if req.hours_categories else Q()
    if req.kind == K.PRACTICE:
        return Q(kind__in=req.practice_kinds) if req.practice_kinds else Q()
    if req.kind == K.SUPERVISION:
        q = Q()
        if req.supervision_kind:
            q &= Q(supervisionsession__kind=req.supervision_kind)
        if req.supervision_format:
            q &= Q(supervisionsession__format=req.supervision_format)
        return q
    if req.kind == K.TECHNIQUES:
        ids = [t.pk for t in req.techniques.all()]
        return Q(technique_id__in=ids) if ids else Q()
    if req.kind == K.SHIFTS:
        return Q()
    if req.kind == K.RATINGS:
        if req.rubric_id is None:
            return None
        return Q(rubric_id=req.rubric_id, level__gte=req.min_level or 1)
    if req.kind == K.CERTIFICATE:
        if req.certificate_track_id is None:
            return None
        return Q(track_id=req.certificate_track_id)
    if req.qualification_kind_id is None:
        return None
    return Q(kind_id=req.qualification_kind_id)


def _in_hours(req: Requirement) -> bool:
    if req.kind == K.HOURS:
        return True
    return (
        req.kind in (K.PRACTICE, K.SUPERVISION)
        and req.measure == Requirement.Measure.HOURS
    )


def _amount(req: Requirement):
    """What one counted row adds: 1, its hours, or its minutes."""
    if req.kind == K.HOURS:
        return F("hours")
    if _in_hours(req):
        return F(
            "supervisionsession__minutes" if req.kind == K.SUPERVISION else "minutes"
        )
    return Value(1)


def _tally(kind, reqs, person_ids: list[int], today) -> dict:
    """One query for every requirement of ``kind``: (person id, requirement
    id) → (total, [record pks]).  The database sums (a window per person);
    Python only sorts the returned pks to their requirements."""
    spec = KINDS[kind]
    conditions = {}
    for req in reqs:
        condition = _condition(req)
        if condition is None:
            continue
        since = months_before(today, req.period_months) if req.period_months else None
        conditions[req.pk] = condition & _dated_q(
            spec.date, moment=spec.moment, since=since, today=today
        )
    if not conditions:
        return {}
    decimal = DecimalField(max_digits=14, decimal_places=2)
    by_req = {req.pk: req for req in reqs}
    annotations = {}
    for pk, condition in conditions.items():
        annotations[f"in_{pk}"] = Case(
            When(condition, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        annotations[f"sum_{pk}"] = Window(
            Sum(
                Case(
                    When(condition, then=_amount(by_req[pk])),
                    default=Value(0),
                    output_field=decimal,
                )
            ),
            partition_by=[F(spec.person)],
        )
    rows = (
        _rows(kind, today)
        .filter(**{f"{spec.person}__in": person_ids})
        .filter(functools.reduce(operator.or_, conditions.values()))
        .annotate(**annotations)
        .order_by(spec.person, spec.record)
        .values_list(spec.person, spec.record, *annotations)
    )
    found = {}
    for row in rows:
        person, record, values = row[0], row[1], row[2:]
        for index, pk in enumerate(conditions):
            if values[2 * index]:
                _total, records = found.setdefault(
                    (person, pk), (values[2 * index + 1], [])
                )
                records.append(record)
    return found


def _requirements(version: TrackVersion, *, renewal: bool) -> list[Requirement]:
    rows = Requirement.objects.filter(version=version)
    if renewal:
        rows = rows.filter(for_renewal=True)
    return list(
        rows.select_related(
            "version", "rubric", "qualification_kind", "certificate_track"
        )
        .prefetch_related(
            Prefetch("pages", queryset=Page.objects.only("pk", "path", "title")),
            "techniques",
        )
        .order_by("position", "pk")
    )


def _evaluate(person_ids: list[int], version, *, today, renewal) -> dict:
    today = today or timezone.localdate()
    reqs = _requirements(version, renewal=renewal)
    by_kind = defaultdict(list)
    for req in reqs:
        by_kind[req.kind].append(req)
    found = {}
    for kind, group in by_kind.items():
        found.update(_tally(kind, group, person_ids, today))
    return {
        person: [_result(req, found.get((person, req.pk))) for req in reqs]
        for person in person_ids
    }


def _result(req: Requirement, tally) -> RequirementResult:
    total, pks = tally if tally else (ZERO, [])
    have = Decimal(total or 0)
    if _in_hours(req) and req.kind != K.HOURS:
        have = have / 60
    have = have.quantize(HUNDREDTH) if _in_hours(req) else have.quantize(Decimal(1))
    need = Decimal(req.need)
    met = have >= need
    label = KINDS[req.kind].label
    return RequirementResult(
        requirement=req,
        have=have,
        need=need,
        met=met,
        records=tuple((label, pk) for pk in pks),
        missing="" if met else missing_sentence(req, need - have),
    )


def evaluate(
    person: User,
    version: TrackVersion,
    *,
    today: datetime.date | None = None,
    renewal: bool = False,
) -> list[RequirementResult]:
    """``person``'s standing on every requirement of ``version`` (with
    ``renewal``, only those also required to renew), in order.

    Reads only; no permission check (callers fetch the person through a
    scoped selector).  Three queries for the requirements and one per kind
    of requirement, whatever the number of records."""
    results = _evaluate([person.pk], version, today=today, renewal=renewal)
    return results[person.pk]


def evaluate_many(
    people: Iterable[User] | QuerySet,
    version: TrackVersion,
    *,
    today: datetime.date | None = None,
) -> dict[int, list[RequirementResult]]:
    """Person id → ``evaluate(person, version)`` for each of ``people``, in
    a fixed number of queries whatever their number (for progress tables)."""
    if isinstance(people, QuerySet):
        ids = list(people.values_list("pk", flat=True))
    else:
        ids = [person.pk for person in people]
    return _evaluate(ids, version, today=today, renewal=False)


# --- what is missing ------------------------------------------------------------


def amount_text(value: Decimal) -> str:
    """3 for 3.00, 4.5 for 4.50."""
    return format(value.normalize(), "f")


def missing_sentence(req: Requirement, gap: Decimal) -> str:
    """What is missing, as whole sentences in the active language."""
    n = int(gap.to_integral(ROUND_CEILING))  # picks the plural form
    values = {"title": req.title, "gap": amount_text(gap)}
    if req.kind == K.QUALIFICATION:
        kind = req.qualification_kind
        values["qualification"] = str(kind) if kind else req.title
        text = _("%(title)s: a verified %(qualification)s is needed (upload it).")
    elif req.kind == K.CERTIFICATE:
        track = req.certificate_track
        values["track"] = str(track) if track else req.title
        text = _(
            "%(title)s: a valid certificate of “%(track)s” is needed (issued, "
            "not expired, not revoked)."
        )
    elif req.kind == K.RATINGS:
        values["rubric"] = str(req.rubric) if req.rubric else ""
        values["level"] = amount_text(Decimal(req.min_level or 1))
        text = ngettext(
            "%(title)s: %(gap)s more supervisor's rating at level %(level)s or "
            "above on “%(rubric)s”.",
            "%(title)s: %(gap)s more supervisors' ratings at level %(level)s or "
            "above on “%(rubric)s”.",
            n,
        )
    elif _in_hours(req):
        text = {
            K.HOURS: _("%(title)s: %(gap)s more ledger hours."),
            K.PRACTICE: _("%(title)s: %(gap)s more hours of approved practice."),
            K.SUPERVISION: _("%(title)s: %(gap)s more hours of supervision."),
        }[req.kind]
    elif req.kind == K.LESSONS:
        text = ngettext(
            "%(title)s: %(gap)s more lesson to complete.",
            "%(title)s: %(gap)s more lessons to complete.",
            n,
        )
    elif req.kind == K.PRACTICE:
        text = ngettext(
            "%(title)s: %(gap)s more approved practice entry.",
            "%(title)s: %(gap)s more approved practice entries.",
            n,
        )
    elif req.kind == K.SUPERVISION:
        text = ngettext(
            "%(title)s: %(gap)s more supervision session.",
            "%(title)s: %(gap)s more supervision sessions.",
            n,
        )
    elif req.kind == K.TECHNIQUES:
        text = ngettext(
            "%(title)s: %(gap)s more technique mastered and confirmed.",
            "%(title)s: %(gap)s more techniques mastered and confirmed.",
            n,
        )
    else:
        text = ngettext(
            "%(title)s: %(gap)s more duty shift worked (checked in and out).",
            "%(title)s: %(gap)s more duty shifts worked (checked in and out).",
            n,
        )
    sentence = text % values
    if req.period_months:
        months = req.period_months
        sentence += " " + ngettext(
            "Only records of the last %(months)s month count.",
            "Only records of the last %(months)s months count.",
            months,
        ) % {"months": months}
    return sentence
