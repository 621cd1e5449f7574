"""Staffing coverage: whether each grassroots unit has the qualified people
its policy asks for, and the share of covered grassroots units (the 2026
national plan's measure: 80% of villages and communities served).

For a grassroots unit (``OrgUnit.Level.GRASSROOTS``):

- *need* is ``coverage_need`` of the nearest unit policy (``rules.py``;
  1 without one);
- *have* counts the active people whose home unit is that unit and who
  are in the policy's ``coverage_tier`` or a higher-ranked tier of its
  scheme (any pool tier when the policy names none, or there is no
  policy), or hold a certificate of the policy's ``coverage_track`` in
  force today (``certificates.in_force_q``);
- it is covered when have ≥ need.

Every other unit shows the roll-up: covered grassroots units out of the
grassroots units at or below it.  Inactive units are left out.

Queries: the units, their policies, the tiers those policies name and one
grouped count of the qualified people; four, however many units.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from lms.core.models import OrgUnit, User
from lms.core.permissions import is_scoped_manager

from ..models import Certificate, PoolMember, Rules, Tier
from ..rules import policies_by_unit
from .certificates import in_force_q

#: The national plan's aim: this share of grassroots units covered.
TARGET_PERCENT = 80


@dataclass
class UnitCoverage:
    """One unit's line of the coverage page."""

    unit: OrgUnit
    parent_name: str = ""
    need: int | None = None
    have: int | None = None
    grassroots_total: int = 0
    grassroots_covered: int = 0

    @property
    def is_grassroots(self) -> bool:
        return self.unit.level == OrgUnit.Level.GRASSROOTS

    @property
    def covered(self) -> bool | None:
        """Whether a grassroots unit has what it needs; None for others."""
        if self.need is None:
            return None
        return self.have >= self.need

    @property
    def gap(self) -> int:
        return max((self.need or 0) - (self.have or 0), 0)


@dataclass
class CoverageReport:
    """Every unit of a subtree, uncovered grassroots units first, then the
    rest in tree order; with the share of covered grassroots units."""

    rows: list[UnitCoverage] = field(default_factory=list)
    grassroots_total: int = 0
    grassroots_covered: int = 0

    @property
    def share(self) -> Decimal | None:
        """Covered grassroots units in percent (one decimal), or None when
        there are none."""
        if not self.grassroots_total:
            return None
        percent = Decimal(self.grassroots_covered * 100) / self.grassroots_total
        return percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def target_met(self) -> bool:
        share = self.share
        return share is not None and share >= TARGET_PERCENT

    @property
    def uncovered(self) -> list[UnitCoverage]:
        return [row for row in self.rows if row.covered is False]


def coverage_units_visible_to(*, user: User) -> QuerySet[OrgUnit]:
    """Active units whose coverage the user reads: their unit and below
    for coordinators and leaders, every unit for platform administrators,
    none for anyone else.  Queryset twin of
    ``permissions.can_see_unit_coverage``."""
    units = OrgUnit.objects.filter(is_active=True)
    if not is_scoped_manager(user):
        return units.none()
    if user.is_superuser:
        return units
    if user.home_unit_id is None:
        return units.none()
    return units.filter(user.home_unit.subtree_q())


def coverage_unit_get_for(*, user: User, pk: int) -> OrgUnit:
    """One unit whose coverage the user reads, or 404."""
    return get_object_or_404(coverage_units_visible_to(user=user), pk=pk)


def qualified_q(*, tier: Tier | None, track_id: int | None, today: datetime.date) -> Q:
    """People (a ``User`` filter) who count towards coverage under a rule
    of ``tier`` (or higher in its scheme; any pool tier when None) or a
    certificate of ``track_id`` in force on ``today``."""
    person = OuterRef("pk")
    members = PoolMember.objects.filter(person=person)
    if tier is not None:
        members = members.filter(scheme_id=tier.scheme_id, tier__rank__gte=tier.rank)
    counted = Q(Exists(members))
    if track_id is not None:
        held = Certificate.objects.filter(
            in_force_q(today), holder=person, track_id=track_id
        )
        counted |= Q(Exists(held))
    return counted


def _rules_of(grassroots: list[OrgUnit]) -> tuple[dict, dict]:
    """Per grassroots unit pk: its need, and its rule as (tier pk, track
    pk); from the nearest policy of each (one query)."""
    need, rule = {}, {}
    for pk, policy in policies_by_unit(grassroots).items():
        if policy is None:
            need[pk], rule[pk] = Rules().coverage_need, (None, None)
        else:
            need[pk] = policy.rules().coverage_need
            rule[pk] = (policy.coverage_tier_id, policy.coverage_track_id)
    return need, rule


def _have(
    grassroots: list[OrgUnit],
    rule: dict,
    *,
    root: OrgUnit | None,
    today: datetime.date,
) -> dict[int, int]:
    """Qualified active people per grassroots unit pk, from one grouped
    query (plus one for the tiers the rules name)."""
    units_by_rule = defaultdict(list)
    for unit in grassroots:
        units_by_rule[rule[unit.pk]].append(unit.pk)
    tier_ids = {tier_id for tier_id, _track in units_by_rule if tier_id}
    tiers = Tier.objects.in_bulk(tier_ids) if tier_ids else {}
    counted = Q()
    for (tier_id, track_id), unit_ids in units_by_rule.items():
        part = qualified_q(tier=tiers.get(tier_id), track_id=track_id, today=today)
        if len(units_by_rule) > 1:
            part &= Q(home_unit_id__in=unit_ids)
        counted |= part
    people = User.objects.filter(
        is_active=True,
        is_superuser=False,
        home_unit__is_active=True,
        home_unit__level=OrgUnit.Level.GRASSROOTS,
    )
    if root is not None:
        people = people.filter(root.subtree_q("home_unit__"))
    rows = (
        people.filter(counted)
        .order_by()
        .values("home_unit")
        .annotate(n=Count("pk"))
        .values_list("home_unit", "n")
    )
    return dict(rows)


def coverage_report(
    *, units: list[OrgUnit], root: OrgUnit | None, today: datetime.date
) -> CoverageReport:
    """The coverage of ``units`` (a whole subtree in path order: ``root``
    and everything active below it, or every active unit when ``root`` is
    None)."""
    by_path = {unit.path: UnitCoverage(unit=unit) for unit in units}
    for row in by_path.values():
        above = row.unit.ancestor_paths()[:-1]
        parent = by_path.get(above[-1]) if above else None
        row.parent_name = parent.unit.name if parent else ""
    grassroots = [u for u in units if u.level == OrgUnit.Level.GRASSROOTS]
    report = CoverageReport()
    if grassroots:
        need, rule = _rules_of(grassroots)
        have = _have(grassroots, rule, root=root, today=today)
        for unit in grassroots:
            row = by_path[unit.path]
            row.need, row.have = need[unit.pk], have.get(unit.pk, 0)
            for path in unit.ancestor_paths():
                above = by_path.get(path)
                if above is not None:
                    above.grassroots_total += 1
                    above.grassroots_covered += int(row.covered)
        report.grassroots_total = len(grassroots)
        report.grassroots_covered = sum(
            1 for unit in grassroots if by_path[unit.path].covered
        )
    rows = list(by_path.values())
    report.rows = [r for r in rows if r.covered is False] + [
        r for r in rows if r.covered is not False
    ]
    return report


def coverage_for(
    *, user: User, unit: OrgUnit | None = None, today: datetime.date
) -> CoverageReport:
    """The coverage of ``unit``'s subtree (the user's own subtree when
    None), within what the user may read (``coverage_units_visible_to``)."""
    root = unit
    if root is None and not user.is_superuser:
        root = user.home_unit
    units = coverage_units_visible_to(user=user)
    if root is not None:
        units = units.filter(root.subtree_q())
    return coverage_report(units=list(units.order_by("path")), root=root, today=today)
