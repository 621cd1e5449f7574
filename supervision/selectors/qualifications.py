"""Uploaded qualifications as the pages read them: the holder's own, and
those of the coordinators' subtrees.  A qualification is fetched through
``qualification_get_for`` so an outsider gets 404."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from lms.core.models import User
from lms.core.selectors import people_manageable_by

from ..models import Qualification, QualificationKind


def _rows() -> QuerySet[Qualification]:
    return Qualification.objects.select_related("kind", "person", "person__home_unit")


def qualifications_visible_to(*, user: User) -> QuerySet[Qualification]:
    """The user's own and, for coordinators, those of the people they
    manage.  Queryset form of
    ``supervision.permissions.can_see_qualification``."""
    if not user.is_authenticated:
        return Qualification.objects.none()
    managed = people_manageable_by(user=user).values("pk")
    return _rows().filter(Q(person=user) | Q(person__in=managed))


def qualifications_decidable_by(*, user: User) -> QuerySet[Qualification]:
    """Those a coordinator may verify or reject: of people they manage,
    never their own.  Queryset form of
    ``supervision.permissions.can_decide_qualification``."""
    if not user.is_authenticated:
        return Qualification.objects.none()
    managed = people_manageable_by(user=user).values("pk")
    return _rows().filter(person__in=managed).exclude(person=user)


def qualifications_waiting_for(*, user: User) -> QuerySet[Qualification]:
    """The coordinator's queue: pending ones, oldest first."""
    return (
        qualifications_decidable_by(user=user)
        .filter(status=Qualification.Status.PENDING)
        .order_by("uploaded_at", "id")
    )


def qualifications_of(*, person: User) -> QuerySet[Qualification]:
    return _rows().filter(person=person).prefetch_related("transitions")


def qualification_get_for(*, user: User, pk: int) -> Qualification:
    return get_object_or_404(qualifications_visible_to(user=user), pk=pk)


def qualification_kinds() -> QuerySet[QualificationKind]:
    return QualificationKind.objects.order_by("name")
