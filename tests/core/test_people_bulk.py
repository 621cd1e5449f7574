"""people_create_bulk: what person_create does, for many people at once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from lms.core.models import AuditAction, AuditEvent, Role, User
from lms.core.services.people_bulk import (
    INVITATIONS_PER_TASK,
    NewPerson,
    people_create_bulk,
)
from lms.core.tasks import people_invite_task


def new(org, index, **fields):
    values = {
        "username": f"bulk{index}",
        "full_name": f"批量{index}",
        "email": f"bulk{index}@example.com",
        "home_unit": org.east_room,
        "roles": (Role.TRAINEE,),
    }
    values.update(fields)
    return NewPerson(**values)


def test_people_get_roles_audit_rows_and_batched_invitations(
    org, mailoutbox, django_capture_on_commit_callbacks
):
    count = INVITATIONS_PER_TASK + 5
    with django_capture_on_commit_callbacks() as callbacks:
        people = people_create_bulk(
            actor=org.coordinator, people=[new(org, i) for i in range(count)]
        )
    assert len(callbacks) == 2  # two invitation tasks, not one per person
    # the task's body, as a worker runs it
    assert people_invite_task(person_ids=[p.pk for p in people]) == count
    assert len(mailoutbox) == count
    person = User.objects.get(pk=people[0].pk)
    assert person.roles == {Role.TRAINEE} and not person.has_usable_password()
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_CREATE).count() == count


def test_a_unit_outside_the_actors_scope_refuses_the_batch(org):
    with pytest.raises(PermissionDenied):
        people_create_bulk(
            actor=org.coordinator,
            people=[new(org, 1), new(org, 2, home_unit=org.west_room)],
        )
    assert not User.objects.filter(username__startswith="bulk").exists()


def test_a_malformed_field_refuses_the_batch(org):
    with pytest.raises(ValidationError):
        people_create_bulk(
            actor=org.coordinator,
            people=[new(org, 1), new(org, 2, email="not-an-email")],
        )
    assert not User.objects.filter(username__startswith="bulk").exists()


def test_a_clash_with_an_existing_username_rolls_everything_back(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        people_create_bulk(
            actor=org.coordinator, people=[new(org, 1), new(org, 2, username="trainee")]
        )
    assert not User.objects.filter(username__startswith="bulk").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PERSON_CREATE).exists()
