"""The unit tree is walked only through ``OrgUnit`` methods, and the
nearest unit policy is looked up only through ``supervision.rules``: these
tests pin both, and check that the row, batch and queryset forms agree."""

import pytest
from django.db.models import Value

from lms.core.models import OrgUnit, Role, User
from supervision import rules
from supervision.models import Rules, UnitPolicy
from tests.factories.core import UserFactory, make_unit

UNITS = ("city", "east", "eastern", "east_room", "eastern_room", "town")


class Tree:
    """Three levels under ``city``, with ``eastern`` a sibling of ``east``
    whose code starts with ``east``; ``town`` is a second root."""

    def __init__(self):
        self.city = make_unit(name="市中心", code="city", level=OrgUnit.Level.CITY)
        self.east = make_unit(name="东区站", code="east", parent=self.city)
        self.eastern = make_unit(name="东部站", code="eastern", parent=self.city)
        self.east_room = make_unit(
            name="东区一室",
            code="east-room",
            parent=self.east,
            level=OrgUnit.Level.GRASSROOTS,
        )
        self.eastern_room = make_unit(
            name="东部一室",
            code="eastern-room",
            parent=self.eastern,
            level=OrgUnit.Level.GRASSROOTS,
        )
        self.town = make_unit(name="镇中心", code="town", level=OrgUnit.Level.CITY)
        for name in UNITS:
            setattr(self, name, OrgUnit.objects.get(pk=getattr(self, name).pk))

    def all(self) -> list[OrgUnit]:
        return [getattr(self, name) for name in UNITS]


@pytest.fixture
def tree(db):
    return Tree()


def _codes(units) -> set[str]:
    return {unit.code for unit in units}


# --- OrgUnit --------------------------------------------------------------------


def test_subtree_q_holds_the_unit_and_below_and_not_a_lookalike_sibling(tree):
    # when
    got = OrgUnit.objects.filter(tree.east.subtree_q())
    # then
    assert _codes(got) == {"east", "east-room"}
    assert _codes(OrgUnit.objects.filter(tree.city.subtree_q())) == {
        "city",
        "east",
        "eastern",
        "east-room",
        "eastern-room",
    }
    assert _codes(OrgUnit.objects.filter(tree.east_room.subtree_q())) == {"east-room"}


def test_subtree_q_follows_a_relation_prefix(tree):
    # given
    UserFactory(username="in_room", home_unit=tree.east_room, roles=[Role.TRAINEE])
    UserFactory(username="lookalike", home_unit=tree.eastern, roles=[Role.TRAINEE])
    UserFactory(username="above", home_unit=tree.city, roles=[Role.TRAINEE])
    # when
    got = User.objects.filter(tree.east.subtree_q("home_unit__"))
    # then
    assert {person.username for person in got} == {"in_room"}


def test_ancestor_paths_run_from_the_root_to_the_unit(tree):
    assert tree.east_room.ancestor_paths() == [
        tree.city.path,
        tree.east.path,
        tree.east_room.path,
    ]
    assert tree.east.ancestor_paths() == [tree.city.path, tree.east.path]
    assert tree.city.ancestor_paths() == [tree.city.path]
    assert tree.east.path not in tree.eastern_room.ancestor_paths()


@pytest.mark.parametrize("name", UNITS)
def test_ancestors_q_and_its_sql_twin_match_treebeards_ancestors(tree, name):
    # given
    unit = getattr(tree, name)
    expected = _codes(unit.get_ancestors()) | {unit.code}
    # when
    by_paths = OrgUnit.objects.filter(unit.ancestors_q())
    in_sql = OrgUnit.objects.filter(OrgUnit.ancestors_of_q(Value(unit.path)))
    # then
    assert _codes(by_paths) == expected
    assert _codes(in_sql) == expected


@pytest.mark.parametrize("above", UNITS)
@pytest.mark.parametrize("below", UNITS)
def test_contains_agrees_with_subtree_q(tree, above, below):
    # given
    outer, inner = getattr(tree, above), getattr(tree, below)
    in_subtree = OrgUnit.objects.filter(outer.subtree_q(), pk=inner.pk).exists()
    # then
    assert outer.contains(inner) is in_subtree
    assert outer.contains(inner.path) is in_subtree


def test_contains_is_false_for_a_lookalike_sibling_and_upwards(tree):
    assert tree.east.contains(tree.east_room)
    assert tree.east.contains(tree.east)
    assert not tree.east.contains(tree.eastern)
    assert not tree.east.contains(tree.eastern_room)
    assert not tree.east_room.contains(tree.east)
    assert not tree.city.contains(tree.town)


# --- the nearest unit policy --------------------------------------------------

#: Which units carry a policy row, from none to several levels at once.
LAYOUTS = {
    "none": (),
    "root": ("city",),
    "middle": ("east",),
    "leaf": ("eastern_room",),
    "root_and_leaf": ("city", "east_room"),
    "every_level": ("city", "east", "east_room"),
    "lookalike_only": ("eastern",),
    "both_roots": ("city", "town"),
}


def _nearest_by_walking_up(unit: OrgUnit) -> UnitPolicy | None:
    """An independent answer: treebeard's ancestors, nearest first."""
    for candidate in [unit, *reversed(unit.get_ancestors())]:
        policy = UnitPolicy.objects.filter(unit=candidate).first()
        if policy is not None:
            return policy
    return None


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_row_batch_and_queryset_forms_of_the_nearest_policy_agree(
    tree, layout, django_assert_num_queries
):
    # given: each policy row with its own quota and due days
    for number, name in enumerate(LAYOUTS[layout], start=1):
        UnitPolicy.objects.create(
            unit=getattr(tree, name),
            monthly_shift_quota=10 + number,
            supervision_due_days=20 + number,
        )
    units = tree.all()
    # when
    with django_assert_num_queries(1):
        batch = rules.policies_by_unit(units)
    batch_rules = rules.rules_by_unit(units)
    annotated = dict(
        OrgUnit.objects.annotate(
            quota=rules.rule_value("monthly_shift_quota", unit_path="path")
        ).values_list("pk", "quota")
    )
    # then
    assert set(batch) == {unit.pk for unit in units}
    for unit in units:
        expected = _nearest_by_walking_up(unit)
        with django_assert_num_queries(1):
            row = rules.policy_for(unit)
        assert row == batch[unit.pk] == expected
        expected_rules = expected.rules() if expected else Rules()
        assert rules.rules_for(unit) == batch_rules[unit.pk] == expected_rules
        assert annotated[unit.pk] == expected_rules.monthly_shift_quota


def test_no_unit_has_the_defaults(db):
    assert rules.policy_for(None) is None
    assert rules.rules_for(None) == Rules()
    assert rules.policies_by_unit([]) == {}


def test_rule_values_in_use_hold_the_default_and_every_policys(tree):
    # given
    UnitPolicy.objects.create(unit=tree.east, supervision_due_days=3)
    UnitPolicy.objects.create(unit=tree.town, supervision_due_days=3)
    # then
    assert rules.rule_values_in_use("supervision_due_days") == {
        3,
        Rules.supervision_due_days,
    }
