from wagtail import hooks

from .viewsets import AuditEventViewSet, OrgUnitViewSet


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
