"""Wagtail permission policies for units and people.

They answer from roles and the organisation tree rather than Django model
permissions: a coordinator may add, change and view the units and people
of their own subtree, nothing else; only superusers delete (people are
deactivated instead, which keeps their ledger and audit trail intact).
"""

from django.db.models import Q, QuerySet
from wagtail.permission_policies.base import BasePermissionPolicy, ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import selectors
from .models import OrgUnit, Role, User
from .permissions import can_manage_person, can_manage_unit, can_manage_units

COORDINATOR_ACTIONS = frozenset({"add", "change", "view"})


class _ScopedPolicy(BasePermissionPolicy):
    def user_has_permission(self, user, action) -> bool:
        if not (user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        return action in COORDINATOR_ACTIONS and can_manage_units(user)

    def user_has_any_permission(self, user, actions) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions) -> QuerySet[User]:
        managers = Q(is_superuser=True)
        if set(actions) & COORDINATOR_ACTIONS:
            managers |= Q(groups__name=Role.COORDINATOR)
        return User.objects.filter(managers, is_active=True).distinct()

    def users_with_permission(self, action) -> QuerySet[User]:
        return self.users_with_any_permission([action])

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self.user_has_permission(user, action) and self._in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return any(
            self.user_has_permission_for_instance(user, action, instance)
            for action in actions
        )

    def instances_user_has_permission_for(self, user, action) -> QuerySet:
        if not self.user_has_permission(user, action):
            return self.model._default_manager.none()
        return self._scoped(user)

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self._scoped(user)


class OrgUnitPolicy(_ScopedPolicy):
    def _in_scope(self, user, instance: OrgUnit) -> bool:
        return can_manage_unit(user, instance)

    def _scoped(self, user) -> QuerySet[OrgUnit]:
        return selectors.units_manageable_by(user=user)


class PersonPolicy(_ScopedPolicy):
    def _in_scope(self, user, instance: User) -> bool:
        return user.is_superuser or can_manage_person(user, instance)

    def _scoped(self, user) -> QuerySet[User]:
        return selectors.people_manageable_by(user=user)


class AuditEventPolicy(BasePermissionPolicy):
    """The audit log can be read by superusers and changed by no one."""

    def user_has_permission(self, user, action) -> bool:
        return action == "view" and user.is_active and user.is_superuser

    def users_with_any_permission(self, actions) -> QuerySet[User]:
        if "view" not in actions:
            return User.objects.none()
        return User.objects.filter(is_superuser=True, is_active=True)


class ScopedModelPolicy(ModelPermissionPolicy):
    """Django's model permissions say what a user may do with a kind of row;
    ``scoped(user)``, the function behind the model's admin listing, says
    which rows.

    Registered for the models whose admin listings are scoped, so that the
    parts of Wagtail that ask the policy about one object rather than going
    through our views (editing sessions, the admin URL finder, bulk actions)
    find nothing outside the user's subtree either.
    """

    def __init__(self, model, *, scoped):
        super().__init__(model)
        self.scoped = scoped

    def _in_scope(self, user, instance) -> bool:
        return self.scoped(user).filter(pk=instance.pk).exists()

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self.user_has_permission(user, action) and self._in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return self.user_has_any_permission(user, actions) and self._in_scope(
            user, instance
        )

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.scoped(user)


def register_scoped_policies(*viewset_classes) -> None:
    """Register a ``ScopedModelPolicy`` for each viewset's model, scoped as its
    listing is.  Call it at the top of a ``wagtail_hooks`` module: a policy
    must be registered before the viewset, which would otherwise fall back
    to Django's model permissions, which know nothing of units."""
    for viewset_class in viewset_classes:
        model = viewset_class.model
        scoped = viewset_class.index_view_class.scoped
        register_permission_policy(model, ScopedModelPolicy(model, scoped=scoped))
