"""The rating and qualification predicates agree with their queryset
twins for every pair of the rule-twins organisation (every kind of
supervising tie; ``tests.test_rule_twins.world``)."""

import pytest

from lms.core.models import User
from supervision.permissions import (
    can_decide_qualification,
    can_rate,
    can_see_qualification,
    can_see_ratings,
)
from supervision.selectors.people import supervisees_of
from supervision.selectors.qualifications import (
    qualifications_decidable_by,
    qualifications_visible_to,
)
from supervision.selectors.ratings import people_whose_ratings_visible_to
from tests.factories.ratings import make_qualification
from tests.test_rule_twins import USERS, _user, world  # noqa: F401 - fixture


def _pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("name", USERS)
def test_rating_rules_agree_with_their_querysets(world, name):  # noqa: F811
    user = _user(name)
    visible = _pks(people_whose_ratings_visible_to(user=user))
    ratable = _pks(supervisees_of(user=user)) if user.is_authenticated else set()
    for person in User.objects.all():
        assert can_see_ratings(user, person) == (person.pk in visible), person
        assert can_rate(user, person) == (person.pk in ratable), person


@pytest.mark.parametrize("name", USERS)
def test_qualification_rules_agree_with_their_querysets(world, name):  # noqa: F811
    rows = [make_qualification(person) for person in User.objects.all()]
    user = _user(name)
    visible = _pks(qualifications_visible_to(user=user))
    decidable = _pks(qualifications_decidable_by(user=user))
    for row in rows:
        assert can_see_qualification(user, row) == (row.pk in visible), row
        assert can_decide_qualification(user, row) == (row.pk in decidable), row
