"""The talent-pool directory: who may search, whom it finds (scope and
every filter), what it shows (professional facts only), availability with
its sentences, the form's answers to bad input, and a fixed query count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from lms.core.models import PersonCategory, Role
from supervision.models import Certificate
from tests.factories.certificates import make_certificate, make_track
from tests.factories.core import UserFactory
from tests.factories.directory import make_scheme, master, place
from tests.factories.sessions import make_session
from tests.factories.supervision import (
    make_case,
    make_entry,
    make_shift,
    make_signup,
)

URL = reverse("supervision:pool_directory")


@pytest.fixture(autouse=True)
def english(settings):
    """The sentences are checked in English, whatever the translations say."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def today():
    return timezone.localdate()


def found(response) -> set[str]:
    return {person.username for person in response.context["page"].object_list}


@pytest.fixture
def pool(org):
    """East: a senior counsellor (valid certificate, a confirmed mastery,
    a phone number), a part-time police officer (expired certificate,
    unconfirmed mastery), a volunteer outside the pool; west: a senior
    counsellor of the same scheme (defined at the city)."""
    scheme, tiers = make_scheme(org.city)
    track = make_track(org.city, name="团辅带领")
    senior = UserFactory(
        username="senior",
        full_name="资深咨询师甲",
        home_unit=org.east_room,
        category=PersonCategory.PROFESSIONAL,
        phone="13800001111",
        roles=[Role.TRAINEE],
    )
    place(senior, tiers["senior"])
    make_certificate(senior, track)
    master(senior, "焦点解决")
    officer = UserFactory(
        username="officer",
        full_name="兼职民警乙",
        home_unit=org.east,
        category=PersonCategory.POLICE,
        roles=[Role.TRAINEE],
    )
    place(officer, tiers["part-time"])
    make_certificate(
        officer,
        track,
        issued_on=today() - datetime.timedelta(days=900),
        expires_on=today() - datetime.timedelta(days=1),
    )
    master(officer, "焦点解决", confirmed=False)
    UserFactory(
        username="volunteer",
        full_name="志愿者丙",
        home_unit=org.east_room,
        category=PersonCategory.VOLUNTEER,
    )
    west_senior = UserFactory(
        username="west_senior", home_unit=org.west_room, full_name="西区资深"
    )
    place(west_senior, tiers["senior"])
    make_certificate(west_senior, track)
    UserFactory(username="gone", home_unit=org.east_room, is_active=False)
    return {"scheme": scheme, "tiers": tiers, "track": track}


# --- who may search, and whom it finds ---------------------------------------------


@pytest.mark.parametrize("who", ["trainee", "supervisor"])
def test_only_coordinators_and_leaders_search(login, org, pool, who):
    assert login(getattr(org, who)).get(URL).status_code == 403


@pytest.mark.parametrize("who", ["coordinator", "leader"])
def test_the_directory_holds_my_subtree_and_nobody_beside_it(login, org, pool, who):
    response = login(getattr(org, who)).get(URL)
    assert response.status_code == 200
    names = found(response)
    assert {"senior", "officer", "volunteer", "trainee", "coordinator"} <= names
    assert not names & {"west_senior", "west_trainee", "sibling", "gone"}


def test_the_sibling_finds_only_the_west_station(login, org, pool):
    names = found(login(org.sibling).get(URL))
    assert "west_senior" in names
    assert not names & {"senior", "officer", "volunteer", "trainee"}


def test_a_city_leader_finds_both_stations(login, org, pool):
    names = found(login(org.city_leader).get(URL))
    assert {"senior", "west_senior"} <= names


def test_the_choice_lists_offer_only_my_subtree(login, org, pool):
    form = login(org.coordinator).get(URL).context["form"]
    units = {unit.code for unit in form.fields["unit"].queryset}
    assert units == {"east", "east-room"}
    # the scheme and track defined above at the city apply here
    assert set(form.fields["tier"].queryset) == set(pool["tiers"].values())
    assert list(form.fields["track"].queryset) == [pool["track"]]


def test_tier_rule_tracks_and_schemes_beside_me_are_not_offered(login, org, pool):
    from supervision.models import Track

    make_track(org.west, name="西区方向")
    Track.objects.create(
        code="tier-rules", name="入库条件", unit=org.city, purpose=Track.Purpose.TIER
    )
    _scheme, west_tiers = make_scheme(org.west, name="西区人才库")
    form = login(org.coordinator).get(URL).context["form"]
    assert list(form.fields["track"].queryset) == [pool["track"]]
    assert not set(form.fields["tier"].queryset) & set(west_tiers.values())


def test_a_sibling_unit_cannot_be_chosen(login, org, pool):
    response = login(org.coordinator).get(URL, {"unit": org.west.pk})
    assert response.status_code == 400
    assert "Choose one of your units." in response.content.decode()
    assert response.context["page"] is None


# --- the filters -----------------------------------------------------------------


def test_by_tier_exactly(login, org, pool):
    response = login(org.coordinator).get(URL, {"tier": pool["tiers"]["part-time"].pk})
    assert found(response) == {"officer"}


def test_by_tier_or_a_more_senior_one(login, org, pool):
    query = {"tier": pool["tiers"]["part-time"].pk, "tier_or_higher": "on"}
    assert found(login(org.coordinator).get(URL, query)) == {"officer", "senior"}


def test_by_valid_certificate_only(login, org, pool):
    # the officer's certificate expired yesterday; a revoked one counts neither
    revoked = UserFactory(username="revoked", home_unit=org.east_room)
    make_certificate(revoked, pool["track"], status=Certificate.Status.REVOKED)
    response = login(org.coordinator).get(URL, {"track": pool["track"].pk})
    assert found(response) == {"senior"}


def test_by_confirmed_mastery_only(login, org, pool):
    from supervision.models import Technique

    technique = Technique.objects.get(name="焦点解决")
    response = login(org.coordinator).get(URL, {"technique": technique.pk})
    assert found(response) == {"senior"}


def test_by_category_unit_and_name(login, org, pool):
    client = login(org.coordinator)
    assert found(client.get(URL, {"category": "police"})) == {"officer"}
    by_room = found(client.get(URL, {"unit": org.east_room.pk}))
    assert {"senior", "volunteer", "trainee"} <= by_room
    assert "officer" not in by_room
    assert found(client.get(URL, {"name": "志愿者"})) == {"volunteer"}


# --- what it shows ------------------------------------------------------------------


def test_it_shows_professional_facts_and_nothing_private(login, org, pool):
    senior = pool["tiers"]["senior"].members.get(person__username="senior").person
    make_case(senior, client_code="C-SECRET-77", presenting_issue="家庭冲突隐私")
    make_entry(senior, reflection="不可外传的反思")
    page = login(org.coordinator).get(URL, {"name": "资深"}).content.decode()
    assert "资深咨询师甲" in page
    assert "心理人才库 · senior" in page
    assert "团辅带领" in page
    assert "焦点解决" in page
    assert "13800001111" not in page
    assert "C-SECRET-77" not in page
    assert "家庭冲突隐私" not in page
    assert "不可外传的反思" not in page


def test_an_expired_certificate_and_an_unconfirmed_mastery_are_not_shown(
    login, org, pool
):
    response = login(org.coordinator).get(URL, {"name": "兼职民警乙"})
    (officer,) = response.context["page"].object_list
    assert officer.valid_certificates == []
    assert officer.confirmed_masteries == []


# --- availability --------------------------------------------------------------------


@pytest.fixture
def busy(org, pool):
    """The senior counsellor holds a duty shift tomorrow; the officer
    facilitates a session in three days."""
    from lms.core.models import User

    senior = User.objects.get(username="senior")
    officer = User.objects.get(username="officer")
    moment = timezone.now() + datetime.timedelta(days=1)
    make_signup(make_shift(org.east, starts_at=moment, title="周三值班"), senior)
    make_session(
        org.east,
        title="压力管理讲座",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        facilitators=[officer],
    )
    return {"senior": senior, "officer": officer}


def _range(days_from, days_to):
    return {
        "start": (today() + datetime.timedelta(days=days_from)).isoformat(),
        "end": (today() + datetime.timedelta(days=days_to)).isoformat(),
    }


def test_availability_is_shown_with_what_keeps_people_busy(login, org, busy):
    response = login(org.coordinator).get(URL, _range(1, 4))
    people = {p.username: p for p in response.context["page"].object_list}
    assert people["senior"].is_busy and people["officer"].is_busy
    assert not people["volunteer"].is_busy
    assert any("Duty shift" in s for s in people["senior"].busy_with)
    assert any("压力管理讲座" in s for s in people["officer"].busy_with)
    assert people["volunteer"].busy_with == []
    page = response.content.decode()
    assert "Duty shift at 东区站" in page
    assert 'data-testid="busy"' in page and 'data-testid="free"' in page


def test_only_people_free_then(login, org, busy):
    names = found(login(org.coordinator).get(URL, {**_range(1, 4), "free_only": "on"}))
    assert "volunteer" in names
    assert not names & {"senior", "officer"}
    # a later range, and both are free again
    names = found(login(org.coordinator).get(URL, {**_range(10, 12), "free_only": "1"}))
    assert {"senior", "officer", "volunteer"} <= names


# --- bad input ------------------------------------------------------------------------

HUGE = "9" * 100_000
HOSTILE = '<script>alert("x")</script>'


@pytest.mark.parametrize(
    "query, field, sentence",
    [
        ({"start": "2026-13-40", "end": "2026-05-01"}, "start", "year-month-day"),
        ({"start": "yesterday", "end": "2026-05-01"}, "start", "year-month-day"),
        ({"start": HUGE, "end": HUGE}, "start", "year-month-day"),
        ({"start": HOSTILE, "end": "2026-05-01"}, "start", "year-month-day"),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "end", "before the first day"),
        ({"start": "2026-01-01", "end": "2027-01-02"}, "end", "at most 366 days"),
        ({"start": "1900-01-01", "end": "1900-01-02"}, "start", "between 2000"),
        ({"start": "9999-12-30", "end": "9999-12-31"}, "end", "between 2000"),
        ({"free_only": "on"}, "free_only", "dates you need people"),
        ({"tier": HUGE}, "tier", "tiers listed"),
        ({"tier": "99999999999999999999"}, "tier", "tiers listed"),
        ({"tier": HOSTILE}, "tier", "tiers listed"),
        ({"track": "-1"}, "track", "tracks listed"),
        ({"technique": HUGE}, "technique", "techniques listed"),
        ({"category": HOSTILE}, "category", "categories listed"),
        ({"unit": HUGE}, "unit", "your units"),
        ({"name": "名" * 100_000}, "name", "under 80 characters"),
    ],
)
def test_bad_input_is_answered_with_a_sentence(
    login, org, pool, query, field, sentence
):
    response = login(org.coordinator).get(URL, query)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(sentence in error for error in form.errors[field]), form.errors
    assert response.context["page"] is None
    assert HOSTILE not in response.content.decode()


def test_one_date_without_the_other_is_answered_with_a_sentence(login, org, pool):
    response = login(org.coordinator).get(URL, {"start": "2026-05-01"})
    assert response.status_code == 400
    assert "Give both the first and the last day" in response.content.decode()


def test_exactly_366_days_and_an_empty_form_are_fine(login, org, pool):
    client = login(org.coordinator)
    assert (
        client.get(URL, {"start": "2026-01-01", "end": "2026-12-31"}).status_code == 200
    )
    assert (
        client.get(URL, {"start": "2028-01-01", "end": "2028-12-31"}).status_code == 200
    )
    empty = {"name": "", "tier": "", "track": "", "start": "", "end": ""}
    assert client.get(URL, empty).status_code == 200


def test_a_hostile_name_is_searched_as_text_and_shown_escaped(login, org, pool):
    UserFactory(username="odd", home_unit=org.east_room, full_name=HOSTILE[:80])
    response = login(org.coordinator).get(URL, {"name": HOSTILE})
    assert found(response) == {"odd"}
    page = response.content.decode()
    assert HOSTILE not in page
    assert "&lt;script&gt;" in page


def test_a_wrong_page_number_shows_a_page(login, org, pool):
    response = login(org.coordinator).get(URL, {"page": HOSTILE})
    assert response.status_code == 200


# --- cost --------------------------------------------------------------------------------


def _grow(org, pool, count):
    technique_names = ["焦点解决", "空椅子技术"]
    for i in range(count):
        person = UserFactory(home_unit=org.east_room, category=PersonCategory.VOLUNTEER)
        place(person, pool["tiers"]["senior" if i % 2 else "part-time"])
        make_certificate(person, pool["track"])
        master(person, technique_names[i % 2])
        make_signup(make_shift(org.east_room), person)


def test_a_page_costs_the_same_number_of_queries_as_people_grow(
    login, org, pool, django_assert_num_queries
):
    client = login(org.coordinator)
    query = {**_range(0, 5), "tier": pool["tiers"]["part-time"].pk}
    query["tier_or_higher"] = "on"
    _grow(org, pool, 3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, query).status_code == 200
    _grow(org, pool, 30)
    with django_assert_num_queries(len(small)):
        response = client.get(URL, query)
    assert response.context["page"].paginator.count >= 33
