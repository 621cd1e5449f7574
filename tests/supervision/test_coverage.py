"""Staffing coverage: have / need per grassroots unit under the nearest
policy, the roll-up and share, the order (uncovered first), scope (404
beside the subtree), the CSV and XLSX exports (audited, formulas
neutralised) and a query count that does not grow with the units."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from lms.core.models import AuditAction, AuditEvent, OrgUnit
from supervision.selectors.coverage import coverage_for
from tests.factories.certificates import make_certificate, make_track
from tests.factories.core import UserFactory, make_unit
from tests.factories.directory import coverage_policy, make_scheme, place

URL = reverse("supervision:coverage")
GRASSROOTS = OrgUnit.Level.GRASSROOTS


@pytest.fixture(autouse=True)
def english(settings):
    """The sentences are checked in English, whatever the translations say."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def today():
    return timezone.localdate()


def room(parent, code, name=None):
    return make_unit(name=name or code, code=code, parent=parent, level=GRASSROOTS)


@pytest.fixture
def staffed(org):
    """East asks for 2 people of the senior tier or higher, or holding a
    valid 团辅带领 certificate, in each room.  East room 1 has a senior, an
    expert and a certificate holder (three; a part-time member, an expired
    certificate, an inactive senior and a senior at the station itself do
    not count); east room 2 only one senior; west (no policy: one person
    of any tier) has a part-time member."""
    _scheme, tiers = make_scheme(
        org.city, tiers=(("part-time", 1), ("senior", 2), ("expert", 3))
    )
    track = make_track(org.city, name="团辅带领")
    coverage_policy(org.east, need=2, tier=tiers["senior"], track=track)
    east_room2 = room(org.east, "east-room-2", "东区二室")
    in_room = [UserFactory(home_unit=org.east_room) for _ in range(6)]
    place(in_room[0], tiers["senior"])
    place(in_room[1], tiers["expert"])
    make_certificate(in_room[2], track)
    place(in_room[3], tiers["part-time"])
    make_certificate(
        in_room[4],
        track,
        issued_on=today() - datetime.timedelta(days=800),
        expires_on=today() - datetime.timedelta(days=1),
    )
    inactive = UserFactory(home_unit=org.east_room, is_active=False)
    place(inactive, tiers["senior"])
    place(UserFactory(home_unit=org.east), tiers["senior"])
    place(UserFactory(home_unit=east_room2), tiers["senior"])
    place(UserFactory(home_unit=org.west_room), tiers["part-time"])
    return {"tiers": tiers, "track": track, "east_room2": east_room2}


def lines(report):
    return {row.unit.code: row for row in report.rows}


def test_have_and_need_follow_the_nearest_policy(org, staffed):
    report = coverage_for(user=org.city_leader, today=today())
    by_code = lines(report)
    assert (by_code["east-room"].have, by_code["east-room"].need) == (3, 2)
    assert (by_code["east-room-2"].have, by_code["east-room-2"].need) == (1, 2)
    assert (by_code["west-room"].have, by_code["west-room"].need) == (1, 1)
    assert by_code["east-room"].covered and by_code["west-room"].covered
    assert by_code["east-room-2"].covered is False
    assert by_code["east-room-2"].gap == 1


def test_upper_units_roll_up_and_the_share_is_on_top(org, staffed):
    report = coverage_for(user=org.city_leader, today=today())
    by_code = lines(report)
    assert by_code["east"].covered is None
    assert (by_code["east"].grassroots_covered, by_code["east"].grassroots_total) == (
        1,
        2,
    )
    assert (by_code["city"].grassroots_covered, by_code["city"].grassroots_total) == (
        2,
        3,
    )
    assert str(report.share) == "66.7"
    assert not report.target_met


def test_uncovered_grassroots_units_come_first(org, staffed):
    report = coverage_for(user=org.city_leader, today=today())
    codes = [row.unit.code for row in report.rows]
    assert codes[0] == "east-room-2"
    assert codes[1:] == ["city", "east", "east-room", "west", "west-room"]


def test_a_policy_without_tier_counts_any_tier_and_need_zero_is_covered(org, staffed):
    coverage_policy(org.east, need=1)
    by_code = lines(coverage_for(user=org.coordinator, today=today()))
    # the part-time member now counts too; the certificate alone no longer
    assert by_code["east-room"].have == 3
    coverage_policy(org.east, need=0, tier=staffed["tiers"]["expert"])
    by_code = lines(coverage_for(user=org.coordinator, today=today()))
    assert by_code["east-room-2"].have == 0
    assert by_code["east-room-2"].covered


def test_inactive_units_are_left_out(org, staffed):
    staffed["east_room2"].is_active = False
    staffed["east_room2"].save(update_fields=["is_active"])
    report = coverage_for(user=org.coordinator, today=today())
    assert "east-room-2" not in lines(report)
    assert report.share == 100


# --- the page and its scope ----------------------------------------------------------


@pytest.mark.parametrize("who", ["trainee", "supervisor"])
def test_only_coordinators_and_leaders_see_coverage(login, org, staffed, who):
    assert login(getattr(org, who)).get(URL).status_code == 403


@pytest.mark.parametrize("who", ["coordinator", "leader"])
def test_the_page_holds_my_subtree_and_nothing_beside_it(login, org, staffed, who):
    response = login(getattr(org, who)).get(URL)
    assert response.status_code == 200
    codes = {row.unit.code for row in response.context["page"].object_list}
    assert codes == {"east", "east-room", "east-room-2"}
    page = response.content.decode()
    assert "西区" not in page
    assert 'data-testid="share">50.0%' in page


def test_the_sibling_sees_only_the_west_station_and_404_for_east(login, org, staffed):
    client = login(org.sibling)
    codes = {r.unit.code for r in client.get(URL).context["page"].object_list}
    assert codes == {"west", "west-room"}
    east = reverse("supervision:coverage_unit", args=[org.east.pk])
    assert client.get(east).status_code == 404
    assert client.get(east + "?format=csv").status_code == 404


def test_a_unit_of_my_subtree_narrows_the_page(login, org, staffed):
    client = login(org.city_leader)
    response = client.get(reverse("supervision:coverage_unit", args=[org.east.pk]))
    codes = {r.unit.code for r in response.context["page"].object_list}
    assert codes == {"east", "east-room", "east-room-2"}
    assert response.context["report"].grassroots_total == 2
    # a coordinator cannot climb above their own unit
    above = reverse("supervision:coverage_unit", args=[org.city.pk])
    assert login(org.coordinator).get(above).status_code == 404


# --- exports -------------------------------------------------------------------------


@pytest.fixture
def hostile(org, staffed):
    return room(org.east, "hostile", name='=HYPERLINK("http://x")')


def test_the_csv_export_holds_the_lines_with_formulas_neutralised(login, org, hostile):
    response = login(org.coordinator).get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Unit", "Code", "Parent unit"]
    by_code = {row[1]: row for row in rows[1:]}
    assert set(by_code) == {"east", "east-room", "east-room-2", "hostile"}
    assert by_code["hostile"][0] == '\'=HYPERLINK("http://x")'
    assert by_code["east-room-2"][4:7] == ["2", "1", "No"]
    assert by_code["east"][6:] == ["", "1", "3"]
    # uncovered first, as on the page
    assert {rows[1][1], rows[2][1]} == {"east-room-2", "hostile"}
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, actor=org.coordinator, detail__contains="csv"
    ).exists()


def test_the_xlsx_export_holds_the_lines_and_the_share(login, org, hostile):
    response = login(org.coordinator).get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet, summary = book.worksheets
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Unit"
    names = {row[0] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x")' in names
    assert not any(str(name).startswith("=") for name in names)
    facts = {row[0]: row[1] for row in summary.iter_rows(values_only=True)}
    assert facts["Grassroots units"] == 3
    assert facts["Grassroots units covered"] == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, detail__contains="xlsx"
    ).exists()


def test_a_hostile_unit_name_is_escaped_on_the_page(login, org, staffed):
    room(org.east, "script", name="<script>alert(1)</script>")
    page = login(org.coordinator).get(URL).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("bad", ["pdf", "<script>", "9" * 100_000])
def test_an_unknown_format_or_page_shows_the_page(login, org, staffed, bad):
    response = login(org.coordinator).get(URL, {"format": bad, "page": bad})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main")[1]


# --- cost ----------------------------------------------------------------------------


def _grow(org, tiers, track, count, start):
    """``count`` more rooms under east and west, half with their own
    policy, each with a member."""
    for i in range(start, start + count):
        parent = org.east if i % 2 else org.west
        unit = room(parent, f"room-{i}")
        if i % 4 == 0:
            coverage_policy(unit, need=2, tier=tiers["part-time"], track=track)
        place(UserFactory(home_unit=unit), tiers["senior"])


def test_the_page_costs_the_same_number_of_queries_for_10_and_60_units(
    login, org, staffed, django_assert_num_queries
):
    client = login(org.city_leader)
    _grow(org, staffed["tiers"], staffed["track"], 5, 0)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    assert len(lines(coverage_for(user=org.city_leader, today=today()))) == 11
    _grow(org, staffed["tiers"], staffed["track"], 50, 5)
    with django_assert_num_queries(len(small)):
        response = client.get(URL)
    assert len(response.context["report"].rows) == 61


def test_a_platform_administrator_sees_every_tree_and_a_homeless_leader_none(
    org, staffed
):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    codes = set(lines(coverage_for(user=admin, today=today())))
    assert {"city", "east-room-2", "west-room"} <= codes
    homeless = UserFactory(username="homeless", roles=["leader"])
    report = coverage_for(user=homeless, today=today())
    assert report.rows == [] and report.share is None
