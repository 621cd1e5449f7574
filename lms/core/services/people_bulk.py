"""Creating many people at once (a roster import), as ``person_create`` would
one by one, in a handful of queries."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ..models import AuditAction, AuditEvent, OrgUnit, User, role_group
from ..permissions import can_manage_units
from .audit import client_ip
from .people import (
    ANNOUNCED_ROLES,
    access_change_announce,
    check_person_fields,
    person_created_detail,
)


@dataclass(frozen=True)
class NewPerson:
    """One person for ``people_create_bulk``."""

    username: str
    full_name: str
    email: str
    home_unit: OrgUnit
    roles: tuple[str, ...]
    staff_number: str = ""
    phone: str = ""


#: People per invitation task: a retried task resends to at most this many.
INVITATIONS_PER_TASK = 100


def people_create_bulk(
    *, actor: User, people: Sequence[NewPerson], request: HttpRequest | None = None
) -> list[User]:
    """Create many people at once (a roster import), as ``person_create``
    would one by one: the same permission checks, field validation, roles,
    allauth address, one audit row each, an invitation after the commit
    and one mail to the leaders over the units listing those given a role
    beyond trainee, in a handful of queries instead of a dozen per person.

    Uniqueness is checked by the caller across the batch and against the
    database (the roster preview does); the database's unique constraints
    stay the last line, and a clash raises ``IntegrityError`` so the
    caller's transaction rolls everything back.
    """
    from ..tasks import people_invite_task

    if not can_manage_units(actor):
        raise PermissionDenied(_("You cannot add people."))
    users = []
    for new in people:
        check_person_fields(actor=actor, home_unit=new.home_unit, roles=new.roles)
        person = User(
            username=new.username,
            full_name=new.full_name,
            email=new.email,
            home_unit=new.home_unit,
            staff_number=new.staff_number,
            phone=new.phone,
        )
        person.set_unusable_password()
        # Field validators only: the unit is a checked object, and unique
        # checks would cost two queries a person (see the docstring).
        person.clean_fields(exclude=["password", "home_unit"])
        users.append(person)
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=500)
        _bulk_roles_and_addresses(users, people)
        events = _bulk_audit(actor=actor, users=users, people=people, request=request)
        announced = [
            (event, new)
            for event, new in zip(events, people, strict=True)
            if ANNOUNCED_ROLES & set(new.roles)
        ]
        if announced:
            access_change_announce(
                events=[event for event, _new in announced],
                units={
                    new.home_unit.pk: new.home_unit for _e, new in announced
                }.values(),
            )
        invited = [user.pk for user in users if user.email]
        for start in range(0, len(invited), INVITATIONS_PER_TASK):
            people_invite_task.delay_on_commit(
                person_ids=invited[start : start + INVITATIONS_PER_TASK]
            )
    return users


def _bulk_roles_and_addresses(users: list[User], people: Sequence[NewPerson]) -> None:
    from allauth.account.models import EmailAddress

    groups = {role: role_group(role) for role in {r for p in people for r in p.roles}}
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [
            Membership(user_id=user.pk, group_id=groups[role].pk)
            for user, new in zip(users, people, strict=True)
            for role in new.roles
        ],
        batch_size=500,
    )
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(
                user_id=user.pk, email=user.email.lower(), primary=True, verified=True
            )
            for user in users
            if user.email
        ],
        batch_size=500,
    )


def _bulk_audit(
    *,
    actor: User,
    users: list[User],
    people: Sequence[NewPerson],
    request: HttpRequest | None,
) -> list[AuditEvent]:
    """One creation row per person; both supported databases give the rows
    their ids back, which the leaders' mail needs."""
    person_type = ContentType.objects.get_for_model(User)
    actor_label = actor.get_username()[:150]
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                actor_label=actor_label,
                action=AuditAction.PERSON_CREATE,
                object_type=person_type,
                object_id=str(user.pk),
                object_repr=str(user)[:200],
                ip=client_ip(request),
                detail=person_created_detail(
                    roles=new.roles, unit=new.home_unit, email=user.email
                ),
            )
            for user, new in zip(users, people, strict=True)
        ],
        batch_size=500,
    )
