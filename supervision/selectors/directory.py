"""The talent-pool directory: the people of a coordinator's or leader's
subtree, found by tier, valid certificate, confirmed technique, person
category, unit, name and availability on a range of dates.

Professional facts only: a person's unit, category, tiers, certificates
in force and confirmed masteries.  Nothing of their cases, practice
reflections, growth supervision or contact details is read here, so no
page built on these reads can show it.

The number of queries does not grow with the people found: filters are
``Exists`` subqueries, the facts of a page are three prefetches, and
availability is ``availability.busy_q`` (one SQL condition) with
``availability.clashes`` (the sentences, for the listed page only).
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from lms.core.models import OrgUnit, User
from lms.core.permissions import is_scoped_manager

from ..models import (
    Certificate,
    PoolMember,
    Technique,
    TechniqueMastery,
    Tier,
    Track,
)
from .availability import busy_q, clashes
from .certificates import in_force_q


@dataclass(frozen=True)
class DirectoryQuery:
    """What a directory search asks; every part is optional.  ``start``
    and ``end`` (both or neither) ask about availability; ``free_only``
    keeps only the people free on every day of the range."""

    name: str = ""
    tier: Tier | None = None
    tier_or_higher: bool = False
    track: Track | None = None
    technique: Technique | None = None
    category: str = ""
    unit: OrgUnit | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    free_only: bool = False

    @property
    def has_range(self) -> bool:
        return self.start is not None and self.end is not None


def directory_people_visible_to(*, user: User) -> QuerySet[User]:
    """Active people whose home unit is the user's or below it, for
    coordinators and leaders; every active person for platform
    administrators; nobody for anyone else.  Platform administrators are
    never listed.  Queryset twin of ``permissions.can_find_in_directory``."""
    people = User.objects.filter(is_active=True, is_superuser=False)
    if not is_scoped_manager(user):
        return people.none()
    if user.is_superuser:
        return people
    if user.home_unit_id is None:
        return people.none()
    return people.filter(user.home_unit.subtree_q("home_unit__"))


def _applying_q(user: User, prefix: str) -> Q | None:
    """Rows (``prefix`` leads to their unit) defined at the user's unit,
    above it (they apply to people below) or within the subtree; ``None``
    for platform administrators (everything applies)."""
    if user.is_superuser:
        return None
    home = user.home_unit
    return home.ancestors_q(prefix) | home.subtree_q(prefix)


def tiers_offered_to(*, user: User) -> QuerySet[Tier]:
    """Tiers of the pool schemes that apply in the user's subtree, for the
    directory's tier filter."""
    if not is_scoped_manager(user):
        return Tier.objects.none()
    tiers = Tier.objects.select_related("scheme").order_by(
        "scheme__name", "-rank", "name"
    )
    if user.is_superuser:
        return tiers
    if user.home_unit_id is None:
        return tiers.none()
    return tiers.filter(_applying_q(user, "scheme__unit__"))


def tracks_offered_to(*, user: User) -> QuerySet[Track]:
    """Certification tracks (not tier rules) that apply in the user's
    subtree, for the "holds a valid certificate of" filter."""
    if not is_scoped_manager(user):
        return Track.objects.none()
    tracks = Track.objects.filter(purpose=Track.Purpose.CERTIFICATION).order_by("name")
    if user.is_superuser:
        return tracks
    if user.home_unit_id is None:
        return tracks.none()
    return tracks.filter(_applying_q(user, "unit__"))


def techniques_offered() -> QuerySet[Technique]:
    """The techniques of the catalogue, for the "has mastered" filter."""
    return Technique.objects.filter(is_active=True).order_by("name")


def _tier_q(tier: Tier, or_higher: bool) -> Q:
    members = PoolMember.objects.filter(person=OuterRef("pk"))
    if or_higher:
        members = members.filter(scheme_id=tier.scheme_id, tier__rank__gte=tier.rank)
    else:
        members = members.filter(tier=tier)
    return Q(Exists(members))


def _certificate_q(track: Track, today: datetime.date) -> Q:
    held = Certificate.objects.filter(
        in_force_q(today), holder=OuterRef("pk"), track=track
    )
    return Q(Exists(held))


def _mastery_q(technique: Technique) -> Q:
    mastered = TechniqueMastery.objects.filter(
        person=OuterRef("pk"), technique=technique, confirmed_at__isnull=False
    )
    return Q(Exists(mastered))


def _facts(rows: QuerySet[User], today: datetime.date) -> QuerySet[User]:
    """The professional facts shown for each person, prefetched: tiers
    (``pool_places``), certificates in force (``valid_certificates``) and
    confirmed masteries (``confirmed_masteries``)."""
    return rows.select_related("home_unit").prefetch_related(
        Prefetch(
            "pool_memberships",
            queryset=PoolMember.objects.select_related("tier", "scheme").order_by(
                "scheme__name", "-tier__rank"
            ),
            to_attr="pool_places",
        ),
        Prefetch(
            "certificates",
            queryset=Certificate.objects.filter(in_force_q(today))
            .select_related("track")
            .order_by("track__name", "-issued_on"),
            to_attr="valid_certificates",
        ),
        Prefetch(
            "masteries",
            queryset=TechniqueMastery.objects.filter(confirmed_at__isnull=False)
            .select_related("technique")
            .order_by("technique__name"),
            to_attr="confirmed_masteries",
        ),
    )


def directory_search(
    *, user: User, query: DirectoryQuery, today: datetime.date
) -> QuerySet[User]:
    """The people of the user's directory (``directory_people_visible_to``)
    that match ``query``, in unit and name order, with their facts
    prefetched and, when a range is asked, ``is_busy`` annotated."""
    rows = directory_people_visible_to(user=user)
    if query.name:
        rows = rows.filter(
            Q(full_name__icontains=query.name) | Q(username__icontains=query.name)
        )
    if query.tier is not None:
        rows = rows.filter(_tier_q(query.tier, query.tier_or_higher))
    if query.track is not None:
        rows = rows.filter(_certificate_q(query.track, today))
    if query.technique is not None:
        rows = rows.filter(_mastery_q(query.technique))
    if query.category:
        rows = rows.filter(category=query.category)
    if query.unit is not None:
        rows = rows.filter(query.unit.subtree_q("home_unit__"))
    if query.has_range:
        busy = busy_q(query.start, query.end)
        if query.free_only:
            rows = rows.exclude(busy)
        rows = rows.annotate(
            is_busy=Case(
                When(busy, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    return _facts(rows, today).order_by("home_unit__path", "full_name", "pk")


def page_clashes(people, query: DirectoryQuery) -> dict[int, list[str]]:
    """What each person of a listed page is busy with in the asked range,
    in words (the sentence form of ``is_busy``; free people are absent);
    empty when no range is asked."""
    if not query.has_range:
        return {}
    return clashes([person.pk for person in people], query.start, query.end)
