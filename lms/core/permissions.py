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
    return home is not None and home.contains(unit)


def can_manage_units(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.has_role(Role.COORDINATOR)
    )


def can_manage_unit(user: User, unit: OrgUnit) -> bool:
    return can_manage_units(user) and unit_in_scope(user, unit)


def can_manage_person(user: User, person: User) -> bool:
    if person.is_superuser and not user.is_superuser:
        return False
    return (
        can_manage_units(user)
        and person.home_unit is not None
        and unit_in_scope(user, person.home_unit)
    )


def roles_held(person: User) -> frozenset[str]:
    """The person's roles whether or not the account is active
    (``User.roles`` is empty for an inactive one)."""
    if not person.pk:
        return frozenset()
    return frozenset(
        group.name for group in person.groups.all() if group.name in Role.values
    )


def is_unused_account(person: User) -> bool:
    """Nobody has opened the account yet: never logged in, no usable password."""
    return person.last_login is None and not person.has_usable_password()


def can_change_access(user: User, person: User) -> bool:
    """Whether ``user`` may change ``person``'s roles, home unit or
    activation: those who manage the person, never for themselves (nobody
    grants themselves a role or moves into another unit's scope).  The
    person form disables those fields when this is false."""
    return user.pk != person.pk and can_manage_person(user, person)


def can_change_email(user: User, person: User) -> bool:
    """Whether ``user`` may set ``person``'s e-mail address in the admin: those
    who manage the person, only while nobody has used the account.  After
    that only the person changes it, through allauth's verified change, which
    tells the old address."""
    return (
        user.pk != person.pk
        and can_manage_person(user, person)
        and is_unused_account(person)
    )
