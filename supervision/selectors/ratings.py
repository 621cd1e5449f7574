"""Competency ratings and rubrics as the pages read them.  A person is
fetched through ``person_for_ratings`` so anyone who may not see their
ratings gets 404."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from lms.core.models import Role, User

from ..models import Rating, RatingScore, Rubric
from ..permissions import can_see_ratings
from .people import supervised_person_q


def people_whose_ratings_visible_to(*, user: User) -> QuerySet[User]:
    """People whose ratings ``user`` may read: themselves, those they
    supervise, and for coordinators and leaders their subtree's members.
    Queryset form of ``supervision.permissions.can_see_ratings``."""
    people = User.objects.select_related("home_unit")
    if not user.is_authenticated:
        return people.none()
    if user.is_superuser:
        return people
    rule = Q(pk=user.pk) | supervised_person_q(user)
    managing = user.has_role(Role.COORDINATOR) or user.has_role(Role.LEADER)
    if managing and user.home_unit_id is not None:
        rule |= Q(user.home_unit.subtree_q("home_unit__"), is_superuser=False)
    return people.filter(rule)


def person_for_ratings(*, user: User, pk: int) -> User:
    """The person ``pk`` if ``user`` may see their ratings, else 404."""
    person = get_object_or_404(User.objects.select_related("home_unit"), pk=pk)
    if not can_see_ratings(user, person):
        raise Http404
    return person


def rubrics_in_use() -> QuerySet[Rubric]:
    """Rubrics a supervisor may fill in, with their items."""
    return Rubric.objects.filter(is_active=True).prefetch_related("items")


def ratings_of(*, person: User) -> QuerySet[Rating]:
    """Every rating of ``person``, newest first, with its rubric, rater and
    scores (their items) in a fixed number of queries."""
    scores = RatingScore.objects.select_related("item").order_by(
        "item__position", "item__id"
    )
    return (
        Rating.objects.filter(person=person)
        .select_related("rubric", "rater")
        .prefetch_related(Prefetch("scores", queryset=scores))
        .order_by("rubric__name", "-rated_at", "-id")
    )
