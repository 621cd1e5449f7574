"""Reads about supervision (督导): which entries await one, which sessions
a user may see, and who a supervisor may bring to a session.

``entries_awaiting_supervision`` and ``is_awaiting_supervision`` are the
queryset and row forms of the same rule; the practice log and the inbox
use them, and tests check they agree."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from lms.core.models import Role, User
from lms.core.permissions import is_scoped_manager
from lms.core.selectors import people_manageable_by, units_visible_to

from ..models import (
    GrowthNote,
    PracticeEntry,
    SupervisionKind,
    SupervisionSession,
    SupervisorAssignment,
)
from ..rules import rule_value, rule_values_in_use, rules_for
from .people import supervisees_of

#: Statuses of entries a supervision may cover (and that may await one).
COVERABLE = frozenset(
    {
        PracticeEntry.Status.SUBMITTED,
        PracticeEntry.Status.RESUBMITTED,
        PracticeEntry.Status.APPROVED,
    }
)

_Covered = SupervisionSession.entries.through


def covered_q(field: str = "pk") -> Q:
    """Entries a supervision session covers, directly or (for an
    amendment) through the original it corrects: the practice that was
    supervised is the same."""
    direct = _Covered.objects.filter(practiceentry_id=OuterRef(field))
    via_original = _Covered.objects.filter(practiceentry_id=OuterRef("amends_id"))
    return Q(Exists(direct)) | Q(Exists(via_original))


def entries_awaiting_supervision(
    *, entries: QuerySet[PracticeEntry], today: datetime.date | None = None
) -> QuerySet[PracticeEntry]:
    """Entries of ``entries`` submitted, resubmitted or approved, covered by
    no supervision, whose date is more than N days before ``today`` (local
    date), N being the supervision_due_days of the entry's unit's rules.

    Two queries however many units and policies there are: one for the
    few distinct values of N in use, then the filtered queryset (lazy)."""
    today = today or timezone.localdate()
    by_due_days = Q(pk__in=[])
    for days in sorted(rule_values_in_use("supervision_due_days")):
        cutoff = today - datetime.timedelta(days=days)
        by_due_days |= Q(supervision_due_days=days, occurred_on__lt=cutoff)
    return (
        entries.filter(status__in=COVERABLE)
        .exclude(covered_q())
        .annotate(supervision_due_days=rule_value("supervision_due_days"))
        .filter(by_due_days)
    )


def is_awaiting_supervision(
    entry: PracticeEntry, today: datetime.date | None = None
) -> bool:
    """Whether ``entry`` awaits supervision, by the rule of
    ``entries_awaiting_supervision`` (two or three queries)."""
    if entry.status not in COVERABLE:
        return False
    today = today or timezone.localdate()
    days = rules_for(entry.unit).supervision_due_days
    if entry.occurred_on >= today - datetime.timedelta(days=days):
        return False
    return not PracticeEntry.objects.filter(covered_q(), pk=entry.pk).exists()


# -- sessions ---------------------------------------------------------------


def _open_growth_assignments(user: User):
    return SupervisorAssignment.objects.filter(
        supervisor=user,
        kind=SupervisionKind.GROWTH,
        ends_on__isnull=True,
        starts_on__lte=timezone.localdate(),
    )


def participants_choosable_by(*, user: User, kind: str) -> QuerySet[User]:
    """Trainees ``user`` may bring to a supervision of ``kind``: those whose
    practice they supervise, or their open personal-growth supervisees."""
    if not user.is_authenticated or not user.has_role(Role.SUPERVISOR):
        return User.objects.none()
    if kind == SupervisionKind.GROWTH:
        growth = _open_growth_assignments(user).filter(trainee=OuterRef("pk"))
        rows = User.objects.filter(Exists(growth))
    else:
        rows = supervisees_of(user=user)
    return rows.filter(is_active=True).exclude(pk=user.pk).order_by("username")


def coverable_entries_of(*, people) -> QuerySet[PracticeEntry]:
    """Entries of ``people`` a practice supervision may cover."""
    return PracticeEntry.objects.filter(person__in=people, status__in=COVERABLE)


def supervisions_visible_to(*, user: User) -> QuerySet[SupervisionSession]:
    """Sessions ``user`` may open: those they held or attended, and practice
    sessions of a unit in their scope (coordinators and leaders, who see
    the facts but not the summary).  A personal-growth session is visible
    only to its supervisor and its participants (each sees their own
    note only; see ``growth_notes_visible_to``)."""
    if not user.is_authenticated:
        return SupervisionSession.objects.none()
    attended = SupervisionSession.participants.through.objects.filter(
        supervisionsession_id=OuterRef("pk"), user_id=user.pk
    )
    own = Q(supervisor=user) | Q(Exists(attended))
    if is_scoped_manager(user):
        scoped = Q(unit__in=units_visible_to(user=user))
        own |= Q(kind=SupervisionKind.PRACTICE) & scoped
    return SupervisionSession.objects.filter(own)


def growth_notes_visible_to(
    *, user: User, session: SupervisionSession
) -> QuerySet[GrowthNote]:
    """The session's supervisor reads every note; a trainee only their
    own; nobody else any (not superusers, not coordinators or leaders)."""
    notes = GrowthNote.objects.filter(session=session).select_related("trainee")
    if user.pk == session.supervisor_id:
        return notes
    return notes.filter(trainee=user)


def assignments_manageable_by(*, user) -> QuerySet[SupervisorAssignment]:
    """Assignments whose trainee and supervisor are both the coordinator's."""
    people = people_manageable_by(user=user)
    return SupervisorAssignment.objects.filter(
        trainee__in=people, supervisor__in=people
    ).select_related("trainee", "supervisor")
