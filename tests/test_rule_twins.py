"""Each rule that a page needs both for one row and for a list has a row
form (a predicate in ``<app>.permissions``) and a queryset form (in
``<app>.selectors``).  Here both are asked about every (user, object)
pair of one organisation, and must give the same answer.

The organisation is the ``org`` fixture and, around its trainee, every
kind of tie that does or does not make someone a supervisor: a practice
assignment, a personal-growth one, one ended, one not yet started, a
mentor with and without the supervisor role, an ended pairing, an
inactive supervisor, one who lost the role, and a supervisor on duty.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from courses.permissions import can_manage_session, may_attend
from courses.selectors.sessions import people_on_list, sessions_manageable_by
from lms.core.models import Notice, OrgUnit, Role, User
from lms.core.selectors import people_manageable_by
from supervision.forms.pairing import mentor_choices
from supervision.models import (
    PracticeEntry,
    SupervisionKind,
    TechniqueMastery,
    VideoLessonSubmission,
)
from supervision.permissions import (
    can_confirm_mastery,
    can_find_in_directory,
    can_manage_shift,
    can_mentor,
    can_read_case_notes,
    can_review,
    can_see_unit_coverage,
    can_sign_off,
    is_supervisor_of,
    may_take_place,
)
from supervision.selectors.cases import cases_visible_to
from supervision.selectors.coverage import coverage_units_visible_to
from supervision.selectors.directory import (
    directory_people_visible_to,
)
from supervision.selectors.people import (
    entries_signable_by,
    supervisees_of,
    supervisors_of,
)
from supervision.selectors.reviews import video_lessons_reviewable_by
from supervision.selectors.shifts import eligible_people, shifts_manageable_by
from supervision.selectors.techniques import masteries_awaiting_confirmation
from supervision.services.techniques import mastery_refresh
from tests.factories.cases import grid_worker, volunteer
from tests.factories.core import UserFactory, make_unit
from tests.factories.reviews import make_submission
from tests.factories.sessions import make_session, make_session_cohort
from tests.factories.supervision import (
    assign,
    make_case,
    make_entry,
    make_shift,
    make_technique,
    pair,
)
from tests.factories.supervisions import make_session as make_supervision

S = PracticeEntry.Status

#: Everyone of the organisation below, by username, and an anonymous visitor.
USERS = [
    "anon",
    "admin",
    "trainee",
    "supervisor",
    "coordinator",
    "leader",
    "city_leader",
    "sibling",
    "west_trainee",
    "mentor",
    "helper",
    "grid",
    "grid_too",
    "former",
    "resting",
    "growth",
    "ended",
    "later",
    "duty",
]


def _with_role(username, unit, role=Role.SUPERVISOR, **fields):
    return UserFactory(username=username, home_unit=unit, roles=[role], **fields)


@pytest.fixture
def world(org):
    """The ``org`` fixture with every kind of supervising tie."""
    today = timezone.localdate()
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    mentor = _with_role("mentor", org.east)
    helper = volunteer(org.east_room, "helper")
    grid = grid_worker(org.east_room, "grid")
    grid_too = grid_worker(org.east_room, "grid_too")
    former = _with_role("former", org.east)
    resting = _with_role("resting", org.west, is_active=False)
    growth = _with_role("growth", org.east)
    ended = _with_role("ended", org.east)
    later = _with_role("later", org.east)
    duty = _with_role("duty", org.east)
    assign(org.trainee, org.supervisor)
    assign(org.trainee, former)
    former.groups.clear()  # lost the supervisor role, assignment still open
    assign(org.west_trainee, resting)
    assign(org.trainee, growth, kind=SupervisionKind.GROWTH)
    closed = assign(org.west_trainee, ended, days_ago=60)
    closed.ends_on = today - datetime.timedelta(days=1)
    closed.save(update_fields=["ends_on"])
    assign(org.trainee, later, days_ago=-3)
    pair(mentor, grid)
    gone = pair(mentor, grid_too, days_ago=90)
    gone.ends_on = today - datetime.timedelta(days=60)
    gone.save(update_fields=["ends_on"])
    pair(helper, grid_too)
    org.duty_shift = make_shift(org.east, supervisor=duty)
    return org


def _user(name):
    if name == "anon":
        return AnonymousUser()
    return User.objects.get(username=name)


def _people():
    return list(User.objects.order_by("username"))


def _pks(queryset):
    return set(queryset.values_list("pk", flat=True))


# --- who supervises whom ----------------------------------------------------------


@pytest.mark.parametrize("name", USERS)
def test_who_supervises_whom_agrees_in_all_its_forms(world, name):
    # given
    user = _user(name)
    supervised = _pks(supervisees_of(user=user))
    # then: from the supervisor's side and from the trainee's side
    for trainee in _people():
        row = is_supervisor_of(user, trainee)
        assert row == (trainee.pk in supervised), (name, trainee.username)
        if user.is_authenticated:
            read_back = user.pk in _pks(supervisors_of(trainee=trainee))
            assert row == read_back, (name, trainee.username)


def test_only_open_practice_ties_of_role_holders_supervise(world):
    org = world
    # then: the trainee's and the grid workers' supervisors
    assert {u.username for u in supervisors_of(trainee=org.trainee)} == {"supervisor"}
    assert {u.username for u in supervisors_of(trainee=_user("grid"))} == {"mentor"}
    assert not supervisors_of(trainee=_user("grid_too")).exists()
    assert not supervisors_of(trainee=org.west_trainee).exists()


def test_a_supervisor_who_loses_the_role_no_longer_supervises(org, login):
    # given: an open practice assignment
    assign(org.trainee, org.supervisor)
    entry = make_entry(org.trainee, status=S.SUBMITTED)
    log = reverse("supervision:trainee_log", args=[org.trainee.pk])
    detail = reverse("supervision:entry_detail", args=[entry.pk])
    assert is_supervisor_of(org.supervisor, org.trainee)
    assert login(org.supervisor).get(log).status_code == 200
    assert login(org.supervisor).get(detail).status_code == 200
    # when: the supervisor role is taken away, the assignment left open
    org.supervisor.groups.clear()
    supervisor = User.objects.get(pk=org.supervisor.pk)
    # then: neither form counts them, and the log and entry they could
    # read through the assignment alone are now closed to them
    assert not is_supervisor_of(supervisor, org.trainee)
    assert org.trainee not in supervisees_of(user=supervisor)
    assert supervisor not in supervisors_of(trainee=org.trainee)
    assert not can_sign_off(supervisor, entry)
    assert login(supervisor).get(log).status_code == 404
    assert login(supervisor).get(detail).status_code == 404


def test_a_supervisor_who_lost_the_role_is_not_asked_to_confirm_a_mastery(org):
    # given: a practice supervisor, and a former one still assigned
    former = _with_role("former", org.east)
    assign(org.trainee, org.supervisor)
    assign(org.trainee, former)
    former.groups.clear()
    technique = make_technique()
    for _ in range(3):
        case = make_case(org.trainee, consent=False)
        entry = make_entry(
            org.trainee,
            kind=PracticeEntry.Kind.TECHNIQUE,
            technique=technique,
            case=case,
            status=S.APPROVED,
            approved_by=org.supervisor,
        )
        make_supervision(org.supervisor, [org.trainee], entries=[entry])
    # when
    assert mastery_refresh(person=org.trainee, technique=technique) is not None
    # then
    assert Notice.objects.filter(person=org.supervisor).exists()
    assert not Notice.objects.filter(person=former).exists()


# --- practice, reviews, techniques, cases -----------------------------------------


def _trainees(org):
    return [org.trainee, org.west_trainee, _user("grid"), _user("grid_too")]


@pytest.mark.parametrize("name", USERS)
def test_sign_off_agrees_with_entries_signable_by(world, name):
    # given
    org = world
    entries = [make_entry(person, status=S.SUBMITTED) for person in _trainees(org)]
    entries.append(make_entry(org.supervisor, status=S.SUBMITTED))
    entries.append(make_entry(_user("grid"), status=S.SUBMITTED, shift=org.duty_shift))
    user = _user(name)
    # when
    signable = _pks(entries_signable_by(user=user))
    # then
    for entry in entries:
        assert can_sign_off(user, entry) == (entry.pk in signable), entry


@pytest.mark.parametrize("name", USERS)
def test_review_agrees_with_video_lessons_reviewable_by(world, name):
    # given
    org = world
    people = [*_trainees(org), org.supervisor]
    statuses = VideoLessonSubmission.Status
    lessons = [
        make_submission(person, status=status)
        for person in people
        for status in (statuses.SUBMITTED, statuses.RETURNED)
    ]
    user = _user(name)
    # when
    reviewable = _pks(video_lessons_reviewable_by(user=user))
    # then
    for lesson in lessons:
        assert can_review(user, lesson) == (lesson.pk in reviewable), lesson


@pytest.mark.parametrize("name", USERS)
def test_confirming_agrees_with_masteries_awaiting_confirmation(world, name):
    # given: masteries not yet confirmed
    org = world
    technique = make_technique()
    masteries = [
        TechniqueMastery.objects.create(
            person=person, technique=technique, reached_at=timezone.now()
        )
        for person in [*_trainees(org), org.supervisor]
    ]
    user = _user(name)
    # when
    awaiting = _pks(masteries_awaiting_confirmation(user=user))
    # then
    for mastery in masteries:
        assert can_confirm_mastery(user, mastery) == (mastery.pk in awaiting)


@pytest.mark.parametrize("name", USERS)
def test_case_notes_agree_with_cases_visible_to(world, name):
    # given
    org = world
    cases = [
        make_case(person, consent=False) for person in [*_trainees(org), org.supervisor]
    ]
    user = _user(name)
    # when
    visible = _pks(cases_visible_to(user=user))
    # then
    for case in cases:
        assert can_read_case_notes(user, case) == (case.pk in visible), case


# --- pairing ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["admin", "coordinator", "sibling"])
def test_can_mentor_agrees_with_the_mentor_choices(world, name):
    # given
    user = _user(name)
    offered = _pks(mentor_choices(user))
    # then: among the people the coordinator manages, but never themselves
    for person in people_manageable_by(user=user).exclude(pk=user.pk):
        assert can_mentor(person) == (person.pk in offered), person.username


# --- offline sessions and duty shifts -----------------------------------------------


@pytest.fixture
def places(world):
    org = world
    units = [org.city, org.east, org.east_room, org.west, org.west_room]
    cohort = make_session_cohort(org.west, members=[org.trainee])
    org.sessions = [make_session(unit) for unit in units]
    org.sessions.append(make_session(org.west_room, cohort=cohort))
    org.shifts = [make_shift(unit) for unit in units]
    return org


@pytest.mark.parametrize("name", USERS)
def test_managing_a_session_agrees_with_sessions_manageable_by(places, name):
    user = _user(name)
    managed = _pks(sessions_manageable_by(user=user))
    for session in places.sessions:
        assert can_manage_session(user, session) == (session.pk in managed)


def test_attending_agrees_with_the_people_on_the_list(places):
    for session in places.sessions:
        listed = _pks(people_on_list(session=session))
        for person in _people():
            assert may_attend(person, session) == (person.pk in listed), (
                session.unit.code,
                person.username,
            )


@pytest.mark.parametrize("name", USERS)
def test_managing_a_shift_agrees_with_shifts_manageable_by(places, name):
    user = _user(name)
    managed = _pks(shifts_manageable_by(user=user))
    for shift in places.shifts:
        assert can_manage_shift(user, shift) == (shift.pk in managed)


def test_taking_a_place_agrees_with_the_eligible_people(places):
    for shift in places.shifts:
        eligible = _pks(eligible_people(shift=shift))
        for person in _people():
            assert may_take_place(person, shift) == (person.pk in eligible), (
                shift.unit.code,
                person.username,
            )


# --- teams ---
# Standing crisis teams: who manages one, who opens its readiness page,
# and crisis work signed off by the lead of the deployment's team.


@pytest.fixture
def crisis_world(places):
    """A team at every unit (the east one led by the duty supervisor, a
    plain trainee member of the west one), and crisis entries of each
    trainee against a deployment of the east team, of the west team and of
    no team."""
    from tests.factories.crisis import call_out, make_deployment, make_team

    org = places
    helper = _user("helper")
    org.teams = [
        make_team(unit, name=f"小组 {unit.code}", members=[org.trainee])
        for unit in (org.city, org.east_room, org.west_room)
    ]
    org.teams.append(
        make_team(org.east, lead=_user("duty"), members=[org.trainee, helper])
    )
    org.teams.append(
        make_team(org.west, lead=helper, members=[org.west_trainee, _user("grid")])
    )
    deployments = [
        make_deployment(org.east, created_by=org.coordinator, team=org.teams[3]),
        make_deployment(org.west, created_by=org.sibling, team=org.teams[4]),
        make_deployment(org.east, created_by=org.coordinator),
    ]
    org.crisis_entries = []
    for deployment in deployments:
        for person in [*_trainees(org), helper, _user("duty")]:
            call_out(deployment, person)
            org.crisis_entries.append(
                make_entry(
                    person,
                    kind=PracticeEntry.Kind.CRISIS,
                    status=S.SUBMITTED,
                    deployment=deployment,
                    occurred_on=deployment.starts_on,
                )
            )
    return org


@pytest.mark.parametrize("name", USERS)
def test_managing_a_crisis_team_agrees_with_teams_manageable_by(crisis_world, name):
    from supervision.permissions import can_manage_crisis_team
    from supervision.selectors.crisis import teams_manageable_by

    user = _user(name)
    managed = _pks(teams_manageable_by(user=user))
    for team in crisis_world.teams:
        assert can_manage_crisis_team(user, team) == (team.pk in managed), team


@pytest.mark.parametrize("name", USERS)
def test_seeing_a_crisis_team_agrees_with_teams_visible_to(crisis_world, name):
    from supervision.permissions import can_see_crisis_team
    from supervision.selectors.crisis import teams_visible_to

    user = _user(name)
    visible = _pks(teams_visible_to(user=user))
    for team in crisis_world.teams:
        assert can_see_crisis_team(user, team) == (team.pk in visible), team


@pytest.mark.parametrize("name", USERS)
def test_signing_off_crisis_work_agrees_with_entries_signable_by(crisis_world, name):
    user = _user(name)
    signable = _pks(entries_signable_by(user=user))
    for entry in crisis_world.crisis_entries:
        assert can_sign_off(user, entry) == (entry.pk in signable), entry


def test_the_team_lead_signs_off_only_their_teams_crisis_work(crisis_world):
    from supervision.permissions import can_sign_off as signs

    helper, duty = _user("helper"), _user("duty")
    for entry in crisis_world.crisis_entries:
        team = entry.deployment.team
        if team is not None and team.lead_id == helper.pk:
            assert signs(helper, entry) == (entry.person_id != helper.pk)
        if team is None:
            assert not signs(helper, entry)
        if team is not None and team.lead_id == duty.pk:
            assert signs(duty, entry) == (entry.person_id != duty.pk)


# --- directory ---


@pytest.mark.parametrize("name", USERS)
def test_the_directory_agrees_with_directory_people_visible_to(world, name):
    user = _user(name)
    listed = _pks(directory_people_visible_to(user=user))
    for person in _people():
        assert can_find_in_directory(user, person) == (person.pk in listed), (
            name,
            person.username,
        )


@pytest.mark.parametrize("name", USERS)
def test_unit_coverage_agrees_with_coverage_units_visible_to(world, name):
    closed = make_unit(name="已撤销", code="closed", parent=world.east)
    OrgUnit.objects.filter(pk=closed.pk).update(is_active=False)
    user = _user(name)
    readable = _pks(coverage_units_visible_to(user=user))
    for unit in OrgUnit.objects.all():
        assert can_see_unit_coverage(user, unit) == (unit.pk in readable), (
            name,
            unit.code,
        )


# --- /directory ---


# --- pool ---


@pytest.mark.parametrize("name", USERS)
def test_reading_a_dossier_agrees_with_pool_people_visible_to(world, name):
    from supervision.permissions import can_see_dossier
    from supervision.selectors.pool import pool_people_visible_to

    user = _user(name)
    visible = _pks(pool_people_visible_to(user=user))
    for person in _people():
        assert can_see_dossier(user, person) == (person.pk in visible), person.username


@pytest.mark.parametrize("name", USERS)
def test_deciding_a_tier_agrees_with_people_placeable_by(world, name):
    from supervision.permissions import can_decide_tier
    from supervision.selectors.pool import people_placeable_by

    user = _user(name)
    placeable = _pks(people_placeable_by(user=user))
    for person in _people():
        assert can_decide_tier(user, person) == (person.pk in placeable), (
            person.username
        )


@pytest.mark.parametrize("name", USERS)
def test_managing_a_scheme_agrees_with_schemes_manageable_by(world, name):
    from supervision.permissions import can_manage_scheme
    from supervision.selectors.pool import schemes_manageable_by
    from tests.factories.pool import make_scheme

    org = world
    schemes = [
        make_scheme(unit)
        for unit in (org.city, org.east, org.east_room, org.west, org.west_room)
    ]
    user = _user(name)
    managed = _pks(schemes_manageable_by(user=user))
    for scheme in schemes:
        assert can_manage_scheme(user, scheme) == (scheme.pk in managed)


# --- end pool ---


# --- deploy -------------------------------------------------------------------


@pytest.fixture
def deployments(world):
    """A crisis deployment at every unit of the organisation."""
    from tests.factories.deployments import make_deployment

    org = world
    units = [org.city, org.east, org.east_room, org.west, org.west_room]
    org.deployments = [
        make_deployment(unit, created_by=org.coordinator) for unit in units
    ]
    return org


@pytest.mark.parametrize("name", USERS)
def test_seeing_a_deployment_agrees_with_deployments_visible_to(deployments, name):
    from supervision.permissions import can_see_deployment
    from supervision.selectors.deployments import deployments_visible_to

    user = _user(name)
    seen = _pks(deployments_visible_to(user=user))
    for deployment in deployments.deployments:
        assert can_see_deployment(user, deployment) == (deployment.pk in seen), (
            name,
            deployment.unit.code,
        )


@pytest.mark.parametrize("name", USERS)
def test_running_a_deployment_agrees_with_deployments_manageable_by(deployments, name):
    from supervision.permissions import can_manage_deployment
    from supervision.selectors.deployments import deployments_manageable_by

    user = _user(name)
    run = _pks(deployments_manageable_by(user=user))
    for deployment in deployments.deployments:
        assert can_manage_deployment(user, deployment) == (deployment.pk in run), (
            name,
            deployment.unit.code,
        )


# --- /deploy ------------------------------------------------------------------
