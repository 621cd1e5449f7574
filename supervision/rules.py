"""Which practice rules apply to a unit: its own policy row, else its
nearest ancestor's, else the deployment's defaults (``Rules``).

This module is the only place that looks the nearest policy up, in three
forms that must agree (``tests/test_unit_tree.py`` checks the first two on
every unit of a tree):

- one unit: ``policy_for`` (the row or None) and ``rules_for`` (the rules),
  one query;
- many units: ``policies_by_unit`` and ``rules_by_unit``, one query for
  all of them;
- inside a queryset: ``rule_value``, one rule for the unit of each row
  (a subquery, with the default when no unit above has a policy), and
  ``rule_values_in_use`` to split a filter by the few values in use.
"""

from collections.abc import Iterable

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from lms.core.models import OrgUnit

from .models import Rules, UnitPolicy


def policy_for(unit: OrgUnit | None) -> UnitPolicy | None:
    """The policy row nearest at or above ``unit``, or None (one query)."""
    if unit is None:
        return None
    return (
        UnitPolicy.objects.filter(unit.ancestors_q("unit__"))
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )


def rules_for(unit: OrgUnit | None) -> Rules:
    """The rules in force for ``unit`` (one query)."""
    policy = policy_for(unit)
    return policy.rules() if policy else Rules()


def policies_by_unit(units: Iterable[OrgUnit]) -> dict[int, UnitPolicy | None]:
    """``policy_for`` of each of ``units`` by pk, from one query (none when
    ``units`` is empty)."""
    units = {unit.pk: unit for unit in units}
    if not units:
        return {}
    paths = {path for unit in units.values() for path in unit.ancestor_paths()}
    by_path = {
        policy.unit.path: policy
        for policy in UnitPolicy.objects.filter(unit__path__in=paths).select_related(
            "unit"
        )
    }
    return {
        pk: next(
            (by_path[p] for p in reversed(unit.ancestor_paths()) if p in by_path),
            None,
        )
        for pk, unit in units.items()
    }


def rules_by_unit(units: Iterable[OrgUnit]) -> dict[int, Rules]:
    """``rules_for`` of each of ``units`` by pk, from one query."""
    return {
        pk: policy.rules() if policy else Rules()
        for pk, policy in policies_by_unit(units).items()
    }


def rule_values_in_use(field: str) -> set:
    """Every value the rule ``field`` takes somewhere: the policies' and
    the default (one query)."""
    values = UnitPolicy.objects.values_list(field, flat=True).distinct()
    return set(values) | {getattr(Rules, field)}


def rule_value(field: str, *, unit_path: str = "unit__path") -> Coalesce:
    """An expression for a queryset: the rule ``field`` in force for the
    unit of each row (its path at ``unit_path``), that is the field of the
    nearest policy at or above it, else the ``Rules`` default.  A subquery,
    so no query of its own."""
    nearest = (
        UnitPolicy.objects.filter(OrgUnit.ancestors_of_q(OuterRef(unit_path), "unit__"))
        .order_by("-unit__depth")
        .values(field)[:1]
    )
    return Coalesce(
        Subquery(nearest),
        Value(getattr(Rules, field)),
        output_field=UnitPolicy._meta.get_field(field),
    )
