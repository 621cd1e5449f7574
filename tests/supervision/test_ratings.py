"""Competency ratings: who may rate whom, what a rating keeps, and the
pages that show them."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from lms.core.models import AuditAction, AuditEvent, Notice, Role
from supervision.models import Rating, RatingScore
from supervision.permissions import can_rate, can_see_ratings
from supervision.selectors.ratings import people_whose_ratings_visible_to
from supervision.services.ratings import rating_record
from tests.factories.core import UserFactory
from tests.factories.ratings import make_rating, make_rubric
from tests.factories.supervision import assign


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are compared in English, the source language (requests
    made by the test client would otherwise switch back to Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def rated(org):
    """The east supervisor assigned to the trainee, and a rubric of three."""
    assign(org.trainee, org.supervisor)
    return make_rubric()


def all_scores(rubric, score=4, comment=""):
    return {item.pk: (score, comment) for item in rubric.items.all()}


def record(org, rubric, scores, comment="", actor=None):
    return rating_record(
        actor=actor or org.supervisor,
        person=org.trainee,
        rubric=rubric,
        scores=scores,
        comment=comment,
    )


# --- the service ---------------------------------------------------------------


def test_an_assigned_supervisor_rates_and_the_level_is_the_mean(org, rated):
    scores = dict(
        zip(
            rated.items.values_list("pk", flat=True),
            [(5, "好"), (4, ""), (4, "")],
            strict=True,
        )
    )
    rating = record(org, rated, scores, comment="整体不错")
    assert rating.level == Decimal("4.33")
    assert rating.scores.count() == 3
    assert AuditEvent.objects.filter(
        action=AuditAction.RATING, object_id=str(rating.pk)
    ).exists()
    notice = Notice.objects.get(person=org.trainee)
    assert notice.url == reverse("supervision:my_ratings")


def test_history_is_kept_per_trainee_and_rubric(org, rated):
    record(org, rated, all_scores(rated, 3))
    record(org, rated, all_scores(rated, 5))
    levels = sorted(
        Rating.objects.filter(person=org.trainee).values_list("level", flat=True)
    )
    assert levels == [Decimal("3.00"), Decimal("5.00")]


@pytest.mark.parametrize("who", ["coordinator", "leader", "west_trainee", "trainee"])
def test_only_a_supervisor_of_the_person_may_rate(org, rated, who):
    with pytest.raises(PermissionDenied):
        record(org, rated, all_scores(rated), actor=getattr(org, who))
    assert not Rating.objects.exists()


def test_a_supervisor_of_another_trainee_may_not_rate(org, rated):
    other = UserFactory(
        username="other_sup", home_unit=org.east, roles=[Role.SUPERVISOR]
    )
    assign(org.west_trainee, other)
    assert not can_rate(other, org.trainee)
    with pytest.raises(PermissionDenied):
        record(org, rated, all_scores(rated), actor=other)


@pytest.mark.parametrize(
    "bad",
    [
        0,
        6,
        -1,
        "abc",
        "4",
        4.5,
        None,
        True,
    ],
)
def test_a_score_outside_1_to_5_is_refused_and_nothing_is_written(org, rated, bad):
    scores = all_scores(rated)
    scores[next(iter(scores))] = (bad, "")
    with pytest.raises(ValidationError):
        record(org, rated, scores)
    assert not Rating.objects.exists()
    assert not RatingScore.objects.exists()


def test_a_missing_item_is_refused(org, rated):
    scores = all_scores(rated)
    scores.pop(next(iter(scores)))
    with pytest.raises(ValidationError, match="missing"):
        record(org, rated, scores)
    assert not Rating.objects.exists()


def test_an_item_of_another_rubric_is_refused(org, rated):
    other = make_rubric("个体咨询胜任力", items=1)
    scores = all_scores(rated) | all_scores(other)
    with pytest.raises(ValidationError):
        record(org, rated, scores)
    assert not Rating.objects.exists()


def test_empty_scores_and_a_retired_rubric_are_refused(org, rated):
    with pytest.raises(ValidationError):
        record(org, rated, {})
    retired = make_rubric("旧表", is_active=False)
    with pytest.raises(ValidationError, match="no longer in use"):
        record(org, retired, all_scores(retired))
    assert not Rating.objects.exists()


@pytest.mark.parametrize("where", ["item", "overall"])
def test_a_huge_comment_is_refused(org, rated, where):
    huge = "长" * 100_000
    scores = all_scores(rated, comment=huge if where == "item" else "")
    with pytest.raises(ValidationError, match="at most"):
        record(org, rated, scores, comment=huge if where == "overall" else "")
    assert not Rating.objects.exists()


# --- who sees ratings ------------------------------------------------------------


@pytest.mark.parametrize(
    "who, sees",
    [
        ("trainee", True),
        ("supervisor", True),
        ("coordinator", True),
        ("leader", True),
        ("city_leader", True),
        ("sibling", False),
        ("west_trainee", False),
    ],
)
def test_who_sees_a_persons_ratings_and_the_queryset_agrees(org, rated, who, sees):
    user = getattr(org, who)
    assert can_see_ratings(user, org.trainee) is sees
    in_queryset = people_whose_ratings_visible_to(user=user).filter(pk=org.trainee.pk)
    assert in_queryset.exists() is sees


# --- the pages ------------------------------------------------------------------


def form_data(rubric, score="4", comment="", overall=""):
    data = {"comment": overall}
    for item in rubric.items.all():
        data[f"score_{item.pk}"] = score
        data[f"comment_{item.pk}"] = comment
    return data


def rate_url(org, rubric):
    return reverse("supervision:rating_new", args=[org.trainee.pk, rubric.pk])


def test_the_supervisor_fills_in_the_form(org, rated, login):
    client = login(org.supervisor)
    page = client.get(rate_url(org, rated))
    assert page.status_code == 200
    response = client.post(rate_url(org, rated), form_data(rated, "5", overall="好"))
    assert response.status_code == 302
    assert Rating.objects.get().level == Decimal("5.00")


@pytest.mark.parametrize("score", ["", "0", "6", "abc", "4.5"])
def test_a_bad_score_on_the_form_gets_a_sentence(org, rated, login, score):
    client = login(org.supervisor)
    response = client.post(rate_url(org, rated), form_data(rated, score))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors and all(name.startswith("score_") for name in errors)
    assert 'data-testid="error-item"' in response.content.decode()
    assert not Rating.objects.exists()


def test_a_huge_comment_on_the_form_is_refused(org, rated, login):
    client = login(org.supervisor)
    data = form_data(rated, overall="长" * 100_000, comment="长" * 5_000)
    response = client.post(rate_url(org, rated), data)
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_a_script_in_a_comment_is_stored_as_text_and_escaped(org, rated, login):
    hostile = "<script>alert(1)</script>"
    client = login(org.supervisor)
    client.post(
        rate_url(org, rated), form_data(rated, comment=hostile, overall=hostile)
    )
    assert Rating.objects.get().comment == hostile
    page = login(org.trainee).get(reverse("supervision:my_ratings"))
    html = page.content.decode()
    assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "who, status",
    [("coordinator", 403), ("leader", 403), ("trainee", 403), ("sibling", 404)],
)
def test_who_may_open_the_rating_form(org, rated, login, who, status):
    assert login(getattr(org, who)).get(rate_url(org, rated)).status_code == status


def test_a_supervisor_of_another_trainee_does_not_find_the_form(org, rated, login):
    other = UserFactory(
        username="other_sup", home_unit=org.east, roles=[Role.SUPERVISOR]
    )
    assert login(other).get(rate_url(org, rated)).status_code == 404
    listing = reverse("supervision:rating_list", args=[org.trainee.pk])
    assert login(other).get(listing).status_code == 404


def test_a_retired_rubric_form_is_not_found(org, login):
    assign(org.trainee, org.supervisor)
    retired = make_rubric("旧表", is_active=False)
    assert login(org.supervisor).get(rate_url(org, retired)).status_code == 404


def test_the_list_shows_history_and_rate_links_to_supervisors(org, rated, login):
    make_rating(org.trainee, org.supervisor, rated, score=3, comment="第一次")
    make_rating(org.trainee, org.supervisor, rated, score=5, comment="第二次")
    url = reverse("supervision:rating_list", args=[org.trainee.pk])
    page = login(org.supervisor).get(url)
    html = page.content.decode()
    assert "第一次" in html and "第二次" in html
    assert rate_url(org, rated) in html
    coordinator_page = login(org.coordinator).get(url).content.decode()
    assert "第二次" in coordinator_page
    assert rate_url(org, rated) not in coordinator_page


def test_the_list_costs_a_fixed_number_of_queries(
    org, rated, login, django_assert_max_num_queries
):
    for _n in range(10):
        make_rating(org.trainee, org.supervisor, rated)
    client = login(org.trainee)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("supervision:my_ratings")).status_code == 200
