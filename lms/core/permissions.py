"""Pure predicates: who may do what.  No queries beyond the objects given."""

from .models import SCOPED_ROLES, OrgUnit, Role, User


def is_scoped_manager(user: User) -> bool:
    """Coordinators and leaders see their unit and everything below it."""
    return user.is_authenticated and (
        user.is_superuser or bool(user.roles & SCOPED_ROLES)
    )


def unit_in_scope(user: User, unit: OrgUnit) -> bool:
    """Whether ``unit`` is the user's home unit or below it."""
    if user.is_superuser:
        return True
    home = user.home_unit
    return home is not None and unit.path.startswith(home.path)


def can_view_unit(user: User, unit: OrgUnit) -> bool:
    return is_scoped_manager(user) and unit_in_scope(user, unit)


def can_manage_units(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.has_role(Role.COORDINATOR)
    )


def can_manage_unit(user: User, unit: OrgUnit) -> bool:
    return can_manage_units(user) and unit_in_scope(user, unit)


def can_view_person(user: User, person: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.pk == person.pk or user.is_superuser:
        return True
    return (
        is_scoped_manager(user)
        and person.home_unit is not None
        and unit_in_scope(user, person.home_unit)
    )


def can_manage_person(user: User, person: User) -> bool:
    if person.is_superuser and not user.is_superuser:
        return False
    return (
        can_manage_units(user)
        and person.home_unit is not None
        and unit_in_scope(user, person.home_unit)
    )
