"""Pages of the core app: role homes, units, people, my account, health."""

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_safe

from . import selectors
from .context_processors import role_homes
from .decorators import role_required
from .models import HoursCategory, HoursEntry, Role, WorkerHeartbeat
from .permissions import can_manage_units, is_scoped_manager

HEARTBEAT_STALE_AFTER = timezone.timedelta(minutes=3)


@login_required
def home(request):
    """Send each person to the home page of their first role."""
    homes = role_homes(request.user)
    if homes:
        return redirect(homes[0]["url"])
    if request.user.is_superuser:
        return redirect("wagtailadmin_home")
    return render(request, "core/no_role.html")


@role_required(Role.COORDINATOR)
def coordinator_home(request):
    unit = request.user.home_unit
    return render(
        request,
        "core/coordinator_home.html",
        {
            "unit": unit,
            "counts": selectors.people_counts_by_role(user=request.user),
            "unit_count": selectors.units_visible_to(user=request.user).count(),
        },
    )


@login_required
def unit_detail(request, pk: int):
    """A unit with its sub-units' hours and its members (scope: subtree)."""
    unit = selectors.unit_get_for(user=request.user, pk=pk)
    if not is_scoped_manager(request.user):
        # Trainees and supervisors can "see" their own unit's name elsewhere,
        # but this page is a manager's view: they get the same 404 as anyone
        # outside the subtree.
        raise Http404
    members = (
        selectors.people_visible_to(user=request.user)
        .filter(home_unit=unit)
        .order_by("full_name", "username")
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    visible = selectors.units_visible_to(user=request.user)
    ancestors = unit.get_ancestors().filter(pk__in=visible.values("pk"))
    return render(
        request,
        "core/unit_detail.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "hours": selectors.hours_summary(selectors.hours_for_subtree(unit=unit)),
            "children": selectors.hours_by_child_unit(unit=unit),
            "categories": HoursCategory.choices,
            "page": page,
            "can_manage": can_manage_units(request.user),
        },
    )


@login_required
def person_detail(request, pk: int):
    """A person's roles and hours ledger (self, or a manager in scope)."""
    person = selectors.person_get_for(user=request.user, pk=pk)
    entries = HoursEntry.objects.filter(person=person).select_related("unit")[:100]
    return render(
        request,
        "core/person_detail.html",
        {
            "person": person,
            "hours": selectors.hours_summary(selectors.hours_for_person(person=person)),
            "entries": entries,
        },
    )


@login_required
def my_account(request):
    from allauth.mfa.models import Authenticator

    has_totp = Authenticator.objects.filter(
        user=request.user, type=Authenticator.Type.TOTP
    ).exists()
    return render(request, "core/my_account.html", {"has_totp": has_totp})


@require_GET
@never_cache
def health(request):
    """For load balancers and operators: database and worker liveness."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    worker_ok = (
        latest is not None and timezone.now() - latest.seen_at < HEARTBEAT_STALE_AFTER
    )
    return JsonResponse(
        {
            "database": "ok",
            "worker": "ok" if worker_ok else "unknown",
            "worker_seen_at": latest.seen_at.isoformat() if latest else None,
        }
    )


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page links."""
    path = finders.find("core/favicon.ico")
    if path is None:
        raise Http404
    return FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115
