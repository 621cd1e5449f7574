"""Reads of crisis deployments: which ones a user sees or runs, the tracks
and tiers a need may ask for, the scope a proposal draws from, and the
call-outs of one deployment with the places they hold."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from lms.core.models import OrgUnit, Role, User
from lms.core.permissions import is_scoped_manager

from ..models import CallOut, Deployment, Tier, Track


def _rows() -> QuerySet[Deployment]:
    return Deployment.objects.select_related(
        "unit", "required_tier", "created_by", "team"
    )


def deployments_visible_to(*, user: User) -> QuerySet[Deployment]:
    """Deployments of the user's unit and below, for coordinators and
    leaders (all for platform administrators; none for anyone else).
    Queryset twin of ``permissions.can_see_deployment``."""
    rows = _rows()
    if user.is_superuser:
        return rows
    if not is_scoped_manager(user) or user.home_unit_id is None:
        return rows.none()
    return rows.filter(user.home_unit.subtree_q("unit__"))


def deployments_manageable_by(*, user: User) -> QuerySet[Deployment]:
    """Deployments a coordinator runs: those of their unit and below.
    Queryset twin of ``permissions.can_manage_deployment``."""
    rows = _rows()
    if user.is_superuser:
        return rows
    if (
        not user.is_authenticated
        or not user.has_role(Role.COORDINATOR)
        or user.home_unit_id is None
    ):
        return rows.none()
    return rows.filter(user.home_unit.subtree_q("unit__"))


def with_places(rows: QuerySet[Deployment]) -> QuerySet[Deployment]:
    """``rows`` annotated with ``accepted`` and ``waiting`` call-outs (one
    query for the list, whatever its length)."""
    return rows.order_by("-starts_on", "-id").annotate(
        accepted=Count("callouts", filter=Q(callouts__status=CallOut.Status.ACCEPTED)),
        waiting=Count("callouts", filter=Q(callouts__status=CallOut.Status.CALLED)),
    )


def scope_of(user: User) -> OrgUnit | None:
    """The unit whose subtree a user's proposals draw people from: their
    home unit; ``None`` (the whole tree) for a platform administrator."""
    if user.is_superuser:
        return None
    return user.home_unit


def _applying_q(user: User, prefix: str) -> Q | None:
    """Rows defined at a unit above the user's home unit (they apply to
    it) or within its subtree; ``None`` when everything applies."""
    if user.is_superuser:
        return None
    home = user.home_unit
    if home is None:
        return Q(pk__in=[])
    return home.ancestors_q(prefix) | home.subtree_q(prefix)


def tracks_offered(*, user: User) -> QuerySet[Track]:
    """Certification tracks a need may require: those defined at, above
    or below the user's unit (tier-rules tracks issue no certificate)."""
    rows = Track.objects.filter(purpose=Track.Purpose.CERTIFICATION).order_by("name")
    applying = _applying_q(user, "unit__")
    return rows if applying is None else rows.filter(applying)


def tiers_offered(*, user: User) -> QuerySet[Tier]:
    """Tiers of the pool schemes that apply in the user's scope: schemes
    defined at, above or below their unit."""
    rows = Tier.objects.select_related("scheme").order_by(
        "scheme__name", "-rank", "name"
    )
    applying = _applying_q(user, "scheme__unit__")
    return rows if applying is None else rows.filter(applying)


def callouts_of(deployment: Deployment) -> list[CallOut]:
    """The deployment's call-outs in proposal order, each with
    ``is_overdue`` (still waiting after its link expired) and
    ``filled_by`` (the call-out that took its place, or ``None``); one
    query."""
    now = timezone.now()
    rows = list(
        deployment.callouts.select_related("person__home_unit").order_by(
            "rank", "called_at", "pk"
        )
    )
    fills = {row.replaces_id: row for row in rows if row.replaces_id}
    for row in rows:
        row.is_overdue = (
            row.status == CallOut.Status.CALLED
            and row.token_expires_at is not None
            and row.token_expires_at <= now
        )
        row.filled_by = fills.get(row.pk)
    return rows


def places_held(callouts: list[CallOut]) -> dict:
    """How many places the call-outs hold: accepted, waiting (called, link
    not expired) and their sum."""
    accepted = sum(1 for c in callouts if c.status == CallOut.Status.ACCEPTED)
    waiting = sum(
        1
        for c in callouts
        if c.status == CallOut.Status.CALLED and not getattr(c, "is_overdue", False)
    )
    return {"accepted": accepted, "waiting": waiting, "held": accepted + waiting}
