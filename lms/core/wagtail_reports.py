"""Wagtail's own reports, mounted in front of Wagtail's URLs (``lms.urls``):
their exports write safe cells, and those that read across the whole
organisation are for platform administrators only.

- Site history lists every unit's log entries (sessions, shifts,
  assignments, people) with names; scoping it would take a selector per
  logged model and still name whoever edited the shared syllabus, so it
  is hidden.
- Locked pages, aging pages, workflows and workflow tasks name whoever
  locked, published or sent the shared syllabus for moderation, in any
  unit, and their filters list those people: hidden.  A page's own lock
  and workflow state still show on the page.
- Page types usage counts the syllabus's page types and names nobody: kept.

A hidden report answers 404 to anyone else signed in, and its menu item
is removed (``lms.core.wagtail_hooks``).
"""

from functools import wraps

from django.http import Http404
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.locked_pages import LockedPagesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView

from .spreadsheets import SafeSpreadsheetExport

#: Wagtail's report routes under /admin/reports/, their views, and whether
#: only platform administrators may open them.
REPORTS = [
    ("locked/", LockedPagesView, True),
    ("workflow/", WorkflowView, True),
    ("workflow_tasks/", WorkflowTasksView, True),
    ("site-history/", LogEntriesView, True),
    ("aging-pages/", AgingPagesView, True),
    ("page-types-usage/", PageTypesUsageReportView, False),
]


def hidden_report_urls() -> set[str]:
    reports = reverse("wagtailadmin_home") + "reports/"
    return {reports + route for route, _view, hidden in REPORTS if hidden}


def _superusers_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _report_view(view_class, *, superusers_only: bool, results_only: bool):
    """Wagtail's report view with safe exports, behind the admin's own
    access check (anonymous visitors go to the login page)."""
    safe_class = type(view_class.__name__, (SafeSpreadsheetExport, view_class), {})
    view = safe_class.as_view(results_only=results_only)
    if superusers_only:
        view = _superusers_only(view)
    return never_cache(require_admin_access(view))


urlpatterns = [
    path(
        route + suffix,
        _report_view(view_class, superusers_only=hidden, results_only=bool(suffix)),
    )
    for route, view_class, hidden in REPORTS
    for suffix in ("", "results/")
]
