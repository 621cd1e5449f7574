from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class CoreConfig(AppConfig):
    name = "lms.core"
    label = "core"
    verbose_name = _("Organisation and people")


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's users section, replaced by our scoped people admin.

    Coordinators manage the people of their subtree there; the permission
    policy and the querysets keep everyone else out of sight.
    """

    user_viewset = "lms.core.viewsets.PersonViewSet"

    def ready(self):
        from django.contrib.auth.models import Group
        from wagtail.permissions import register_permission_policy

        from .models import AuditEvent, OrgUnit, User
        from .policies import AuditEventPolicy, OrgUnitPolicy, PersonPolicy

        register_permission_policy(User, PersonPolicy(User))
        register_permission_policy(OrgUnit, OrgUnitPolicy(OrgUnit))
        register_permission_policy(AuditEvent, AuditEventPolicy(AuditEvent))
        register_permission_policy(Group)
