"""Every admin viewset of the project takes its scope from one kind of
permission policy (``lms.core.policies.ScopedPolicy``): the east
coordinator's listing of each shows no row of the west station, and the
edit URL of a west row is not found.

``ROWS`` names every viewset once, with the east and west rows it is tried
on; ``test_rows_name_every_registered_viewset`` keeps it whole.
"""

import re

import pytest
from django.urls import get_resolver, reverse
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.model import ModelViewSet

from lms.core.models import AuditAction
from lms.core.policies import ACTIONS, ScopedPolicy
from lms.core.services.audit import audit_record
from lms.core.viewsets import ScopedViewSet
from tests.factories.sibling import make_both_stations
from tests.factories.supervision import make_technique

#: The apps whose viewsets are ours (Wagtail registers its own too).
PROJECT_APPS = ("lms.", "courses.", "supervision.")


def station(attr):
    return lambda org, stations: (
        getattr(stations.east, attr),
        getattr(stations.west, attr),
    )


def audit_events(org, stations):
    return (
        audit_record(actor=org.coordinator, action=AuditAction.PERSON_CHANGE),
        audit_record(actor=org.sibling, action=AuditAction.PERSON_CHANGE),
    )


def techniques(org, stations):
    return make_technique("东区技术"), make_technique("西区技术")


def rubrics(org, stations):
    from tests.factories.ratings import make_rubric

    return make_rubric("东区评价表"), make_rubric("西区评价表")


def rubric_items(org, stations):
    from tests.factories.ratings import make_rubric

    east, west = make_rubric("东区条目表", items=1), make_rubric("西区条目表", items=1)
    return east.items.get(), west.items.get()


def qualification_kinds(org, stations):
    from tests.factories.ratings import make_qualification_kind

    return make_qualification_kind("east-q"), make_qualification_kind("west-q")


def _tracks(org):
    from tests.factories.tracks import make_track

    if not hasattr(org, "tracks"):
        org.tracks = (
            make_track(org.east, code="east"),
            make_track(org.west, code="west"),
        )
    return org.tracks


def tracks(org, stations):
    return _tracks(org)


def track_drafts(org, stations):
    from supervision.services.certification import track_draft

    east, west = _tracks(org)
    return (
        track_draft(actor=org.coordinator, track=east),
        track_draft(actor=org.sibling, track=west),
    )


def track_requirements(org, stations):
    east, west = track_drafts(org, stations)
    return east.requirements.first(), west.requirements.first()


def pool_admin_rows(org):
    """An east and a west scheme, a tier of each, and a history row of the
    east and the west trainee (made once per test)."""
    from supervision.services.pool import tier_place
    from tests.factories.pool import make_scheme, make_tier

    if not hasattr(org, "pool_admin"):
        east, west = (
            make_scheme(org.east, "east-pool"),
            make_scheme(org.west, "west-pool"),
        )
        east_tier, west_tier = make_tier(east, 1), make_tier(west, 1)
        tier_place(
            actor=org.coordinator, person=org.trainee, tier=east_tier, reason="东"
        )
        tier_place(
            actor=org.sibling, person=org.west_trainee, tier=west_tier, reason="西"
        )
        from supervision.models import TierChange

        org.pool_admin = (
            (east, west),
            (east_tier, west_tier),
            (
                TierChange.objects.get(person=org.trainee),
                TierChange.objects.get(person=org.west_trainee),
            ),
        )
    return org.pool_admin


#: URL namespace: (east row, west row) for each admin viewset.
ROWS = {
    "org_units": lambda org, stations: (org.east_room, org.west_room),
    "wagtailusers_users": lambda org, stations: (org.trainee, org.west_trainee),
    "videos": station("video"),
    "cohorts": station("cohort"),
    "session_admin": station("session"),
    "shift_admin": station("shift"),
    "exemption_admin": station("exemption"),
    "entry_admin": station("entry"),
    "supervisor_assignments": station("assignment"),
    "techniques_admin": techniques,
    "audit_log": audit_events,
    "rubrics_admin": rubrics,
    "rubric_items_admin": rubric_items,
    "qualification_kinds_admin": qualification_kinds,
    "tracks_admin": tracks,
    "track_versions_admin": track_drafts,
    "requirements_admin": track_requirements,
    # --- teams ---
    "crisis_teams_admin": lambda org, stations: crisis_team_rows(org),
    "team_drills_admin": lambda org, stations: team_drill_rows(org),
    # --- end teams ---
    # --- pool ---
    "pool_schemes_admin": lambda org, stations: pool_admin_rows(org)[0],
    "pool_tiers_admin": lambda org, stations: pool_admin_rows(org)[1],
    "pool_history_admin": lambda org, stations: pool_admin_rows(org)[2],
    # --- end pool ---
}
#: One catalogue for every coordinator: its rows belong to no unit.
SHARED = {
    "techniques_admin",
    "rubrics_admin",
    "rubric_items_admin",
    "qualification_kinds_admin",
}
#: Platform administrators only: a coordinator is refused the listing.
SUPERUSERS_ONLY = {"audit_log"}


def project_viewsets() -> dict:
    get_resolver().url_patterns  # noqa: B018 - registers the admin's viewsets
    return {
        viewset.url_namespace: viewset
        for viewset in viewsets.viewsets
        if isinstance(viewset, ModelViewSet)
        and type(viewset).__module__.startswith(PROJECT_APPS)
    }


@pytest.fixture
def rows(org):
    stations = make_both_stations(org)
    return {name: make(org, stations) for name, make in ROWS.items()}


def listed_pks(response) -> set:
    return {row.pk for row in response.context["object_list"]}


def refused(response) -> bool:
    """Wagtail answers a user without the permission with a 403 or a
    redirect to the admin's home or to a login page."""
    if response.status_code == 403:
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location == "/admin/" or "login/" in location


def test_rows_name_every_registered_viewset():
    assert set(project_viewsets()) == set(ROWS)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_viewset_scopes_through_a_scoped_policy(name):
    viewset = project_viewsets()[name]
    assert isinstance(viewset, ScopedViewSet)
    assert isinstance(viewset.permission_policy, ScopedPolicy)


@pytest.mark.parametrize("name", sorted(set(ROWS) - SHARED - SUPERUSERS_ONLY))
def test_a_coordinator_lists_no_row_of_a_sibling_unit(org, client, rows, name):
    # given a row in each station
    east, west = rows[name]
    client.force_login(org.coordinator)
    # when the east coordinator opens the listing
    response = client.get(reverse(f"{name}:index"))
    # then it shows the east row and not the west one
    assert response.status_code == 200
    assert east.pk in listed_pks(response)
    assert west.pk not in listed_pks(response)


@pytest.mark.parametrize("name", sorted(set(ROWS) - SHARED - SUPERUSERS_ONLY))
def test_the_edit_url_of_a_sibling_row_is_not_found(org, client, rows, name):
    east, west = rows[name]
    client.force_login(org.coordinator)
    assert client.get(reverse(f"{name}:edit", args=[east.pk])).status_code == 200
    assert client.get(reverse(f"{name}:edit", args=[west.pk])).status_code == 404


@pytest.mark.parametrize("name", sorted(set(ROWS) - SHARED - SUPERUSERS_ONLY))
def test_the_policy_answers_alike_for_the_row_and_the_rows(org, rows, name):
    policy = project_viewsets()[name].permission_policy
    east, west = rows[name]
    visible = policy.instances_user_has_any_permission_for(org.coordinator, ACTIONS)
    for row, expected in ((east, True), (west, False)):
        assert visible.filter(pk=row.pk).exists() is expected
        assert (
            policy.user_has_permission_for_instance(org.coordinator, "view", row)
            is expected
        )


@pytest.mark.parametrize("name", sorted(set(ROWS) - SUPERUSERS_ONLY))
def test_no_listing_shows_a_raw_true_false_or_none(org, client, rows, name):
    # given rows, in Chinese, as the coordinator who manages them
    rows[name]
    client.force_login(org.coordinator)
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse(f"{name}:index"))
    assert response.status_code == 200
    # then no cell shows Python's True, False or None: a label or a mark
    cells = re.findall(r"<td[^>]*>(.*?)</td>", response.content.decode(), re.S)
    raw = [
        c for c in cells if re.sub(r"<[^>]+>|\s", "", c) in {"True", "False", "None"}
    ]
    assert raw == []


def test_the_technique_catalogue_is_one_for_every_coordinator(org, client, rows):
    east, west = rows["techniques_admin"]
    for coordinator in (org.coordinator, org.sibling):
        client.force_login(coordinator)
        response = client.get(reverse("techniques_admin:index"))
        assert {east.pk, west.pk} <= listed_pks(response)
        edit = client.get(reverse("techniques_admin:edit", args=[west.pk]))
        assert edit.status_code == 200


def test_only_platform_administrators_read_the_audit_log(
    org, client, rows, django_user_model
):
    east, west = rows["audit_log"]
    client.force_login(org.coordinator)
    assert refused(client.get(reverse("audit_log:index")))
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    response = client.get(reverse("audit_log:index"))
    assert {east.pk, west.pk} <= listed_pks(response)


@pytest.mark.parametrize(
    "name, refused_actions",
    [
        ("audit_log", {"add", "change", "delete"}),
        ("entry_admin", {"add", "delete"}),
    ],
)
def test_a_read_only_listing_refuses_writes_even_to_superusers(
    django_user_model, name, refused_actions
):
    policy = project_viewsets()[name].permission_policy
    admin = django_user_model.objects.create_superuser("root", password="x")
    for action in refused_actions:
        assert not policy.user_has_permission(admin, action)
    assert policy.user_has_permission(admin, "view")


def test_the_policies_do_not_read_model_permissions(org):
    # given a coordinator whose group has lost every model permission
    for group in org.coordinator.groups.all():
        group.permissions.clear()
    org.coordinator = type(org.coordinator).objects.get(pk=org.coordinator.pk)
    # then every policy still answers from the role and the unit tree
    for name, viewset in project_viewsets().items():
        if name in SUPERUSERS_ONLY:
            continue
        assert viewset.permission_policy.user_has_permission(org.coordinator, "view"), (
            name
        )


# --- teams ---
def crisis_team_rows(org):
    """A crisis team of each station, each with a drill on a session of its
    own station."""
    from tests.factories.crisis import make_drill, make_team

    if not hasattr(org, "crisis_teams"):
        day = org.trainee.date_joined.date()
        east = make_team(org.east, name="东区小组", members=[org.trainee])
        west = make_team(org.west, name="西区小组", members=[org.west_trainee])
        org.crisis_teams = (east, west)
        org.team_drills = (make_drill(east, day), make_drill(west, day))
    return org.crisis_teams


def team_drill_rows(org):
    crisis_team_rows(org)
    return org.team_drills
