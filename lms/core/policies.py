"""Wagtail permission policies, answered from roles and the organisation
tree rather than from Django's model permissions.

Every model with an admin viewset has a ``ScopedPolicy``: what a kind of
user may do with the kind of row (``superuser_actions``,
``coordinator_actions``; nobody else anything), and which rows
(``scoped(user)``, a selector).  The admin views find rows only through the
policy (``lms.core.viewsets.ScopedViewSet``), and so do the parts of
Wagtail that ask a policy about one object rather than going through our
views (editing sessions, the admin URL finder, bulk actions).

Units and people: a coordinator may add, change and view those of their own
subtree; only superusers delete (people are deactivated instead, which
keeps their ledger and audit trail intact).  The audit log is read-only.
"""

from django.db.models import Q, QuerySet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from . import selectors
from .models import AuditEvent, OrgUnit, Role, User
from .permissions import can_manage_person, can_manage_unit, can_manage_units

#: Every action Wagtail's generic admin views ask a policy about.
ACTIONS = frozenset({"add", "change", "delete", "view"})
#: A listing nobody writes to in the admin (a ledger, a log).
READ_ONLY = frozenset({"view"})


class ScopedPolicy(BasePermissionPolicy):
    """The base of every admin policy of the project.

    Subclasses give ``scoped(user)``, the rows the user may see, and may
    narrow ``coordinator_actions`` and ``superuser_actions``; a read-only
    listing sets both to ``READ_ONLY`` (or fewer).  ``in_scope`` answers
    for one row; by default whether ``scoped`` holds it, and a subclass
    with a query-free predicate (``can_manage_unit``) uses that instead.
    """

    coordinator_actions: frozenset[str] = ACTIONS
    superuser_actions: frozenset[str] = ACTIONS

    def scoped(self, user) -> QuerySet:
        raise NotImplementedError

    def in_scope(self, user, instance) -> bool:
        return self.scoped(user).filter(pk=instance.pk).exists()

    def actions_for(self, user) -> frozenset[str]:
        """What ``user`` may do with rows of this kind, wherever they are."""
        if not (user.is_authenticated and user.is_active):
            return frozenset()
        if user.is_superuser:
            return self.superuser_actions
        if can_manage_units(user):
            return self.coordinator_actions
        return frozenset()

    def user_has_permission(self, user, action) -> bool:
        return action in self.actions_for(user)

    def user_has_any_permission(self, user, actions) -> bool:
        return bool(self.actions_for(user) & set(actions))

    def users_with_any_permission(self, actions) -> QuerySet[User]:
        actions = set(actions)
        holders = Q(pk__in=[])
        if actions & self.superuser_actions:
            holders |= Q(is_superuser=True)
        if actions & self.coordinator_actions:
            holders |= Q(groups__name=Role.COORDINATOR)
        return User.objects.filter(holders, is_active=True).distinct()

    def users_with_permission(self, action) -> QuerySet[User]:
        return self.users_with_any_permission([action])

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self.user_has_permission(user, action) and self.in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return self.user_has_any_permission(user, actions) and self.in_scope(
            user, instance
        )

    def instances_user_has_permission_for(self, user, action) -> QuerySet:
        return self.instances_user_has_any_permission_for(user, [action])

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.scoped(user)


def register_policies(*policies: ScopedPolicy) -> None:
    """Register each policy for its model.  Call it where the app's
    viewsets are registered, before them: a viewset without a registered
    policy would fall back to Django's model permissions, which know
    nothing of units (``ScopedViewSet`` refuses to register then)."""
    for policy in policies:
        register_permission_policy(policy.model, policy)


#: What coordinators do with units and people (deleting is for superusers).
COORDINATOR_ACTIONS = frozenset({"add", "change", "view"})


class OrgUnitPolicy(ScopedPolicy):
    coordinator_actions = COORDINATOR_ACTIONS

    def in_scope(self, user, instance: OrgUnit) -> bool:
        return can_manage_unit(user, instance)

    def scoped(self, user) -> QuerySet[OrgUnit]:
        return selectors.units_manageable_by(user=user)


class PersonPolicy(ScopedPolicy):
    coordinator_actions = COORDINATOR_ACTIONS

    def in_scope(self, user, instance: User) -> bool:
        return user.is_superuser or can_manage_person(user, instance)

    def scoped(self, user) -> QuerySet[User]:
        return selectors.people_manageable_by(user=user)


class AuditEventPolicy(ScopedPolicy):
    """The audit log can be read by superusers and changed by no one."""

    coordinator_actions = frozenset()
    superuser_actions = READ_ONLY

    def in_scope(self, user, instance: AuditEvent) -> bool:
        return user.is_superuser

    def scoped(self, user) -> QuerySet[AuditEvent]:
        if not user.is_superuser:
            return AuditEvent.objects.none()
        return AuditEvent.objects.all()
