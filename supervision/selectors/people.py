"""Who supervises whom, as querysets: the same rules as
``supervision.permissions`` for lists (inbox, case lists), in a fixed
number of queries however many trainees there are."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from lms.core.models import Role, User

from ..models import Pairing, PracticeEntry, SupervisionKind, SupervisorAssignment


def _open_assignments(user: User, kind: str | None = SupervisionKind.PRACTICE):
    rows = SupervisorAssignment.objects.filter(
        supervisor=user, ends_on__isnull=True, starts_on__lte=timezone.localdate()
    )
    return rows.filter(kind=kind) if kind else rows


def _open_pairings(user: User):
    return Pairing.objects.filter(mentor=user, ends_on__isnull=True)


def supervised_person_q(user: User, *, field: str = "pk") -> Q:
    """People whose practice ``user`` supervises: open practice
    assignments, and mentees when ``user`` holds the supervisor role."""
    if not user.is_authenticated or not user.has_role(Role.SUPERVISOR):
        return Q(pk__in=[])
    assigned = _open_assignments(user).filter(trainee=OuterRef(field))
    q = Q(Exists(assigned))
    paired = _open_pairings(user).filter(mentee=OuterRef(field))
    return q | Q(Exists(paired))


def entries_signable_by(*, user: User) -> QuerySet[PracticeEntry]:
    """Entries ``user`` may approve or return, by the rule of
    ``can_sign_off``: their supervisees', their mentees' (holding the
    supervisor role) and those linked to a shift they were on duty for."""
    if not user.is_authenticated or not user.has_role(Role.SUPERVISOR):
        return PracticeEntry.objects.none()
    return PracticeEntry.objects.filter(
        supervised_person_q(user, field="person") | Q(shift__supervisor=user)
    ).exclude(person=user)
