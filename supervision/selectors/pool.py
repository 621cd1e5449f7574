"""Reads of the talent pool (人才库): which scheme applies to a person,
where they stand and what the next tier asks, who meets a tier's rules,
the dossier a coordinator decides on, and the review queue.

Tier rules are track versions evaluated by the certification engine
(``selectors.certification``), so "meets the rules" means exactly what a
certification progress page shows.  The dossier holds professional facts
only: certificates, hours, ratings, confirmed masteries and counts of
practice and supervision, never a case, a practice reflection or a
personal-growth note.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from lms.core.models import HoursCategory, HoursEntry, OrgUnit, User
from lms.core.permissions import can_manage_units, is_scoped_manager
from lms.core.selectors import people_manageable_by, people_visible_to

from ..models import (
    Certificate,
    PoolMember,
    PoolScheme,
    PracticeEntry,
    Qualification,
    Rating,
    SupervisionSession,
    TechniqueMastery,
    Tier,
    TierChange,
    Track,
    TrackVersion,
)
from .certification import RequirementResult, evaluate, evaluate_many, months_before
from .enrolments import tracks_manageable_by

#: The periods of the dossier's hours, in months (None: all time).
PERIODS = (12, 36, None)
#: Rows of each list on the dossier (the page stays readable).
DOSSIER_ROWS = 100


# --- schemes and tiers ------------------------------------------------------------


def _nearest(schemes: Iterable[PoolScheme], unit: OrgUnit | None) -> PoolScheme | None:
    """Of ``schemes``, the one defined nearest at or above ``unit`` (the
    deepest; by code when two share a unit).  No query."""
    if unit is None:
        return None
    fitting = [s for s in schemes if s.unit.contains(unit)]
    if not fitting:
        return None
    return min(fitting, key=lambda s: (-len(s.unit.path), s.code))


def scheme_for(person: User) -> PoolScheme | None:
    """The scheme that applies to ``person``: the one defined at the
    nearest unit at or above their home unit (one query)."""
    home = person.home_unit if person.is_authenticated else None
    if home is None:
        return None
    schemes = PoolScheme.objects.filter(home.ancestors_q("unit__")).select_related(
        "unit"
    )
    return _nearest(schemes, home)


def schemes_manageable_by(*, user: User) -> QuerySet[PoolScheme]:
    """Schemes of the coordinator's unit and below (all for platform
    administrators).  Queryset form of ``permissions.can_manage_scheme``."""
    if not can_manage_units(user):
        return PoolScheme.objects.none()
    if user.is_superuser:
        return PoolScheme.objects.select_related("unit")
    if user.home_unit_id is None:
        return PoolScheme.objects.none()
    return PoolScheme.objects.filter(user.home_unit.subtree_q("unit__")).select_related(
        "unit"
    )


def tiers_manageable_by(*, user: User) -> QuerySet[Tier]:
    return Tier.objects.filter(
        scheme__in=schemes_manageable_by(user=user).values("pk")
    ).select_related("scheme", "rules__track")


def tier_rule_versions_for(*, user: User) -> QuerySet[TrackVersion]:
    """Published versions of tier-rules tracks the coordinator manages:
    the choices of a tier's entry rules."""
    return (
        TrackVersion.objects.filter(
            published_at__isnull=False,
            track__purpose=Track.Purpose.TIER,
            track__in=tracks_manageable_by(user=user).values("pk"),
        )
        .select_related("track")
        .order_by("track__name", "-number")
    )


def schemes_applying_to(*, person: User) -> QuerySet[PoolScheme]:
    """Every scheme defined at or above the person's home unit (a person
    keeps a place in a farther one when a nearer scheme is added)."""
    home = person.home_unit
    if home is None:
        return PoolScheme.objects.none()
    return PoolScheme.objects.filter(home.ancestors_q("unit__")).select_related("unit")


def tiers_open_to(*, person: User) -> QuerySet[Tier]:
    """The tiers a coordinator may place ``person`` in: those of every
    scheme applying to them, senior first."""
    return (
        Tier.objects.filter(scheme__in=schemes_applying_to(person=person).values("pk"))
        .select_related("scheme", "rules__track")
        .order_by("scheme__name", "-rank", "name")
    )


# --- people in scope ----------------------------------------------------------------


def pool_people_visible_to(*, user: User) -> QuerySet[User]:
    """People whose dossier the user may read: coordinators and leaders
    over their home unit (platform administrators: everyone but other
    administrators).  Queryset form of ``permissions.can_see_dossier``."""
    if not is_scoped_manager(user):
        return User.objects.none()
    if user.home_unit_id is None and not user.is_superuser:
        return User.objects.none()
    return people_visible_to(user=user).filter(
        is_superuser=False, home_unit__isnull=False
    )


def people_placeable_by(*, user: User) -> QuerySet[User]:
    """People a coordinator may place, move or take out of the pool: those
    of their subtree, never themselves.  Queryset form of
    ``permissions.can_decide_tier``."""
    return (
        people_manageable_by(user=user)
        .filter(home_unit__isnull=False)
        .exclude(pk=user.pk)
        .exclude(is_superuser=True)
    )


def tier_changes_visible_to(*, user: User) -> QuerySet[TierChange]:
    """The tier history of the people of the coordinator's subtree (the
    admin listing)."""
    rows = TierChange.objects.select_related(
        "person", "scheme", "from_tier", "to_tier", "actor"
    )
    if not can_manage_units(user):
        return rows.none()
    if user.is_superuser:
        return rows
    if user.home_unit_id is None:
        return rows.none()
    return rows.filter(user.home_unit.subtree_q("person__home_unit__"))


# --- standing and candidates ------------------------------------------------------


@dataclass(frozen=True)
class NextTier:
    """A tier the person could move up to, with their standing on its rules
    (``results`` empty for a tier without rules: the coordinator decides)."""

    tier: Tier
    results: list[RequirementResult]

    @property
    def met(self) -> int:
        return sum(1 for result in self.results if result.met)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def ready(self) -> bool:
        return bool(self.results) and self.met == self.total


@dataclass(frozen=True)
class Standing:
    """Where a person stands in the scheme that applies to them."""

    scheme: PoolScheme | None
    member: PoolMember | None
    next_tiers: list[NextTier] = field(default_factory=list)

    @property
    def tier(self) -> Tier | None:
        return self.member.tier if self.member else None


def _tiers_above(tiers: list[Tier], rank: int | None) -> list[Tier]:
    """All tiers of the lowest rank above ``rank`` (the entry rank for
    someone outside the pool)."""
    higher = [tier for tier in tiers if rank is None or tier.rank > rank]
    if not higher:
        return []
    lowest = min(tier.rank for tier in higher)
    return sorted(
        (tier for tier in higher if tier.rank == lowest), key=lambda t: t.name
    )


def _scheme_tiers(scheme: PoolScheme) -> list[Tier]:
    return list(scheme.tiers.select_related("rules__track").order_by("rank", "name"))


def standing(person: User, *, today: datetime.date | None = None) -> Standing:
    """``person``'s place in the scheme that applies to them (``scheme_for``)
    and, for each next tier (all tiers of the lowest rank above theirs), the
    evaluation of its rules.  Reads only; no permission check."""
    scheme = scheme_for(person)
    if scheme is None:
        return Standing(scheme=None, member=None)
    member = (
        PoolMember.objects.filter(person=person, scheme=scheme)
        .select_related("tier__rules__track", "scheme")
        .first()
    )
    tiers = _scheme_tiers(scheme)
    above = _tiers_above(tiers, member.tier.rank if member else None)
    return Standing(
        scheme=scheme,
        member=member,
        next_tiers=[
            NextTier(
                tier=tier,
                results=evaluate(person, tier.rules, today=today) if tier.rules else [],
            )
            for tier in above
        ],
    )


def _meets(results: list[RequirementResult]) -> bool:
    return bool(results) and all(result.met for result in results)


def candidates(
    tier: Tier, people: Iterable[User] | QuerySet, *, today: datetime.date | None = None
) -> list[User]:
    """Those of ``people`` meeting every requirement of ``tier``'s rules,
    in the order given; a fixed number of queries whatever their number
    (``evaluate_many``).  A tier without rules has no candidates: entry is
    the coordinator's decision alone."""
    people = list(people)
    if tier.rules_id is None or not people:
        return []
    results = evaluate_many(people, tier.rules, today=today)
    return [person for person in people if _meets(results.get(person.pk, []))]


# --- the dossier ------------------------------------------------------------------


@dataclass(frozen=True)
class Dossier:
    """The facts a coordinator decides a tier on, about one person."""

    person: User
    certificates: list
    qualifications: list
    hours: list[dict]
    hours_totals: dict
    ratings: list
    masteries: list
    practice: list[dict]
    practice_totals: dict
    supervision: list[dict]
    supervision_totals: dict
    memberships: list
    history: list


def _period_sums(field_name: str, today: datetime.date, value: str) -> dict:
    """Sum(``value``) of rows in each of ``PERIODS`` (by ``field_name``)."""
    sums = {}
    for months in PERIODS:
        key = f"m{months}" if months else "all"
        condition = Q()
        if months:
            condition = Q(**{f"{field_name}__gte": months_before(today, months)})
        sums[key] = Sum(value, filter=condition, default=Decimal("0"))
    return sums


def _hours(person: User, today: datetime.date) -> tuple[list[dict], dict]:
    """Net ledger hours per category in the last 12 and 36 months and all
    time (reversals included, records dated after today not)."""
    rows = (
        HoursEntry.objects.filter(person=person, earned_on__lte=today)
        .values("category")
        .annotate(**_period_sums("earned_on", today, "hours"))
    )
    by_category = {row["category"]: row for row in rows}
    zero = {"m12": Decimal("0"), "m36": Decimal("0"), "all": Decimal("0")}
    table = [
        {"label": label, **{k: by_category.get(value, zero)[k] for k in zero}}
        for value, label in HoursCategory.choices
    ]
    totals = {k: sum(row[k] for row in table) for k in zero}
    return table, totals


def _practice(person: User, today: datetime.date) -> tuple[list[dict], dict]:
    """Approved practice per kind: entries and hours, last 12 months and all
    time.  Counts only: no title, reflection or case is read."""
    since = months_before(today, 12)
    recent = Q(occurred_on__gte=since)
    rows = (
        PracticeEntry.objects.filter(
            person=person,
            status=PracticeEntry.Status.APPROVED,
            occurred_on__lte=today,
        )
        .values("kind")
        .annotate(
            count=Count("pk"),
            total_minutes=Sum("minutes", default=0),
            recent_count=Count("pk", filter=recent),
            recent_minutes=Sum("minutes", filter=recent, default=0),
        )
    )
    labels = dict(PracticeEntry.Kind.choices)
    table = [
        {
            "label": labels.get(row["kind"], row["kind"]),
            "count": row["count"],
            "hours": Decimal(row["total_minutes"]) / 60,
            "recent_count": row["recent_count"],
            "recent_hours": Decimal(row["recent_minutes"]) / 60,
        }
        for row in sorted(rows, key=lambda r: -r["count"])
    ]
    return table, _totals(table)


def _totals(table: list[dict]) -> dict:
    keys = ("count", "hours", "recent_count", "recent_hours")
    return {key: sum((row[key] for row in table), 0) for key in keys}


def _supervision(person: User, today: datetime.date) -> tuple[list[dict], dict]:
    """Supervision sessions taken part in, per kind and form: sessions and
    hours, last 12 months and all time.  Never a summary or a note."""
    since = timezone.make_aware(
        datetime.datetime.combine(months_before(today, 12), datetime.time.min)
    )
    end = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min)
    )
    recent = Q(held_at__gte=since)
    rows = (
        SupervisionSession.objects.filter(participants=person, held_at__lt=end)
        .values("kind", "format")
        .annotate(
            count=Count("pk"),
            total_minutes=Sum("minutes", default=0),
            recent_count=Count("pk", filter=recent),
            recent_minutes=Sum("minutes", filter=recent, default=0),
        )
        .order_by("kind", "format")
    )
    kinds = dict(SupervisionSession._meta.get_field("kind").choices)
    formats = dict(SupervisionSession.Format.choices)
    table = [
        {
            "label": f"{kinds.get(row['kind'], row['kind'])} · "
            f"{formats.get(row['format'], row['format'])}",
            "count": row["count"],
            "hours": Decimal(row["total_minutes"]) / 60,
            "recent_count": row["recent_count"],
            "recent_hours": Decimal(row["recent_minutes"]) / 60,
        }
        for row in rows
    ]
    return table, _totals(table)


def dossier(person: User, *, today: datetime.date | None = None) -> Dossier:
    """Everything a coordinator weighs to place ``person`` in a tier, in a
    fixed number of queries: certificates (with their standing today),
    verified qualifications, ledger hours by category for the last 12 and
    36 months and all time, ratings with the supervisors' comments,
    confirmed masteries, practice and supervision counts and hours, their
    places in the pool and the tier history.  Reads only; the caller
    fetched ``person`` through ``pool_people_visible_to``."""
    today = today or timezone.localdate()
    hours, hours_totals = _hours(person, today)
    practice, practice_totals = _practice(person, today)
    supervision, supervision_totals = _supervision(person, today)
    certificates = [
        (certificate, certificate.standing(today))
        for certificate in Certificate.objects.filter(holder=person)
        .select_related("track")
        .order_by("-issued_on", "-pk")[:DOSSIER_ROWS]
    ]
    return Dossier(
        person=person,
        certificates=certificates,
        qualifications=list(
            Qualification.objects.filter(
                person=person, status=Qualification.Status.VERIFIED
            )
            .select_related("kind")
            .order_by("-issued_on", "-pk")[:DOSSIER_ROWS]
        ),
        hours=hours,
        hours_totals=hours_totals,
        ratings=list(
            Rating.objects.filter(person=person)
            .select_related("rater", "rubric")
            .order_by("-rated_at", "-pk")[:DOSSIER_ROWS]
        ),
        masteries=list(
            TechniqueMastery.objects.filter(person=person, confirmed_at__isnull=False)
            .select_related("technique", "confirmed_by")
            .order_by("-confirmed_at", "-pk")[:DOSSIER_ROWS]
        ),
        practice=practice,
        practice_totals=practice_totals,
        supervision=supervision,
        supervision_totals=supervision_totals,
        memberships=list(
            PoolMember.objects.filter(person=person).select_related("scheme", "tier")
        ),
        history=list(tier_history(person=person)[:DOSSIER_ROWS]),
    )


def tier_history(*, person: User) -> QuerySet[TierChange]:
    """Every move of ``person`` in the pool, newest first."""
    return (
        TierChange.objects.filter(person=person)
        .select_related("scheme", "from_tier", "to_tier", "actor")
        .order_by("-at", "-pk")
    )


# --- the review queue ---------------------------------------------------------------


@dataclass(frozen=True)
class ReadyRow:
    """Someone of the user's subtree who meets a next tier's rules."""

    person: User
    member: PoolMember | None
    tier: Tier


@dataclass(frozen=True)
class ReviewQueue:
    flagged: list[PoolMember]
    ready: list[ReadyRow]


def _schemes_touching(user: User) -> list[PoolScheme]:
    """Schemes defined above, at or below the user's home unit, with their
    tiers (two queries)."""
    rows = PoolScheme.objects.select_related("unit").prefetch_related(
        "tiers__rules__track"
    )
    if not user.is_superuser:
        home = user.home_unit
        rows = rows.filter(home.ancestors_q("unit__") | home.subtree_q("unit__"))
    return list(rows)


def review_queue(
    *, user: User, today: datetime.date | None = None, limit: int = 500
) -> ReviewQueue:
    """What waits for a coordinator's decision in their subtree: members
    flagged for review (a certificate their tier needs lapsed), and people
    who meet every rule of a next tier of the scheme applying to them
    (outside the pool: its entry tier).  Tiers without rules are the
    coordinator's call and propose nobody.

    A fixed number of queries as people and members grow: the people, the
    schemes and their tiers, the memberships, then one evaluation
    (``evaluate_many``) per tier that has someone to evaluate."""
    people_rows = people_placeable_by(user=user)
    if not is_scoped_manager(user) or not can_manage_units(user):
        return ReviewQueue(flagged=[], ready=[])
    flagged = list(
        PoolMember.objects.filter(person__in=people_rows.values("pk"))
        .exclude(review_reason="")
        .select_related("person__home_unit", "tier", "scheme")
        .order_by("flagged_at", "pk")[:limit]
    )
    schemes = _schemes_touching(user)
    if not schemes:
        return ReviewQueue(flagged=flagged, ready=[])
    people = list(
        people_rows.filter(is_active=True)
        .select_related("home_unit")
        .order_by("home_unit__path", "full_name", "pk")
    )
    members = {
        (m.person_id, m.scheme_id): m
        for m in PoolMember.objects.filter(
            person__in=[p.pk for p in people], scheme__in=schemes
        ).select_related("tier")
    }
    tiers_of = {
        scheme.pk: sorted(scheme.tiers.all(), key=lambda t: (t.rank, t.name))
        for scheme in schemes
    }
    waiting = defaultdict(list)  # tier → [(person, member)]
    tiers_by_pk = {}
    for person in people:
        scheme = _nearest(schemes, person.home_unit)
        if scheme is None:
            continue
        member = members.get((person.pk, scheme.pk))
        if member is not None and member.needs_review:
            continue  # already waiting as flagged
        rank = member.tier.rank if member else None
        for tier in _tiers_above(tiers_of[scheme.pk], rank):
            if tier.rules_id is not None:
                tiers_by_pk[tier.pk] = tier
                waiting[tier.pk].append((person, member))
    ready = []
    for tier_pk, rows in waiting.items():
        tier = tiers_by_pk[tier_pk]
        met = {p.pk for p in candidates(tier, [p for p, _m in rows], today=today)}
        ready += [
            ReadyRow(person=p, member=m, tier=tier) for p, m in rows if p.pk in met
        ]
    ready.sort(key=lambda row: (row.person.home_unit.path, row.person.full_name))
    return ReviewQueue(flagged=flagged, ready=ready[:limit])
