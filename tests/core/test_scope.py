import pytest
from django.urls import reverse

from lms.core import selectors
from lms.core.models import Role, User
from tests.factories.core import UserFactory


def codes(units):
    return {unit.code for unit in units}


def test_coordinator_sees_own_unit_and_everything_below(org):
    assert codes(selectors.units_visible_to(user=org.coordinator)) == {
        "east",
        "east-room",
    }


def test_city_leader_sees_the_whole_tree(org):
    assert codes(selectors.units_visible_to(user=org.city_leader)) == {
        "city",
        "east",
        "west",
        "east-room",
        "west-room",
    }


def test_sibling_sees_nothing_of_the_other_station(org):
    visible_people = selectors.people_visible_to(user=org.sibling)
    assert org.trainee not in visible_people
    assert org.west_trainee in visible_people
    assert "east" not in codes(selectors.units_visible_to(user=org.sibling))


def test_trainee_and_supervisor_see_only_themselves(org):
    assert list(selectors.people_visible_to(user=org.trainee)) == [org.trainee]
    assert list(selectors.people_visible_to(user=org.supervisor)) == [org.supervisor]


def test_leader_cannot_manage_but_coordinator_can(org):
    assert not selectors.units_manageable_by(user=org.leader).exists()
    assert (
        selectors.people_manageable_by(user=org.coordinator)
        .filter(pk=org.trainee.pk)
        .exists()
    )


def test_superusers_are_hidden_from_coordinators(org):
    admin = UserFactory(username="root", is_superuser=True, home_unit=org.east)
    assert admin not in selectors.people_visible_to(user=org.coordinator)


def test_a_deep_tree_has_no_fixed_depth(org):
    from tests.factories.core import make_unit

    unit = org.east_room
    for depth in range(6):
        unit = make_unit(name=f"层{depth}", code=f"deep-{depth}", parent=unit)
    assert selectors.units_visible_to(user=org.coordinator).filter(pk=unit.pk).exists()
    assert not selectors.units_visible_to(user=org.sibling).filter(pk=unit.pk).exists()


def test_person_with_several_roles_gets_every_role_home(org, login):
    person = UserFactory(home_unit=org.east, roles=[Role.TRAINEE, Role.SUPERVISOR])
    client = login(person)
    assert client.get(reverse("courses:learn")).status_code == 200
    assert client.get(reverse("supervision:inbox_show")).status_code == 200
    assert client.get(reverse("core:coordinator_home")).status_code == 403


@pytest.mark.parametrize(
    "user_attr, expected",
    [
        ("coordinator", 200),
        ("leader", 200),
        ("city_leader", 200),
        ("sibling", 404),
        ("trainee", 404),
        ("supervisor", 404),
    ],
)
def test_unit_page_is_404_outside_the_subtree(org, login, user_attr, expected):
    client = login(getattr(org, user_attr))
    assert (
        client.get(reverse("core:unit_detail", args=[org.east_room.pk])).status_code
        == expected
    )


def test_unit_page_query_count_does_not_grow_with_members(
    org, login, django_assert_max_num_queries
):
    client = login(org.coordinator)
    url = reverse("core:unit_detail", args=[org.east_room.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _n in range(30):
        UserFactory(home_unit=org.east_room, roles=[Role.TRAINEE, Role.SUPERVISOR])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_people_are_counted_per_role_within_the_scope(org, django_assert_num_queries):
    assert org.sibling.roles  # the user's own roles are read once per request
    with django_assert_num_queries(1):
        counts = selectors.people_counts_by_role(user=org.sibling)
    assert counts == {"trainee": 1, "supervisor": 0, "coordinator": 1, "leader": 1}
    assert selectors.people_counts_by_role(user=org.coordinator) == {
        "trainee": 1,
        "supervisor": 1,
        "coordinator": 1,
        "leader": 1,
    }


def test_the_platform_administrator_s_manage_page_says_all_units(org, client):
    # given a platform administrator without a home unit, in Chinese
    admin = User.objects.create_superuser("root", "root@example.com", "x-long-pw-42")
    client.force_login(admin)
    client.cookies["django_language"] = "zh-hans"
    # when they open /manage/
    response = client.get(reverse("core:coordinator_home"))
    # then the heading names all units, never "None"
    assert response.status_code == 200
    body = response.content.decode()
    assert "全部单位" in body
    assert "None" not in body
