"""Who may do what with practice, supervision, reviews, pairing, shifts
and cases: predicates over rows already fetched.

A predicate reads the objects given and their foreign keys; some need one
or two small ``exists()`` on those objects, and their docstrings say so.
Where a list needs the same rule, its queryset twin is in ``selectors``
(named in the predicate's docstring) and ``tests/test_rule_twins.py``
checks that both agree for every pair of a fixture organisation."""

import datetime

from django.utils import timezone

from lms.core.models import OrgUnit, PersonCategory, Role, User
from lms.core.permissions import (
    can_manage_person,
    can_manage_unit,
    is_scoped_manager,
    unit_in_scope,
)

from .models import (
    Case,
    Certificate,
    DutyShift,
    Pairing,
    PracticeEntry,
    SupervisionKind,
    SupervisionSession,
    SupervisorAssignment,
    TechniqueMastery,
    VideoLessonSubmission,
)

#: Who may mentor besides holders of the supervisor role.
MENTOR_CATEGORIES = frozenset({PersonCategory.VOLUNTEER, PersonCategory.PROFESSIONAL})


def _today() -> datetime.date:
    return timezone.localdate()


# --- who supervises whom ------------------------------------------------------


def is_supervisor_of(user: User, trainee: User) -> bool:
    """Whether ``user`` supervises ``trainee``'s practice: ``user`` holds
    the supervisor role (so is active), is someone else, and has an open
    practice assignment to the trainee or an open pairing as their mentor.
    Two small ``exists()`` on the two people.

    Row form of ``selectors.people.supervisees_of`` (and of
    ``selectors.people.supervisors_of``, the same rule read from the
    trainee's side); every rule about supervisors goes through one of them.
    """
    if not user.is_authenticated or user.pk == trainee.pk:
        return False
    if not user.has_role(Role.SUPERVISOR):
        return False
    assigned = SupervisorAssignment.objects.filter(
        supervisor=user,
        trainee=trainee,
        kind=SupervisionKind.PRACTICE,
        ends_on__isnull=True,
        starts_on__lte=_today(),
    )
    if assigned.exists():
        return True
    return Pairing.objects.filter(
        mentor=user, mentee=trainee, ends_on__isnull=True
    ).exists()


def can_name_as_supervisor(user: User, person: User) -> bool:
    """Whether ``user`` may make ``person`` someone's supervisor, mentor or
    supervisor on duty: never themselves, whatever roles they hold, since
    each of these opens another person's records.  Another coordinator or
    a platform administrator makes such an assignment.  The choice lists of
    ``supervision.forms`` leave the user out the same way."""
    return user.is_authenticated and user.pk != person.pk


def can_mentor(person: User) -> bool:
    """Whether ``person`` may be made a mentor: an active volunteer or
    professional, or anyone holding the supervisor role.  Row form of the
    mentor choices of ``supervision.forms.pairing.mentor_choices`` (which
    also keep to the coordinator's units)."""
    return person.is_active and (
        person.category in MENTOR_CATEGORIES or person.has_role(Role.SUPERVISOR)
    )


# --- practice, reviews, techniques, supervision -------------------------------


def can_sign_off(user: User, entry: PracticeEntry) -> bool:
    """A supervisor responsible for the trainee: on duty at the entry's
    shift, or supervising the trainee's practice (``is_supervisor_of``);
    and for a crisis intervention linked to a deployment of a standing
    team, that team's lead whatever roles they hold (reads
    ``entry.deployment.team``).  Never the trainee themselves.  Row form of
    ``selectors.people.entries_signable_by``."""
    if not user.is_authenticated or user.pk == entry.person_id:
        return False
    if _leads_the_deployment_of(user, entry):
        return True
    if not user.has_role(Role.SUPERVISOR):
        return False
    if entry.shift_id is not None and entry.shift.supervisor_id == user.pk:
        return True
    return is_supervisor_of(user, entry.person)


def _leads_the_deployment_of(user: User, entry: PracticeEntry) -> bool:
    if not (user.is_active and entry.kind == PracticeEntry.Kind.CRISIS):
        return False
    if entry.deployment_id is None or entry.deployment.team_id is None:
        return False
    return entry.deployment.team.lead_id == user.pk


def can_review(user: User, submission: VideoLessonSubmission) -> bool:
    """A supervisor of the submission's trainee (``is_supervisor_of``);
    never the trainee.  Row form of
    ``selectors.reviews.video_lessons_reviewable_by``."""
    return is_supervisor_of(user, submission.person)


def can_confirm_mastery(user: User, mastery: TechniqueMastery) -> bool:
    """A supervisor of the person's practice (``is_supervisor_of``), never
    the person themselves.  Row form, for masteries not yet confirmed, of
    ``selectors.techniques.masteries_awaiting_confirmation``."""
    return is_supervisor_of(user, mastery.person)


def can_read_summary(user: User, session: SupervisionSession) -> bool:
    """The practice summary is for the supervisor and the participants
    (one ``exists()`` on the session's participants); coordinators and
    leaders see the session's facts only."""
    if user.pk == session.supervisor_id:
        return True
    return session.participants.filter(pk=user.pk).exists()


def can_read_case_notes(user: User, case: Case) -> bool:
    """Only the practitioner and their supervisors (``is_supervisor_of``);
    never a coordinator, leader or superuser by office alone.  Row form of
    ``selectors.cases.cases_visible_to``."""
    if not user.is_authenticated:
        return False
    if user.pk == case.practitioner_id:
        return True
    return is_supervisor_of(user, case.practitioner)


# --- duty shifts --------------------------------------------------------------


def may_take_place(person: User, shift: DutyShift) -> bool:
    """Whether ``person`` may take a place on ``shift`` (sign up, be
    offered a swap, check in): an active trainee of the shift's unit or a
    unit below it.  Row form of ``selectors.shifts.eligible_people``."""
    home = person.home_unit if person.is_authenticated else None
    return (
        home is not None
        and person.is_active
        and person.has_role(Role.TRAINEE)
        and shift.unit.contains(home)
    )


def can_manage_shift(user: User, shift: DutyShift) -> bool:
    """Coordinators of the shift's unit or above it; no query.  Row form
    of ``selectors.shifts.shifts_manageable_by``."""
    return can_manage_unit(user, shift.unit)


def can_see_roster(user: User, shift: DutyShift) -> bool:
    """The coordinators over the shift and its supervisor on duty."""
    if not user.is_authenticated:
        return False
    return can_manage_shift(user, shift) or shift.supervisor_id == user.pk


def can_run_shift_screen(user: User, shift: DutyShift) -> bool:
    """Those who see the roster run the check-in screen."""
    return can_see_roster(user, shift)


def can_view_compliance(user: User, unit: OrgUnit) -> bool:
    """Coordinators and leaders over ``unit``."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    managing = user.has_role(Role.COORDINATOR) or user.has_role(Role.LEADER)
    return managing and unit_in_scope(user, unit)


# --- certification: certificates ------------------------------------------------


def can_see_register(user: User) -> bool:
    """Coordinators and leaders (and platform administrators) read the
    certificate register of their subtree; no query."""
    return is_scoped_manager(user)


def can_see_certificate(user: User, certificate: Certificate) -> bool:
    """The holder, and coordinators and leaders over the certificate's
    unit (the holder's unit when it was issued); reads ``certificate.unit``.  Row form of
    ``selectors.certificates.certificates_visible_to``."""
    if not user.is_authenticated:
        return False
    if user.pk == certificate.holder_id:
        return True
    return is_scoped_manager(user) and unit_in_scope(user, certificate.unit)


def can_revoke_certificate(user: User, certificate: Certificate) -> bool:
    """Coordinators over the certificate's unit; reads ``certificate.unit``."""
    return can_manage_unit(user, certificate.unit)


# --- certification: ratings and qualifications --------------------------------


def can_rate(user: User, person: User) -> bool:
    """A supervisor responsible for ``person`` (``is_supervisor_of``);
    never the person, and not a coordinator or leader by office alone.
    Row form of ``selectors.people.supervisees_of``."""
    return is_supervisor_of(user, person)


def can_see_ratings(user: User, person: User) -> bool:
    """The person, their supervisors, and coordinators and leaders over
    their unit (superusers too).  Row form of
    ``selectors.ratings.people_whose_ratings_visible_to``."""
    if not user.is_authenticated:
        return False
    if user.pk == person.pk or user.is_superuser:
        return True
    managing = user.has_role(Role.COORDINATOR) or user.has_role(Role.LEADER)
    home = person.home_unit
    if managing and not person.is_superuser and home and unit_in_scope(user, home):
        return True
    return is_supervisor_of(user, person)


def can_see_qualification(user: User, qualification) -> bool:
    """The holder and the coordinators over them; no query beyond the
    holder.  Row form of ``selectors.qualifications.qualifications_visible_to``."""
    if not user.is_authenticated:
        return False
    return user.pk == qualification.person_id or can_manage_person(
        user, qualification.person
    )


def can_decide_qualification(user: User, qualification) -> bool:
    """A coordinator over the holder verifies or rejects; never the holder
    (a coordinator's own goes to another coordinator).  Row form of
    ``selectors.qualifications.qualifications_decidable_by``."""
    return (
        user.is_authenticated
        and user.pk != qualification.person_id
        and can_manage_person(user, qualification.person)
    )


# --- certification: tracks and enrolments -----------------------------------


def can_see_progress(user: User, enrolment) -> bool:
    """The enrolled trainee, their supervisors (``is_supervisor_of``) and
    coordinators and leaders over the trainee's unit.  Row form of
    ``selectors.enrolments.enrolments_visible_to``."""
    if not user.is_authenticated:
        return False
    person = enrolment.person
    if user.pk == person.pk:
        return True
    home = person.home_unit
    if home is not None and is_scoped_manager(user) and unit_in_scope(user, home):
        return True
    return is_supervisor_of(user, person)


def can_decide_enrolment(user: User, enrolment) -> bool:
    """Coordinators over the trainee's unit, never the trainee themselves:
    they approve or decline an application and move a trainee to a new
    version of the track.  No query.  Row form of
    ``selectors.enrolments.enrolments_decidable_by``."""
    return user.pk != enrolment.person_id and can_manage_person(user, enrolment.person)


def can_manage_track(user: User, track) -> bool:
    """Coordinators of the track's unit or above it: they edit the track
    and its drafts and publish them.  No query.  Row form of
    ``selectors.enrolments.tracks_manageable_by``."""
    return can_manage_unit(user, track.unit)


# --- teams ---
# Standing crisis-response teams: who manages one, who opens its readiness
# page, and whose row of it they read.


def can_manage_crisis_team(user: User, team) -> bool:
    """Coordinators of the team's unit or above it: they edit the team, its
    members and its drills.  No query beyond ``team.unit``.  Row form of
    ``selectors.crisis.teams_manageable_by``."""
    return can_manage_unit(user, team.unit)


def can_see_crisis_team(user: User, team) -> bool:
    """Coordinators and leaders over the team's unit, the team's lead and
    its members (one ``exists()`` on the memberships).  Row form of
    ``selectors.crisis.teams_visible_to``."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.pk == team.lead_id:
        return True
    if is_scoped_manager(user) and unit_in_scope(user, team.unit):
        return True
    return team.memberships.filter(person=user).exists()


def can_see_all_readiness(user: User, team) -> bool:
    """Whose readiness rows, with their reasons, ``user`` reads on the team
    page: every member's for the lead and the coordinators and leaders over
    the team's unit; a member reads only their own row and the team's
    counts.  No query."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.pk == team.lead_id:
        return True
    return is_scoped_manager(user) and unit_in_scope(user, team.unit)


# --- directory and coverage ---------------------------------------------------


def can_search_pool(user: User) -> bool:
    """Coordinators and leaders (and platform administrators) search the
    talent-pool directory of their subtree; no query."""
    return is_scoped_manager(user)


def can_find_in_directory(user: User, person: User) -> bool:
    """Whether ``person`` is listed in ``user``'s directory: an active
    person (never a platform administrator) whose home unit is at or below
    the user's, for coordinators and leaders; any active person for
    platform administrators.  No query beyond ``person.home_unit``.  Row
    form of ``selectors.directory.directory_people_visible_to``."""
    if not can_search_pool(user):
        return False
    if not person.is_active or person.is_superuser:
        return False
    if user.is_superuser:
        return True
    home = person.home_unit
    return home is not None and unit_in_scope(user, home)


def can_see_coverage(user: User) -> bool:
    """Coordinators and leaders (and platform administrators) read the
    staffing coverage of their subtree; no query."""
    return is_scoped_manager(user)


def can_see_unit_coverage(user: User, unit: OrgUnit) -> bool:
    """Whether ``user`` reads the coverage of ``unit`` and below: an active
    unit at or below the user's, for coordinators and leaders; any active
    unit for platform administrators.  No query.  Row form of
    ``selectors.coverage.coverage_units_visible_to``."""
    if not can_see_coverage(user) or not unit.is_active:
        return False
    return user.is_superuser or unit_in_scope(user, unit)


# --- pool ---------------------------------------------------------------------


def can_see_dossier(user: User, person: User) -> bool:
    """Coordinators and leaders over the person's home unit read their
    talent-pool dossier (platform administrators anyone's but another
    administrator's); the person reads their own standing on "my tier"
    instead.  No query.  Row form of
    ``selectors.pool.pool_people_visible_to``."""
    if not is_scoped_manager(user) or person.is_superuser:
        return False
    home = person.home_unit
    if home is None:
        return False
    return unit_in_scope(user, home)


def can_decide_tier(user: User, person: User) -> bool:
    """A coordinator over the person's home unit places them in a tier,
    moves them, keeps them after a review or takes them out of the pool;
    never themselves, and leaders only read.  No query.  Row form of
    ``selectors.pool.people_placeable_by``."""
    return (
        user.is_authenticated
        and user.pk != person.pk
        and not person.is_superuser
        and person.home_unit_id is not None
        and can_manage_person(user, person)
    )


def can_review_pool(user: User) -> bool:
    """Coordinators (and platform administrators) work the review queue of
    their subtree; no query."""
    return user.is_authenticated and (
        user.is_superuser or user.has_role(Role.COORDINATOR)
    )


def can_manage_scheme(user: User, scheme) -> bool:
    """Coordinators of the scheme's unit or above it define the scheme and
    its tiers.  No query.  Row form of
    ``selectors.pool.schemes_manageable_by``."""
    return can_manage_unit(user, scheme.unit)


# --- deploy -------------------------------------------------------------------
# Crisis deployments: the need, the proposal and the call-out.


def can_see_deployments(user: User) -> bool:
    """Coordinators and leaders (and platform administrators) list the
    deployments of their subtree; no query."""
    return is_scoped_manager(user)


def can_create_deployment(user: User, unit: OrgUnit) -> bool:
    """Coordinators over ``unit`` assemble a deployment for it; no query."""
    return can_manage_unit(user, unit)


def can_see_deployment(user: User, deployment) -> bool:
    """Coordinators and leaders over the deployment's unit; reads
    ``deployment.unit``.  Row form of
    ``selectors.deployments.deployments_visible_to``."""
    return is_scoped_manager(user) and unit_in_scope(user, deployment.unit)


def can_manage_deployment(user: User, deployment) -> bool:
    """Coordinators over the deployment's unit call people out, fill and
    withdraw places, close and cancel; leaders read.  Reads
    ``deployment.unit``.  Row form of
    ``selectors.deployments.deployments_manageable_by``."""
    return can_manage_unit(user, deployment.unit)


# --- /deploy ------------------------------------------------------------------
