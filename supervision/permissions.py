"""Who may do what with practice, supervision and cases: pure predicates
over rows already fetched.  Selectors hold the queryset forms of the same
rules (``supervision.selectors.people``); tests check they agree."""

import datetime

from django.utils import timezone

from lms.core.models import Role, User

from .models import Case, Pairing, PracticeEntry, SupervisionKind, SupervisorAssignment


def _today() -> datetime.date:
    return timezone.localdate()


def assigned_supervisor_ids(trainee: User, *, kind: str | None = None) -> set[int]:
    """Supervisors with an open assignment to ``trainee`` (of ``kind``)."""
    rows = SupervisorAssignment.objects.filter(
        trainee=trainee, ends_on__isnull=True, starts_on__lte=_today()
    )
    if kind:
        rows = rows.filter(kind=kind)
    return set(rows.values_list("supervisor_id", flat=True))


def mentor_ids(trainee: User) -> set[int]:
    """Mentors of an open pairing with ``trainee``."""
    return set(
        Pairing.objects.filter(mentee=trainee, ends_on__isnull=True).values_list(
            "mentor_id", flat=True
        )
    )


def is_mentor_of(user: User, trainee: User) -> bool:
    return user.pk in mentor_ids(trainee)


def supervisor_ids_of(trainee: User) -> set[int]:
    """Everyone who supervises ``trainee``'s practice: open practice
    assignments, and mentors who hold the supervisor role."""
    ids = assigned_supervisor_ids(trainee, kind=SupervisionKind.PRACTICE)
    mentors = mentor_ids(trainee)
    if mentors:
        ids |= set(
            User.objects.filter(
                pk__in=mentors, groups__name=Role.SUPERVISOR, is_active=True
            ).values_list("pk", flat=True)
        )
    return ids


def can_name_as_supervisor(user: User, person: User) -> bool:
    """Whether ``user`` may make ``person`` someone's supervisor, mentor or
    supervisor on duty: never themselves, whatever roles they hold, since
    each of these opens another person's records.  Another coordinator or
    a platform administrator makes such an assignment.  The choice lists of
    ``supervision.forms`` leave the user out the same way."""
    return user.is_authenticated and user.pk != person.pk


def can_sign_off(user: User, entry: PracticeEntry) -> bool:
    """A supervisor responsible for the trainee: assigned for practice, on
    duty at the entry's shift, or their mentor holding the supervisor
    role.  Never the trainee themselves."""
    if not user.is_authenticated or user.pk == entry.person_id:
        return False
    if not user.has_role(Role.SUPERVISOR):
        return False
    if entry.shift_id is not None and entry.shift.supervisor_id == user.pk:
        return True
    return user.pk in supervisor_ids_of(entry.person)


def can_read_case_notes(user: User, case: Case) -> bool:
    """Only the practitioner and their supervisors; never a coordinator,
    leader or superuser by office alone."""
    if not user.is_authenticated:
        return False
    if user.pk == case.practitioner_id:
        return True
    return user.has_role(Role.SUPERVISOR) and user.pk in supervisor_ids_of(
        case.practitioner
    )
