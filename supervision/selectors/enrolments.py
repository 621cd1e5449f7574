"""Tracks, their versions and requirements, and enrolments, scoped to the
acting user.  Views and admin policies fetch through these, so a row
outside the user's scope is not found (404).  Evaluation of requirements
is ``selectors.certification``."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from lms.core.models import User
from lms.core.permissions import can_manage_units, is_scoped_manager
from lms.core.selectors import (
    people_manageable_by,
    people_visible_to,
    units_manageable_by,
)

from ..models import Enrolment, Requirement, Track, TrackVersion
from .people import supervised_person_q


def tracks_manageable_by(*, user: User) -> QuerySet[Track]:
    """Tracks of the coordinator's unit and below.  Queryset form of
    ``permissions.can_manage_track``."""
    if not can_manage_units(user):
        return Track.objects.none()
    return Track.objects.filter(unit__in=units_manageable_by(user=user))


def certificate_tracks_for(*, user: User) -> QuerySet[Track]:
    """Certification tracks whose certificate a coordinator's requirement
    may ask for: those their people can hold, defined at the coordinator's
    unit, above it or below it (all for platform administrators); never a
    tier-rules track, which issues none."""
    rows = Track.objects.filter(purpose=Track.Purpose.CERTIFICATION)
    if user.is_superuser:
        return rows.order_by("name")
    if not can_manage_units(user) or user.home_unit_id is None:
        return rows.none()
    home = user.home_unit
    return rows.filter(home.ancestors_q("unit__") | home.subtree_q("unit__")).order_by(
        "name"
    )


def track_versions_manageable_by(*, user: User) -> QuerySet[TrackVersion]:
    return TrackVersion.objects.filter(
        track__in=tracks_manageable_by(user=user)
    ).select_related("track")


def requirements_manageable_by(*, user: User) -> QuerySet[Requirement]:
    return Requirement.objects.filter(
        version__in=track_versions_manageable_by(user=user)
    ).select_related("version__track")


def published_versions(track_ids=None) -> QuerySet[TrackVersion]:
    rows = TrackVersion.objects.filter(published_at__isnull=False)
    if track_ids is not None:
        rows = rows.filter(track__in=track_ids)
    return rows.order_by("track", "-number")


def latest_published(track: Track) -> TrackVersion | None:
    """The version a new enrolment is held to: the highest published one."""
    return published_versions([track.pk]).first()


def tracks_open_to(*, person: User) -> QuerySet[Track]:
    """Active certification tracks with a published version whose unit is
    the person's home unit or above it: the tracks the person may enrol in
    (those they are enrolled in included).  Tier-rules tracks are never
    offered."""
    if not person.is_authenticated or person.home_unit_id is None:
        return Track.objects.none()
    published = TrackVersion.objects.filter(
        track=OuterRef("pk"), published_at__isnull=False
    )
    return (
        Track.objects.filter(
            person.home_unit.ancestors_q("unit__"),
            is_active=True,
            purpose=Track.Purpose.CERTIFICATION,
        )
        .filter(Exists(published))
        .select_related("unit")
    )


def enrolments_of(*, person: User) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(person=person).select_related(
        "track", "version", "person__home_unit"
    )


def enrolments_visible_to(*, user: User) -> QuerySet[Enrolment]:
    """The user's own enrolments, those of people whose practice they
    supervise, and, for coordinators and leaders, those of the people of
    their subtree.  Queryset form of ``permissions.can_see_progress``."""
    rows = Enrolment.objects.select_related("track", "version", "person__home_unit")
    if not user.is_authenticated:
        return rows.none()
    condition = Q(person=user) | supervised_person_q(user, field="person")
    if is_scoped_manager(user):
        condition |= Q(person__in=people_visible_to(user=user).values("pk"))
    return rows.filter(condition)


def enrolments_decidable_by(*, user: User) -> QuerySet[Enrolment]:
    """Enrolments of the people a coordinator manages, never their own.
    Queryset form of ``permissions.can_decide_enrolment``."""
    return (
        Enrolment.objects.filter(
            person__in=people_manageable_by(user=user).values("pk")
        )
        .exclude(person=user)
        .select_related("track", "version", "person__home_unit")
    )


def applications_waiting_for(*, user: User) -> QuerySet[Enrolment]:
    """Applications a coordinator may decide, the oldest first."""
    return (
        enrolments_decidable_by(user=user)
        .filter(status=Enrolment.Status.APPLIED)
        .order_by("enrolled_at", "pk")
    )


def cohort_versions_for(*, user: User) -> QuerySet[TrackVersion]:
    """Published versions with at least one enrolment the user may see as a
    coordinator or leader (for the progress table's chooser)."""
    if not is_scoped_manager(user):
        return TrackVersion.objects.none()
    people = people_visible_to(user=user).values("pk")
    return (
        TrackVersion.objects.filter(
            published_at__isnull=False, enrolments__person__in=people
        )
        .annotate(people=Count("enrolments", distinct=True))
        .select_related("track")
        .order_by("track__name", "-number")
    )


def cohort_enrolments(*, user: User, version: TrackVersion) -> QuerySet[Enrolment]:
    """The enrolments held to ``version`` of the people of the user's
    subtree (coordinators and leaders)."""
    if not is_scoped_manager(user):
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(
            version=version,
            person__in=people_visible_to(user=user).values("pk"),
        )
        .select_related("person__home_unit")
        .order_by("person__home_unit__path", "person__full_name", "person__pk")
    )
