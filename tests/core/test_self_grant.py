"""Issue 10, item 2: nobody grants themselves access to case records.

A station coordinator tried to read case notes by adding the supervisor
role to their own record and then assigning themselves as a trainee's
supervisor.  Every route to "myself as someone's supervisor" is closed
(own roles and unit, supervisor assignments, pairing, duty shifts), in the
admin and in the services alike, and every change of roles or
assignments is audited with its exact before and after and told to the
person and the leaders over their unit.
"""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from lms.core.models import (
    AuditAction,
    AuditEvent,
    Notice,
    PersonCategory,
    Role,
    User,
    role_group,
)
from lms.core.services.people import person_create
from lms.core.services.people import person_update as person_update_service
from lms.core.services.people_bulk import NewPerson, people_create_bulk
from supervision.forms.pairing import mentor_choices
from supervision.models import DutyShift, Pairing, SupervisorAssignment
from supervision.permissions import can_name_as_supervisor, can_read_case_notes
from supervision.selectors.shifts import supervisors_manageable_by
from supervision.services import pairing as pairing_services
from supervision.services import shifts_admin
from supervision.services.supervisions import (
    supervisor_assign,
    supervisor_assignment_end,
)
from tests.factories.cases import grid_worker
from tests.factories.core import UserFactory
from tests.factories.supervision import assign, make_case, make_shift

TODAY = timezone.localdate
P = "practice"


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator_supervisor(org):
    """The east coordinator, who also holds the supervisor role (granted by
    a platform administrator) and is a volunteer, so could mentor."""
    org.coordinator.groups.add(role_group(Role.SUPERVISOR))
    User.objects.filter(pk=org.coordinator.pk).update(category=PersonCategory.VOLUNTEER)
    return User.objects.get(pk=org.coordinator.pk)


def roles_of(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def person_data(person, **changes):
    data = {
        "username": person.username,
        "full_name": person.full_name,
        "email": person.email,
        "home_unit": person.home_unit_id,
        "staff_number": person.staff_number,
        "phone": person.phone,
        "category": person.category,
        "is_active": "on",
        "roles": sorted(roles_of(person)),
    }
    return data | changes


def edit(client, person, **changes):
    return client.post(
        reverse("wagtailusers_users:edit", args=[person.pk]),
        person_data(person, **changes),
    )


# --- own roles and unit --------------------------------------------------------------


def test_the_admin_ignores_roles_a_coordinator_posts_for_themselves(org, login):
    # when the coordinator posts their own record with supervisor and leader added
    response = edit(
        login(org.coordinator),
        org.coordinator,
        roles=[Role.COORDINATOR, Role.SUPERVISOR, Role.LEADER],
    )
    # then the roles are what they were; nothing about access is audited
    assert response.status_code == 302
    assert roles_of(org.coordinator) == {Role.COORDINATOR}
    assert not AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGE).exists()


def test_the_admin_ignores_a_home_unit_a_coordinator_posts_for_themselves(org, login):
    response = edit(login(org.coordinator), org.coordinator, home_unit=org.east_room.pk)
    assert response.status_code == 302
    assert User.objects.get(pk=org.coordinator.pk).home_unit == org.east


def test_the_admin_shows_a_coordinators_own_roles_and_unit_locked(org, login):
    response = login(org.coordinator).get(
        reverse("wagtailusers_users:edit", args=[org.coordinator.pk])
    )
    form = response.context["form"]
    assert form.fields["roles"].disabled and form.fields["home_unit"].disabled
    assert "Nobody changes their own roles" in response.content.decode()


def test_a_coordinator_still_edits_their_own_name(org, login):
    response = edit(login(org.coordinator), org.coordinator, full_name="新名字")
    assert response.status_code == 302
    assert User.objects.get(pk=org.coordinator.pk).full_name == "新名字"


@pytest.mark.parametrize(
    "change",
    [
        {"roles": [Role.COORDINATOR, Role.SUPERVISOR]},
        {"roles": [Role.COORDINATOR, Role.LEADER]},
        {"roles": []},
        {"home_unit": "east_room"},
    ],
)
def test_the_service_refuses_a_change_of_ones_own_roles_or_unit(org, change):
    # given the coordinator's own record, changed as a shell or form would
    person = User.objects.get(pk=org.coordinator.pk)
    if "home_unit" in change:
        person.home_unit = org.east_room
    # when / then
    with pytest.raises(ValidationError) as refused:
        person_update_service(
            actor=org.coordinator, person=person, roles=change.get("roles")
        )
    assert "Nobody changes their own roles" in " ".join(refused.value.messages)
    assert roles_of(org.coordinator) == {Role.COORDINATOR}
    assert User.objects.get(pk=org.coordinator.pk).home_unit == org.east


def test_another_coordinator_may_change_them(org):
    # given a second coordinator of the east station
    other = UserFactory(home_unit=org.east, roles=[Role.COORDINATOR])
    # when they grant the first the supervisor role
    person_update_service(
        actor=other,
        person=User.objects.get(pk=org.coordinator.pk),
        roles=[Role.COORDINATOR, Role.SUPERVISOR],
    )
    # then it holds, and the row names who did it
    assert roles_of(org.coordinator) == {Role.COORDINATOR, Role.SUPERVISOR}
    row = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGE)
    assert row.actor == other
    assert row.detail == "roles: coordinator → supervisor, coordinator"


def test_wagtails_bulk_role_assignment_is_closed_to_coordinators(org, login):
    supervisor_group = role_group(Role.SUPERVISOR)
    response = login(org.coordinator).post(
        f"/admin/bulk/core/user/assign_role/?id={org.coordinator.pk}",
        {"role": supervisor_group.pk},
    )
    assert response.status_code in (403, 404)
    assert roles_of(org.coordinator) == {Role.COORDINATOR}


# --- assignments, pairing, duty ------------------------------------------------------


def test_the_admin_refuses_a_coordinator_assigning_themselves_as_supervisor(
    org, login, coordinator_supervisor
):
    # given a trainee with a case and a signed consent
    case = make_case(org.trainee)
    # when the coordinator assigns themselves as the trainee's practice supervisor
    response = login(coordinator_supervisor).post(
        "/admin/supervisor_assignments/new/",
        {
            "trainee": org.trainee.pk,
            "supervisor": coordinator_supervisor.pk,
            "kind": P,
            "starts_on": TODAY().isoformat(),
        },
    )
    # then it is refused (the form does not even offer them; the service
    # would refuse with "You cannot make yourself anyone's supervisor") and
    # the case notes stay closed
    assert response.status_code == 200
    assert response.context["form"].errors["supervisor"]
    assert not SupervisorAssignment.objects.exists()
    assert not can_read_case_notes(coordinator_supervisor, case)


def test_the_service_refuses_a_coordinator_assigning_themselves(
    org, coordinator_supervisor
):
    for kind in ("practice", "growth"):
        with pytest.raises(ValidationError) as refused:
            supervisor_assign(
                actor=coordinator_supervisor,
                trainee=org.trainee,
                supervisor=coordinator_supervisor,
                kind=kind,
                starts_on=TODAY(),
            )
        assert refused.value.code == "self_assignment"
    assert not SupervisorAssignment.objects.exists()


def test_the_pairs_page_refuses_a_coordinator_pairing_themselves_as_mentor(
    org, login, coordinator_supervisor
):
    grid = grid_worker(org.east_room, "grid")
    response = login(coordinator_supervisor).post(
        reverse("supervision:pairing_create"),
        {
            "mentor": coordinator_supervisor.pk,
            "mentee": grid.pk,
            "starts_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 400
    assert not Pairing.objects.exists()


def test_the_service_refuses_a_coordinator_pairing_themselves(
    org, coordinator_supervisor
):
    grid = grid_worker(org.east_room, "grid")
    with pytest.raises(ValidationError) as refused:
        pairing_services.pairing_create(
            actor=coordinator_supervisor,
            mentor=coordinator_supervisor,
            mentee=grid,
            starts_on=TODAY(),
        )
    assert "yourself anyone's mentor" in refused.value.message_dict["mentor"][0]
    assert not Pairing.objects.exists()


def shift_plan(org, **changes):
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=3)).replace(
        second=0, microsecond=0
    )
    return {
        "unit": org.east,
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=4),
        "place": "东区站咨询室",
        "capacity": 2,
        "title": "周四值班",
    } | changes


def test_the_admin_refuses_a_coordinator_on_duty_as_supervisor(
    org, login, coordinator_supervisor
):
    plan = shift_plan(org)
    response = login(coordinator_supervisor).post(
        reverse("shift_admin:add"),
        {
            "title": plan["title"],
            "unit": org.east.pk,
            "place": plan["place"],
            "starts_at": plan["starts_at"].strftime("%Y-%m-%d %H:%M"),
            "ends_at": plan["ends_at"].strftime("%Y-%m-%d %H:%M"),
            "capacity": "2",
            "supervisor": coordinator_supervisor.pk,
            "repeat_weeks": "0",
        },
    )
    assert response.status_code == 200
    assert "supervisor" in response.context["form"].errors
    assert not DutyShift.objects.exists()


def test_the_service_refuses_a_coordinator_on_duty_as_supervisor(
    org, coordinator_supervisor
):
    # when publishing with themselves on duty
    with pytest.raises(ValidationError) as refused:
        shifts_admin.shift_create(
            actor=coordinator_supervisor,
            supervisor=coordinator_supervisor,
            **shift_plan(org),
        )
    assert "supervisor" in refused.value.message_dict
    # when moving themselves onto an existing shift
    shift = make_shift(org.east, supervisor=org.supervisor)
    with pytest.raises(ValidationError):
        shifts_admin.shift_update(
            actor=coordinator_supervisor,
            shift=shift,
            supervisor=coordinator_supervisor,
            **shift_plan(org),
        )
    shift.refresh_from_db()
    assert shift.supervisor == org.supervisor


def test_a_coordinator_put_on_duty_by_another_may_still_edit_the_shift(
    org, coordinator_supervisor
):
    shift = make_shift(org.east, supervisor=coordinator_supervisor)
    changed = shifts_admin.shift_update(
        actor=coordinator_supervisor,
        shift=shift,
        supervisor=coordinator_supervisor,
        **shift_plan(org, place="新地点"),
    )
    assert changed.place == "新地点"
    assert not AuditEvent.objects.filter(
        action=AuditAction.SHIFT_SUPERVISOR_CHANGE
    ).exists()


def test_the_choice_lists_leave_the_coordinator_out_as_the_predicate_does(
    org, coordinator_supervisor
):
    # the queryset twins of can_name_as_supervisor: the mentor and the
    # supervisor-on-duty choices
    lists = {
        "mentors": mentor_choices(coordinator_supervisor),
        "on duty": supervisors_manageable_by(user=coordinator_supervisor).exclude(
            pk=coordinator_supervisor.pk
        ),
    }
    for people in lists.values():
        for person in people:
            assert can_name_as_supervisor(coordinator_supervisor, person)
    assert coordinator_supervisor not in lists["mentors"]
    assert not can_name_as_supervisor(coordinator_supervisor, coordinator_supervisor)


def test_the_assignment_form_does_not_offer_the_coordinator_as_supervisor(
    org, coordinator_supervisor
):
    from supervision.viewsets.supervisions import AssignmentForm

    form = AssignmentForm(for_user=coordinator_supervisor)
    offered = list(form.fields["supervisor"].queryset)
    assert org.supervisor in offered
    assert coordinator_supervisor not in offered


# --- audit rows and who is told ------------------------------------------------------


def test_a_role_and_unit_change_is_audited_exactly_and_mailed(
    org, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    # given a trainee of the east station
    person = UserFactory(
        username="moving", home_unit=org.east, roles=[Role.TRAINEE], email="m@x.cn"
    )
    person.home_unit = org.east_room
    # when a coordinator grants the supervisor role and moves them
    with django_capture_on_commit_callbacks(execute=True):
        person_update_service(
            actor=org.coordinator,
            person=person,
            roles=[Role.TRAINEE, Role.SUPERVISOR],
        )
    # then the audit row holds the exact before and after
    row = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGE)
    assert row.detail == (
        "roles: trainee → trainee, supervisor; home unit: 东区站 → 东区一室"
    )
    assert row.actor == org.coordinator and row.object_id == str(person.pk)
    # and the person and the leaders over the unit, not the sibling's, are told
    told = {address for mail in mailoutbox for address in mail.to}
    assert told == {"m@x.cn", org.leader.email, org.city_leader.email}
    assert all(row.detail in mail.body for mail in mailoutbox)


def test_a_new_supervisor_account_is_announced_to_the_leaders(
    org, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    # when a coordinator creates an account with the supervisor role (whose
    # address they may well control)
    with django_capture_on_commit_callbacks(execute=True):
        person_create(
            actor=org.coordinator,
            username="puppet",
            full_name="傀儡",
            email="puppet@x.cn",
            home_unit=org.east_room,
            roles=[Role.SUPERVISOR],
        )
    # then the leaders over the unit hear of it, besides the invitation
    row = AuditEvent.objects.get(action=AuditAction.PERSON_CREATE)
    assert row.detail == "roles: supervisor; home unit: 东区一室; email: p***@x.cn"
    leaders = [mail for mail in mailoutbox if "puppet@x.cn" not in mail.to]
    assert {mail.to[0] for mail in leaders} == {org.leader.email, org.city_leader.email}
    assert "傀儡" in leaders[0].body


def test_a_new_trainee_account_is_audited_but_not_announced(
    org, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person_create(
            actor=org.coordinator,
            username="newbie",
            full_name="新学员",
            email="newbie@x.cn",
            home_unit=org.east_room,
            roles=[Role.TRAINEE],
        )
    assert [mail.to for mail in mailoutbox] == [["newbie@x.cn"]]  # the invitation
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_CREATE).exists()


def test_a_roster_granting_supervisors_is_one_mail_per_leader(
    org, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    people = [
        NewPerson(
            username=f"r{i}",
            full_name=f"名单{i}",
            email=f"r{i}@x.cn",
            home_unit=org.east_room,
            roles=(Role.SUPERVISOR,) if i < 2 else (Role.TRAINEE,),
        )
        for i in range(5)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        people_create_bulk(actor=org.coordinator, people=people)
    leaders = [mail for mail in mailoutbox if mail.to == [org.leader.email]]
    assert len(leaders) == 1
    assert "名单0" in leaders[0].body and "名单1" in leaders[0].body
    assert "名单2" not in leaders[0].body


def test_an_assignment_is_audited_with_before_and_after_and_told_to_leaders(org):
    # given a practice supervisor already
    second = UserFactory(
        username="second", full_name="二号", home_unit=org.east, roles=[Role.SUPERVISOR]
    )
    assign(org.trainee, second)
    # when the coordinator adds another
    row = supervisor_assign(
        actor=org.coordinator,
        trainee=org.trainee,
        supervisor=org.supervisor,
        kind=P,
        starts_on=TODAY(),
    )
    # then
    event = AuditEvent.objects.get(object_id=str(row.pk))
    assert event.detail == (
        f"practice supervisors of {org.trainee}: 二号 → 二号, {org.supervisor} "
        f"(from {TODAY():%Y-%m-%d})"
    )
    for leader in (org.leader, org.city_leader):
        assert Notice.objects.filter(person=leader, text__contains="made").exists()
    assert not Notice.objects.filter(person=org.sibling).exists()
    # and ending it is audited and told the same way
    supervisor_assignment_end(actor=org.coordinator, assignment=row, ends_on=TODAY())
    ended = AuditEvent.objects.filter(object_id=str(row.pk)).latest("pk")
    assert ended.detail.startswith(
        f"practice supervisors of {org.trainee}: 二号, {org.supervisor} → 二号"
    )
    assert Notice.objects.filter(person=org.leader, text__contains="ended").exists()


def test_a_pairing_is_audited_and_told_to_leaders(org):
    mentor = UserFactory(
        username="mentor",
        full_name="导师",
        home_unit=org.east_room,
        category=PersonCategory.VOLUNTEER,
    )
    grid = grid_worker(org.east_room, "grid", full_name="网格员")
    pairing = pairing_services.pairing_create(
        actor=org.coordinator, mentor=mentor, mentee=grid, starts_on=TODAY()
    )
    event = AuditEvent.objects.get(action=AuditAction.PAIRING_CHANGE)
    assert event.detail == f"mentor of 网格员: — → 导师 (from {TODAY():%Y-%m-%d})"
    assert Notice.objects.filter(person=org.city_leader, text__contains="导师").exists()
    pairing_services.pairing_end(
        actor=org.coordinator, pairing=pairing, ends_on=TODAY()
    )
    assert AuditEvent.objects.filter(action=AuditAction.PAIRING_CHANGE).count() == 2


def test_a_change_of_the_supervisor_on_duty_is_audited_and_told(org):
    shift = make_shift(org.east, supervisor=org.supervisor)
    second = UserFactory(
        username="second", full_name="二号", home_unit=org.east, roles=[Role.SUPERVISOR]
    )
    shifts_admin.shift_update(
        actor=org.coordinator, shift=shift, supervisor=second, **shift_plan(org)
    )
    event = AuditEvent.objects.get(action=AuditAction.SHIFT_SUPERVISOR_CHANGE)
    assert event.detail == f"supervisor on duty: {org.supervisor} → 二号"
    for person in (org.supervisor, second, org.leader, org.city_leader):
        assert Notice.objects.filter(person=person, text__contains="二号").exists()


# --- the roster ----------------------------------------------------------------------


def test_a_roster_row_naming_the_coordinator_changes_nothing_about_them(org):
    from django.core.files.base import ContentFile

    from courses.services import roster as roster_services
    from tests.factories.roster import roster_cohort, roster_csv

    # given a file with the coordinator's own address, as a supervisor
    data = roster_csv([["协调员", "", org.coordinator.email, "", "", "督导"]])
    item = roster_services.roster_preview(
        actor=org.coordinator,
        upload=ContentFile(data, name="r.csv"),
        filename="r.csv",
        unit=org.east,
        cohort=roster_cohort(org.east),
    )
    # when it is imported
    roster_services.roster_import_start(actor=org.coordinator, roster_import=item)
    # then the row was the existing person, whose roles did not change
    assert roles_of(org.coordinator) == {Role.COORDINATOR}
    assert not AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGE).exists()
