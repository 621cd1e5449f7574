"""The sign-off state machine: every allowed and every forbidden move,
taken from ``PracticeEntry.TRANSITIONS`` so a new state cannot be left
untested, and who may sign off."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lms.core.models import AuditAction, AuditEvent, Notice, Role
from lms.core.status import status_change
from supervision.models import EntryTransition, PracticeEntry
from supervision.services import entries as services
from tests.factories.core import UserFactory
from tests.factories.entries import attended_shift, entry_in
from tests.factories.supervision import assign, pair

Status = PracticeEntry.Status
ALL_PAIRS = list(itertools.product(Status.values, Status.values))


def test_every_status_has_its_transitions_listed():
    assert set(PracticeEntry.TRANSITIONS) == set(Status.values)
    for targets in PracticeEntry.TRANSITIONS.values():
        assert targets <= set(Status.values)


@pytest.mark.parametrize(("before", "after"), ALL_PAIRS)
def test_the_state_machine_allows_exactly_the_listed_moves(org, before, after):
    # given an entry in ``before`` (approved ones carry their approver)
    entry = entry_in(org.trainee, before, approver=org.supervisor)
    entry.approved_by = org.supervisor
    allowed = after in PracticeEntry.TRANSITIONS[before]
    # when it is moved to ``after``
    if allowed:
        status_change(entry, to=after, actor=org.supervisor, comment="ok")
        # then it moved and the step is in its history
        entry.refresh_from_db()
        assert entry.status == after
        step = EntryTransition.objects.get(entry=entry)
        assert (step.from_status, step.to_status) == (before, after)
        assert step.actor == org.supervisor and step.comment == "ok"
    else:
        with pytest.raises(ValidationError):
            status_change(entry, to=after, actor=org.supervisor)
        # then nothing changed and nothing was recorded
        entry.refresh_from_db()
        assert entry.status == before
        assert not EntryTransition.objects.filter(entry=entry).exists()


def _submit(org, entry):
    return services.practice_entry_submit(actor=org.trainee, entry=entry)


def _approve(org, entry):
    return services.practice_entry_approve(actor=org.supervisor, entry=entry)


def _return(org, entry):
    return services.practice_entry_return(
        actor=org.supervisor, entry=entry, comment="请补充反思"
    )


#: Each service and the status it moves an entry to, from a given status.
SERVICES = {
    "submit": (
        _submit,
        lambda before: (
            Status.RESUBMITTED if before == Status.RETURNED else Status.SUBMITTED
        ),
    ),
    "approve": (_approve, lambda before: Status.APPROVED),
    "return": (_return, lambda before: Status.RETURNED),
}


@pytest.mark.parametrize(
    ("before", "action"), list(itertools.product(Status.values, SERVICES))
)
def test_each_service_moves_only_where_the_map_allows(org, before, action):
    # given an entry of a supervised trainee in ``before``
    assign(org.trainee, org.supervisor)
    entry = entry_in(org.trainee, before, approver=org.supervisor)
    service, target = SERVICES[action]
    after = target(before)
    # when the service runs
    if after in PracticeEntry.TRANSITIONS[before]:
        service(org, entry)
        entry.refresh_from_db()
        # then the entry moved along the map, with one history row
        assert entry.status == after
        assert entry.transitions.get().to_status == after
    else:
        with pytest.raises(ValidationError):
            service(org, entry)
        entry.refresh_from_db()
        assert entry.status == before
        assert not entry.transitions.exists()


def test_every_status_a_move_can_reach_is_reached_by_some_service():
    reached = {
        target(before)
        for before in Status.values
        for _service, target in SERVICES.values()
        if target(before) in PracticeEntry.TRANSITIONS[before]
    }
    targets = set().union(*PracticeEntry.TRANSITIONS.values())
    assert targets <= reached


# --- who may sign off -----------------------------------------------------------


def _signer_cases(org):
    """(label, user, setup) for each kind of would-be approver."""
    mentor_sup = UserFactory(home_unit=org.east, roles=[Role.SUPERVISOR, Role.TRAINEE])
    mentor_plain = UserFactory(home_unit=org.east, roles=[Role.TRAINEE])
    other_sup = UserFactory(home_unit=org.east, roles=[Role.SUPERVISOR])
    return mentor_sup, mentor_plain, other_sup


def test_the_assigned_supervisor_may_approve(org):
    assign(org.trainee, org.supervisor)
    entry = entry_in(org.trainee, Status.SUBMITTED)
    services.practice_entry_approve(actor=org.supervisor, entry=entry)
    entry.refresh_from_db()
    assert entry.status == Status.APPROVED and entry.approved_by == org.supervisor


def test_the_supervisor_on_duty_at_the_linked_shift_may_approve(org):
    duty = UserFactory(home_unit=org.east, roles=[Role.SUPERVISOR])
    shift = attended_shift(org.trainee, supervisor=duty)
    entry = entry_in(org.trainee, Status.SUBMITTED, shift=shift)
    services.practice_entry_approve(actor=duty, entry=entry)
    entry.refresh_from_db()
    assert entry.status == Status.APPROVED


def test_a_mentor_holding_the_supervisor_role_may_approve(org):
    mentor, _plain, _other = _signer_cases(org)
    pair(mentor, org.trainee)
    entry = entry_in(org.trainee, Status.SUBMITTED)
    services.practice_entry_approve(actor=mentor, entry=entry)
    entry.refresh_from_db()
    assert entry.status == Status.APPROVED


@pytest.mark.parametrize(
    "who",
    [
        "mentor_without_role",
        "other_supervisor",
        "trainee_with_role",
        "coordinator",
        "leader",
        "growth_supervisor",
    ],
)
def test_no_one_else_may_approve_or_return(org, who):
    # given a submitted entry, an assigned supervisor, and someone else
    from supervision.models import SupervisionKind

    _sup, mentor_plain, other_sup = _signer_cases(org)
    assign(org.trainee, org.supervisor)
    pair(mentor_plain, org.trainee)
    growth = UserFactory(home_unit=org.east, roles=[Role.SUPERVISOR])
    assign(org.trainee, growth, kind=SupervisionKind.GROWTH)
    entry = entry_in(org.trainee, Status.SUBMITTED)
    if who == "trainee_with_role":
        org.trainee.groups.add(*org.supervisor.groups.all())
        org.trainee = type(org.trainee).objects.get(pk=org.trainee.pk)
        # even on duty at their own shift and "assigned" to themselves
        entry.shift = attended_shift(org.trainee, supervisor=org.trainee)
        entry.save()
    actor = {
        "mentor_without_role": mentor_plain,
        "other_supervisor": other_sup,
        "trainee_with_role": org.trainee,
        "coordinator": org.coordinator,
        "leader": org.leader,
        "growth_supervisor": growth,
    }[who]
    # when they try to approve or return it
    with pytest.raises(PermissionDenied):
        services.practice_entry_approve(actor=actor, entry=entry)
    with pytest.raises(PermissionDenied):
        services.practice_entry_return(actor=actor, entry=entry, comment="不行")
    # then it is still waiting, with no history, audit row or notice
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED
    assert not entry.transitions.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_OFF).exists()
    assert not Notice.objects.exists()


def test_only_the_trainee_submits_edits_and_deletes_their_entry(org):
    assign(org.trainee, org.supervisor)
    entry = entry_in(org.trainee, Status.DRAFT)
    for actor in (org.supervisor, org.coordinator, org.west_trainee):
        with pytest.raises(PermissionDenied):
            services.practice_entry_submit(actor=actor, entry=entry)
        with pytest.raises(PermissionDenied):
            services.practice_entry_update(actor=actor, entry=entry, minutes=5)
        with pytest.raises(PermissionDenied):
            services.practice_entry_delete(actor=actor, entry=entry)
    entry.refresh_from_db()
    assert (entry.status, entry.minutes) == (Status.DRAFT, 60)


def test_returning_needs_a_comment(org):
    assign(org.trainee, org.supervisor)
    entry = entry_in(org.trainee, Status.SUBMITTED)
    for comment in ("", "   ", "\n"):
        with pytest.raises(ValidationError) as refused:
            services.practice_entry_return(
                actor=org.supervisor, entry=entry, comment=comment
            )
        assert "comment" in refused.value.message_dict
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED


def test_approve_and_return_leave_history_audit_and_a_notice(org):
    # given a submitted entry
    assign(org.trainee, org.supervisor)
    entry = entry_in(org.trainee, Status.SUBMITTED)
    # when it is returned, resubmitted and approved
    services.practice_entry_return(actor=org.supervisor, entry=entry, comment="补充")
    services.practice_entry_submit(actor=org.trainee, entry=entry)
    services.practice_entry_approve(actor=org.supervisor, entry=entry, comment="很好")
    # then each step is kept with who and why
    steps = list(
        entry.transitions.values_list("from_status", "to_status", "actor", "comment")
    )
    assert steps == [
        (Status.SUBMITTED, Status.RETURNED, org.supervisor.pk, "补充"),
        (Status.RETURNED, Status.RESUBMITTED, org.trainee.pk, ""),
        (Status.RESUBMITTED, Status.APPROVED, org.supervisor.pk, "很好"),
    ]
    audits = AuditEvent.objects.filter(action=AuditAction.SIGN_OFF, object_id=entry.pk)
    assert audits.count() == 2
    assert Notice.objects.filter(person=org.trainee).count() == 2
    assert Notice.objects.filter(person=org.trainee, text__contains="补充").exists()
