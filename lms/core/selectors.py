"""Reads scoped to the acting user.  Views fetch through these, so a row
outside the user's scope is simply not found (404), never "forbidden"."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from .models import HoursCategory, HoursEntry, OrgUnit, Role, User
from .permissions import can_manage_units, is_scoped_manager


def units_visible_to(*, user: User) -> QuerySet[OrgUnit]:
    """Units the user may see: coordinators and leaders get their home unit
    and all its descendants, superusers everything, anyone else only their
    own home unit."""
    units = OrgUnit.objects.all()
    if user.is_superuser:
        return units
    if not user.is_authenticated or user.home_unit_id is None:
        return units.none()
    if is_scoped_manager(user):
        return units.filter(user.home_unit.subtree_q())
    return units.filter(pk=user.home_unit_id)


def units_manageable_by(*, user: User) -> QuerySet[OrgUnit]:
    """Units a coordinator may edit and place people in."""
    if not can_manage_units(user):
        return OrgUnit.objects.none()
    return units_visible_to(user=user)


def people_visible_to(*, user: User) -> QuerySet[User]:
    """People the user may see: the subtree's members for coordinators and
    leaders, everyone for superusers, otherwise only themselves."""
    people = User.objects.select_related("home_unit").prefetch_related("groups")
    if user.is_superuser:
        return people
    if not user.is_authenticated:
        return people.none()
    if is_scoped_manager(user) and user.home_unit_id is not None:
        return people.filter(
            user.home_unit.subtree_q("home_unit__"), is_superuser=False
        )
    return people.filter(pk=user.pk)


def people_manageable_by(*, user: User) -> QuerySet[User]:
    if not can_manage_units(user):
        return User.objects.none()
    return people_visible_to(user=user)


def unit_get_for(*, user: User, pk: int) -> OrgUnit:
    return get_object_or_404(units_visible_to(user=user), pk=pk)


def person_get_for(*, user: User, pk: int) -> User:
    return get_object_or_404(people_visible_to(user=user), pk=pk)


def hours_by_category(entries: QuerySet[HoursEntry]) -> dict[str, Decimal]:
    """Net hours per category (reversals included) for a ledger queryset."""
    totals = {value: Decimal("0") for value in HoursCategory.values}
    for row in entries.values("category").annotate(total=Sum("hours")):
        totals[row["category"]] = row["total"] or Decimal("0")
    return totals


def hours_for_person(*, person: User) -> dict[str, Decimal]:
    return hours_by_category(HoursEntry.objects.filter(person=person))


def hours_for_subtree(*, unit: OrgUnit) -> dict[str, Decimal]:
    """Hours credited while people belonged to ``unit`` or a unit below it."""
    return hours_by_category(HoursEntry.objects.filter(unit.subtree_q("unit__")))


def hours_by_child_unit(*, unit: OrgUnit) -> list[dict]:
    """One row per direct child unit with its subtree's net hours, in one
    query per child level rather than one per unit."""
    children = list(unit.get_children())
    if not children:
        return []
    rows = (
        HoursEntry.objects.filter(unit.subtree_q("unit__"))
        .exclude(unit=unit)
        .values("unit__path", "category")
        .annotate(total=Sum("hours"))
    )
    hours = {
        child.pk: {value: Decimal("0") for value in HoursCategory.values}
        for child in children
    }
    for row in rows:
        child = next((c for c in children if c.contains(row["unit__path"])), None)
        if child is not None:
            hours[child.pk][row["category"]] += row["total"] or Decimal("0")
    return [{"unit": child, "hours": hours[child.pk]} for child in children]


def people_counts_by_role(*, user: User) -> dict[str, int]:
    """Active people the user may see, counted per role in one query."""
    counts = dict.fromkeys(Role.values, 0)
    rows = (
        people_visible_to(user=user)
        .filter(is_active=True, groups__name__in=Role.values)
        .order_by()
        .values("groups__name")
        .annotate(n=Count("pk", distinct=True))
    )
    for row in rows:
        counts[row["groups__name"]] = row["n"]
    return counts


def hours_summary(totals: dict[str, Decimal]) -> dict:
    """Rows per category, in the ledger's order, with their total."""
    rows = [
        {"category": value, "label": label, "hours": totals.get(value, Decimal("0"))}
        for value, label in HoursCategory.choices
    ]
    return {"rows": rows, "total": sum(row["hours"] for row in rows)}


def leaders_over(*, units: Iterable[OrgUnit]) -> QuerySet[User]:
    """Active leaders whose home unit is one of ``units`` or above one: those
    told of every change to who may reach private data there."""
    condition = Q(pk__in=[])
    for unit in units:
        condition |= unit.ancestors_q("home_unit__")
    return User.objects.filter(
        condition, is_active=True, groups__name=Role.LEADER
    ).distinct()
