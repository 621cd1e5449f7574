"""Who supervises whom, as querysets: the rule of
``supervision.permissions.is_supervisor_of`` for lists (inbox, case
lists, notices), in a fixed number of queries however many trainees
there are.  ``tests/test_rule_twins.py`` checks that both forms agree."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from lms.core.models import Role, User

from ..models import Pairing, PracticeEntry, SupervisionKind, SupervisorAssignment


def _open_pairings_q(*, mentor, mentee) -> Q:
    """An open pairing of ``mentor`` with ``mentee`` (users or ``OuterRef``)."""
    return Q(
        Exists(
            Pairing.objects.filter(mentor=mentor, mentee=mentee, ends_on__isnull=True)
        )
    )


def _supervision_q(*, supervisor, trainee) -> Q:
    """An open practice assignment of ``supervisor`` to ``trainee``, or an
    open pairing of the two (users or ``OuterRef``).  Callers add the
    supervisor-role check on the supervisor's side."""
    assigned = SupervisorAssignment.objects.filter(
        supervisor=supervisor,
        trainee=trainee,
        kind=SupervisionKind.PRACTICE,
        ends_on__isnull=True,
        starts_on__lte=timezone.localdate(),
    )
    return Q(Exists(assigned)) | _open_pairings_q(mentor=supervisor, mentee=trainee)


def supervised_person_q(user: User, *, field: str = "pk") -> Q:
    """Rows whose ``field`` (a user) is someone whose practice ``user``
    supervises: ``user`` holds the supervisor role and has an open practice
    assignment to them or an open pairing as their mentor; never ``user``
    themselves.  The condition behind ``supervisees_of``."""
    if not user.is_authenticated or not user.has_role(Role.SUPERVISOR):
        return Q(pk__in=[])
    link = _supervision_q(supervisor=user, trainee=OuterRef(field))
    return link & ~Q(**{field: user.pk})


def supervisees_of(*, user: User) -> QuerySet[User]:
    """People whose practice ``user`` supervises (``supervised_person_q``).
    Queryset form of ``supervision.permissions.is_supervisor_of``."""
    return User.objects.filter(supervised_person_q(user))


def supervisors_of(*, trainee: User) -> QuerySet[User]:
    """Everyone who supervises ``trainee``'s practice: active holders of
    the supervisor role with an open practice assignment to them or an
    open pairing as their mentor.  Queryset form of
    ``supervision.permissions.is_supervisor_of`` read from the trainee's
    side."""
    link = _supervision_q(supervisor=OuterRef("pk"), trainee=trainee)
    return (
        User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True)
        .filter(link)
        .exclude(pk=trainee.pk)
    )


def mentored_person_q(user: User, *, field: str = "pk") -> Q:
    """Rows whose ``field`` (a user) is someone ``user`` mentors now,
    whatever roles ``user`` holds.  A mentor reads their mentee's submitted
    log; only a mentor holding the supervisor role supervises it
    (``supervised_person_q``)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return _open_pairings_q(mentor=user, mentee=OuterRef(field))


def entries_signable_by(*, user: User) -> QuerySet[PracticeEntry]:
    """Entries ``user`` may approve or return: those of the people whose
    practice they supervise and those linked to a shift they were on duty
    for (supervisors only), and crisis interventions linked to a
    deployment of a team they lead; never their own.  Queryset form of
    ``supervision.permissions.can_sign_off``."""
    if not user.is_authenticated or not user.is_active:
        return PracticeEntry.objects.none()
    signable = Q(kind=PracticeEntry.Kind.CRISIS, deployment__team__lead=user)
    if user.has_role(Role.SUPERVISOR):
        signable |= supervised_person_q(user, field="person")
        signable |= Q(shift__supervisor=user)
    return PracticeEntry.objects.filter(signable).exclude(person=user)
