from django.http import Http404
from wagtail import hooks
from wagtail.users.views.bulk_actions import (
    AssignRoleBulkAction,
    DeleteBulkAction,
    SetActiveStateBulkAction,
)

from .viewsets import AuditEventViewSet, OrgUnitViewSet
from .wagtail_reports import hidden_report_urls


@hooks.register("register_admin_viewset")
def register_org_units():
    return OrgUnitViewSet("org_units")


@hooks.register("register_admin_viewset")
def register_audit_log():
    return AuditEventViewSet("audit_log")


@hooks.register("construct_settings_menu")
def hide_duplicate_users_item(request, menu_items):
    # People have their own top-level menu entry (PersonViewSet).
    menu_items[:] = [item for item in menu_items if item.name != "users"]


@hooks.register("construct_reports_menu")
def hide_reports_across_the_organisation(request, menu_items):
    """See ``lms.core.wagtail_reports``: their URLs answer 404 as well."""
    if not request.user.is_superuser:
        hidden = hidden_report_urls()
        menu_items[:] = [item for item in menu_items if item.url not in hidden]


class _SuperusersOnly:
    """Wagtail's bulk actions on users fetch any ids they are given (naming
    people of every unit on their confirmation page) and write without our
    services.  The people admin offers none; only platform administrators
    reach them, anyone else finds nothing."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


# After Wagtail's own registrations (order 0), so these replace them.
for _action in (AssignRoleBulkAction, DeleteBulkAction, SetActiveStateBulkAction):
    hooks.register(
        "register_bulk_action",
        type(_action.__name__, (_SuperusersOnly, _action), {}),
        order=1,
    )
