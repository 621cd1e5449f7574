"""The east station's coordinator walks every surface of the Wagtail admin
and finds nothing of the west station (the sibling): not in the menu's
pages and the pages they link to, not in reports, filters, choosers and
exports, and every view of a west object answers 404.

The west rows carry distinctive names (``tests.factories.sibling``), so a
leak is a string search in the response, the exported CSV or the cells
of the exported workbook.
"""

import contextlib
import io
import json
import re
from urllib.parse import urlencode

import openpyxl
import pytest
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.model import ModelViewSet

from lms.core import wagtail_reports
from lms.core.models import OrgUnit, User
from tests.factories.sibling import make_both_stations, sibling_markers

#: Wagtail's reports that read across the organisation; platform
#: administrators only (everyone else gets 404 and no menu item).
HIDDEN_REPORTS = [
    "site_history",
    "locked_pages",
    "aging_pages",
    "workflow",
    "workflow_tasks",
]
#: Wagtail's reports coordinators keep: they name no one.
SHOWN_REPORTS = ["page_types_usage"]

#: Never followed while walking: leaving, and endpoints that only answer
#: scripts (their own tests below ask them directly).
SKIP = ("/admin/logout/", "/admin/editing-sessions/", "/admin/jsi18n/")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def stations(org):
    return make_both_stations(org)


@pytest.fixture
def east(org, stations, client):
    client.force_login(org.coordinator)
    return client


def text_of(response) -> str:
    """What a reader sees: the page, the CSV, or every cell of the workbook."""
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if response.get("Content-Type", "").startswith(XLSX):
        book = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(
            str(cell.value)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        )
    return content.decode("utf-8", errors="replace")


def leaks_in(text: str, markers) -> list[str]:
    return [
        marker
        for marker in markers
        if re.search(rf"(?<![A-Za-z]){re.escape(marker)}(?![A-Za-z])", text)
    ]


def menu_urls(client) -> list[str]:
    """Every URL in the admin's sidebar as rendered on the home page,
    submenus (reports, settings) and the account menu included."""
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
        home,
        re.S,
    )
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("url"), str):
                found.append(node["url"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(props.group(1)))
    return list(dict.fromkeys(found))


LINK = re.compile(r"""(?:href|data-[\w-]*url|action)=["'](/admin/[^"'#\s]*)""")


def admin_links(html: str) -> set[str]:
    return {
        link.replace("&amp;", "&")
        for link in LINK.findall(html)
        if not link.startswith(SKIP)
    }


def walk_admin(client, start, *, depth=2, limit=600):
    """GET ``start`` and the admin pages they link to, ``depth`` links
    deep; returns {url: response}."""
    seen, frontier = {}, list(start)
    for _ in range(depth + 1):
        following = []
        for url in frontier:
            if url in seen or len(seen) >= limit:
                continue
            response = client.get(url)
            seen[url] = response
            if response.status_code == 200 and "html" in response.get(
                "Content-Type", ""
            ):
                following += sorted(admin_links(text_of(response)) - set(seen))
        frontier = following
    return seen


def model_viewsets():
    """Every registered model viewset (the admin's URLs register them)."""
    get_resolver().url_patterns  # noqa: B018 - loads the admin's URLs
    return [vs for vs in viewsets.viewsets if isinstance(vs, ModelViewSet)]


def object_urls(viewset, pk) -> list[str]:
    """Every URL of ``viewset`` that names one object."""
    urls = []
    for name in (
        "edit",
        "delete",
        "history",
        "history_results",
        "usage",
        "inspect",
        "copy",
    ):
        with contextlib.suppress(NoReverseMatch):
            urls.append(reverse(f"{viewset.url_namespace}:{name}", args=[pk]))
    return urls


def west_objects(org, stations):
    west = stations.west
    return [
        org.west,
        org.west_room,
        org.sibling,
        org.west_trainee,
        west.supervisor,
        west.video,
        west.cohort,
        west.session,
        west.shift,
        west.assignment,
        west.exemption,
        west.entry,
    ]


def east_objects(org, stations):
    east = stations.east
    return [
        org.east_room,
        org.trainee,
        east.video,
        east.cohort,
        east.session,
        east.shift,
        east.assignment,
        east.exemption,
        east.entry,
    ]


def test_the_walk_reaches_every_admin_area_of_a_coordinator(org, east):
    # a check on the test itself: the menu holds what a coordinator manages
    urls = menu_urls(east)
    for name in (
        "videos:index",
        "cohorts:index",
        "session_admin:index",
        "shift_admin:index",
        "exemption_admin:index",
        "entry_admin:index",
        "org_units:index",
        "wagtailusers_users:index",
        "supervisor_assignments:index",
        "wagtailadmin_explore_root",
    ):
        assert reverse(name) in urls


def test_nothing_of_the_sibling_on_any_page_the_admin_menu_leads_to(
    org, stations, east
):
    # when the coordinator opens every menu item and what those pages link to
    pages = walk_admin(east, menu_urls(east))
    # then the walk went far (listings, forms, exports, histories) ...
    assert len(pages) > 80
    visited = "\n".join(pages)
    assert "export=csv" in visited and "export=xlsx" in visited
    assert "/history/" in visited and "/usage/" in visited
    # every form that offers units or people (members, coordinators,
    # facilitators, the supervisor on duty, trainees) was opened
    forms = [
        reverse(name)
        for name in (
            "videos:add",
            "cohorts:add",
            "session_admin:add",
            "shift_admin:add",
            "exemption_admin:add",
            "supervisor_assignments:add",
            "org_units:add",
            "wagtailusers_users:add",
        )
    ]
    forms.append(reverse("cohorts:edit", args=[stations.east.cohort.pk]))
    forms.append(reverse("session_admin:edit", args=[stations.east.session.pk]))
    assert {url: pages[url].status_code for url in forms} == dict.fromkeys(forms, 200)
    # ... and found nothing of the west station anywhere
    markers = sibling_markers(org)
    leaks = {
        url: found
        for url, response in pages.items()
        if response.status_code == 200
        and (found := leaks_in(text_of(response), markers))
    }
    assert leaks == {}
    errors = {url: r.status_code for url, r in pages.items() if r.status_code >= 500}
    assert errors == {}


def test_no_object_of_the_sibling_opens_in_any_admin_view(org, stations, east):
    # every view of a west row answers as for a row that does not exist:
    # 404, or Wagtail's refusal where nobody may do that (audit log, deleting
    # practice entries), so the answer never tells that the row exists
    west = west_objects(org, stations)
    answers = {}
    for viewset in model_viewsets():
        for obj in (o for o in west if isinstance(o, viewset.model)):
            missing = object_urls(viewset, 999999)
            for url, nowhere in zip(object_urls(viewset, obj.pk), missing, strict=True):
                response = east.get(url)
                expected = east.get(nowhere).status_code
                answers[url] = (response.status_code, expected)
                assert leaks_in(text_of(response), sibling_markers(org)) == []
    assert len(answers) >= 40
    assert {url: a for url, a in answers.items() if a[0] != a[1] or a[0] == 200} == {}
    assert sum(1 for status, _expected in answers.values() if status == 404) >= 30
    # every kind of west object has an admin listing, so all were asked
    assert {type(o) for o in west} <= {vs.model for vs in model_viewsets()}


def test_history_usage_and_inspect_of_own_objects_show_nothing_of_the_sibling(
    org, stations, east
):
    shown = {}
    for viewset in model_viewsets():
        for obj in (
            o for o in east_objects(org, stations) if isinstance(o, viewset.model)
        ):
            for url in object_urls(viewset, obj.pk):
                response = east.get(url)
                if response.status_code == 200:
                    shown[url] = leaks_in(text_of(response), sibling_markers(org))
    assert len(shown) >= 30
    assert {url: found for url, found in shown.items() if found} == {}


def report_names() -> list[str]:
    _prefix, resolver = get_resolver().namespace_dict["wagtailadmin_reports"]
    return sorted({name for name in resolver.reverse_dict if isinstance(name, str)})


def test_every_wagtail_report_is_classified_and_served_by_us():
    from wagtail.admin.urls import reports

    names = {name.removesuffix("_results") for name in report_names()}
    assert names == set(HIDDEN_REPORTS) | set(SHOWN_REPORTS)
    # every route of Wagtail's is shadowed by ours (lms.core.wagtail_reports)
    ours = {str(pattern.pattern) for pattern in wagtail_reports.urlpatterns}
    assert {str(pattern.pattern) for pattern in reports.urlpatterns} == ours
    hidden = {reverse(f"wagtailadmin_reports:{name}") for name in HIDDEN_REPORTS}
    assert wagtail_reports.hidden_report_urls() == hidden


@pytest.mark.parametrize("name", HIDDEN_REPORTS)
def test_reports_across_the_organisation_are_hidden_from_coordinators(org, east, name):
    for url_name in (name, f"{name}_results"):
        url = reverse(f"wagtailadmin_reports:{url_name}")
        for query in ("", "?export=csv", "?export=xlsx"):
            response = east.get(url + query)
            assert response.status_code == 404, url + query
            assert leaks_in(text_of(response), sibling_markers(org)) == []
    assert reverse(f"wagtailadmin_reports:{name}") not in menu_urls(east)


@pytest.mark.parametrize("name", HIDDEN_REPORTS)
def test_platform_administrators_keep_the_reports(org, stations, client, name):
    admin = User.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    assert client.get(reverse(f"wagtailadmin_reports:{name}")).status_code == 200


def test_site_history_shows_the_administrator_both_stations(org, stations, client):
    # the report works for those who keep it, so hiding it is what
    # keeps the coordinator from the west rows
    client.force_login(User.objects.create_superuser("root", "r@example.com", "x"))
    response = client.get(reverse("wagtailadmin_reports:site_history") + "?export=csv")
    exported = text_of(response)
    assert "Zephyr" in exported and "Eastwind" in exported


@pytest.mark.parametrize("name", SHOWN_REPORTS)
def test_reports_coordinators_keep_show_nothing_of_the_sibling(org, east, name):
    url = reverse(f"wagtailadmin_reports:{name}")
    for query in ("", "?export=csv", "?export=xlsx"):
        response = east.get(url + query)
        assert response.status_code == 200
        assert leaks_in(text_of(response), sibling_markers(org)) == []


def choice_labels(field) -> list[str]:
    return [str(label) for _value, label in field.choices]


def test_every_listing_filter_offers_only_the_subtree(org, stations, east):
    west_units = set(OrgUnit.objects.filter(path__startswith=org.west.path))
    west_people = set(User.objects.filter(home_unit__in=west_units))
    checked = 0
    for viewset in model_viewsets():
        response = east.get(reverse(f"{viewset.url_namespace}:index"))
        if response.status_code != 200:
            continue
        filters = response.context["view"].filters
        for name, field in filters.form.fields.items() if filters else []:
            checked += 1
            labels = choice_labels(field) if hasattr(field, "choices") else []
            assert leaks_in("\n".join(labels), sibling_markers(org)) == [], name
            if isinstance(field, ModelChoiceField | ModelMultipleChoiceField):
                offered = set(field.queryset)
                assert not offered & (west_units | west_people), (viewset, name)
            # choosing a west row by hand finds nothing either
            for west in (org.west, org.west_room, org.west_trainee, org.sibling):
                url = reverse(f"{viewset.url_namespace}:index")
                found = east.get(url + "?" + urlencode({name: west.pk}))
                assert leaks_in(text_of(found), sibling_markers(org)) == []
    # videos and cohorts (unit), sessions and shifts (unit, date), people
    # (roles, category, active) and the rest
    assert checked >= 12


def chooser_urls() -> list[str]:
    """Every chooser URL that takes no argument, found in the URL tree."""
    found = []

    def walk(resolver, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and "choose" in (entry.name or ""):
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                with contextlib.suppress(NoReverseMatch):
                    found.append(reverse(name))

    walk(get_resolver(), None)
    return sorted(set(found))


def test_every_chooser_offers_nothing_of_the_sibling(org, east):
    urls = chooser_urls()
    assert reverse("wagtailadmin_choose_page") in urls
    for url in urls:
        # searching for part of a west name ("Zep", "西") finds nothing
        for query in ("", "?q=Zep", "?q=%E8%A5%BF"):
            response = east.get(url + query)
            assert response.status_code in (200, 302, 403, 404, 405), url
            assert leaks_in(text_of(response), sibling_markers(org)) == [], url


@pytest.mark.parametrize("action", ["set_active_state", "assign_role", "delete"])
def test_wagtails_bulk_actions_on_people_find_nothing_for_a_coordinator(
    org, east, action
):
    url = reverse(
        "wagtail_bulk_action",
        args=[User._meta.app_label, User._meta.model_name, action],
    )
    for ids in ([org.west_trainee.pk, org.sibling.pk], ["all"]):
        query = urlencode([("id", pk) for pk in ids])
        response = east.get(f"{url}?{query}")
        assert response.status_code == 404
        assert leaks_in(text_of(response), sibling_markers(org)) == []
    response = east.post(f"{url}?id={org.west_trainee.pk}", {"mark_as_active": "False"})
    assert response.status_code == 404
    org.west_trainee.refresh_from_db()
    assert org.west_trainee.is_active


def test_editing_sessions_of_west_objects_are_not_found(org, stations, east):
    def ping(obj):
        url = reverse(
            "wagtailadmin_editing_sessions:ping",
            args=[obj._meta.app_label, obj._meta.model_name, obj.pk, 0],
        )
        return east.post(url)

    for obj in west_objects(org, stations):
        response = ping(obj)
        assert response.status_code == 404, obj
    # the coordinator's own rows still take part in editing sessions
    for obj in (stations.east.video, stations.east.session, stations.east.shift):
        assert ping(obj).status_code == 200, obj
