"""Writes for organisation, people, the hours ledger and the audit log.

Every service takes keyword-only arguments, runs in a transaction, checks
the actor's permission itself and writes an audit row, so the admin, views,
tasks and the shell all behave the same.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .models import (
    AuditAction,
    AuditEvent,
    HoursCategory,
    HoursEntry,
    OrgUnit,
    Role,
    User,
    role_group,
)
from .permissions import can_manage_person, can_manage_unit, can_manage_units


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, trusting only as many proxies as configured."""
    from django.conf import settings

    if request is None:
        return None
    hops = settings.LMS_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """Append one row to the audit log.

    Callable inside or outside a transaction; inside one, the row shares its
    fate (an aborted sign-off leaves no audit claim that it happened).
    """
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=(actor.get_username() if actor else actor_label)[:150],
        action=action,
        object_type=ContentType.objects.get_for_model(obj) if obj else None,
        object_id=str(obj.pk) if obj else "",
        object_repr=str(obj)[:200] if obj else "",
        ip=client_ip(request),
        detail=detail[:500],
    )


# --- hours ledger -------------------------------------------------------------


def _source_rows(*, source: models.Model, person: User):
    return HoursEntry.objects.filter(
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        person=person,
    )


def hours_credit(
    *,
    person: User,
    category: str,
    hours: Decimal,
    source: models.Model,
    earned_on: datetime.date,
    actor: User | None = None,
    label: str = "",
) -> HoursEntry:
    """Credit ``hours`` to ``person`` for ``source``, once.

    Idempotent: while a credit for this source and person stands (is not
    reversed), calling again returns it and writes nothing.  After a
    reversal, the next call writes a credit of the next generation.  Two
    concurrent calls cannot both write: the ledger's unique constraint
    lets one insert win and the other returns the winner's row.
    """
    hours = Decimal(hours)
    if category not in HoursCategory.values:
        raise ValidationError(_("Unknown hours category."))
    if hours <= 0:
        raise ValidationError(_("Credited hours must be more than zero."))
    if person.home_unit_id is None:
        raise ValidationError(_("This person has no home unit to credit."))
    rows = _source_rows(source=source, person=person)
    standing = _standing_credit(rows)
    if standing is not None:
        return standing
    generation = rows.filter(kind=HoursEntry.Kind.REVERSAL).count()
    try:
        with transaction.atomic():
            entry = HoursEntry.objects.create(
                person=person,
                unit_id=person.home_unit_id,
                category=category,
                hours=hours,
                kind=HoursEntry.Kind.CREDIT,
                generation=generation,
                earned_on=earned_on,
                source_type=ContentType.objects.get_for_model(source),
                source_id=source.pk,
                source_label=(label or str(source))[:200],
                created_by=actor,
            )
            audit_record(actor=actor, action=AuditAction.HOURS_CREDIT, obj=entry)
    except IntegrityError:
        # Someone else credited this source between our read and our write.
        winner = _standing_credit(rows)
        if winner is None:
            raise
        return winner
    return entry


def _standing_credit(rows) -> HoursEntry | None:
    return (
        rows.filter(kind=HoursEntry.Kind.CREDIT, reversed_by__isnull=True)
        .order_by("-generation")
        .first()
    )


def hours_reverse(
    *,
    person: User,
    source: models.Model,
    reason: str,
    actor: User | None = None,
) -> HoursEntry | None:
    """Cancel the standing credit for ``source`` with a negative row.

    Returns ``None`` when nothing stands (already reversed or never
    credited), so a repeated call changes nothing.  The one-to-one link
    from reversal to credit makes a double reversal impossible.
    """
    if not reason.strip():
        raise ValidationError(_("Give a reason for the reversal."))
    credit = _standing_credit(_source_rows(source=source, person=person))
    if credit is None:
        return None
    try:
        with transaction.atomic():
            reversal = HoursEntry.objects.create(
                person=credit.person,
                unit_id=credit.unit_id,
                category=credit.category,
                hours=-credit.hours,
                kind=HoursEntry.Kind.REVERSAL,
                generation=credit.generation,
                earned_on=credit.earned_on,
                source_type_id=credit.source_type_id,
                source_id=credit.source_id,
                source_label=credit.source_label,
                reverses=credit,
                note=reason[:200],
                created_by=actor,
            )
            audit_record(
                actor=actor,
                action=AuditAction.HOURS_REVERSE,
                obj=reversal,
                detail=reason,
            )
    except IntegrityError:
        return None
    return reversal


# --- organisation -------------------------------------------------------------


def unit_create(
    *,
    actor: User,
    parent: OrgUnit | None,
    name: str,
    code: str,
    level: str,
    address: str = "",
    request: HttpRequest | None = None,
) -> OrgUnit:
    """Add a unit under ``parent`` (a root unit needs a superuser)."""
    if parent is None:
        if not actor.is_superuser:
            raise PermissionDenied(_("Only a platform administrator adds top units."))
    elif not can_manage_unit(actor, parent):
        raise PermissionDenied(_("You cannot add units here."))
    with transaction.atomic():
        fields = {"name": name, "code": code, "level": level, "address": address}
        if parent is None:
            unit = OrgUnit.add_root(**fields)
        else:
            # Re-read the parent so treebeard works on its current child count.
            unit = OrgUnit.objects.get(pk=parent.pk).add_child(**fields)
        audit_record(
            actor=actor, action=AuditAction.UNIT_CREATE, obj=unit, request=request
        )
    return unit


def unit_update(
    *,
    actor: User,
    unit: OrgUnit,
    changed: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> OrgUnit:
    """Save edits to a unit's own fields (its place in the tree is fixed)."""
    if not can_manage_unit(actor, unit):
        raise PermissionDenied(_("You cannot change this unit."))
    fields = [
        f for f in changed if f in {"name", "code", "level", "address", "is_active"}
    ]
    with transaction.atomic():
        unit.save(update_fields=fields or None)
        audit_record(
            actor=actor,
            action=AuditAction.UNIT_CHANGE,
            obj=unit,
            request=request,
            detail=", ".join(fields),
        )
    return unit


def _check_person_fields(*, actor: User, home_unit: OrgUnit | None, roles) -> None:
    if home_unit is None and not actor.is_superuser:
        raise ValidationError(_("Choose the person's home unit."))
    if home_unit is not None and not can_manage_unit(actor, home_unit):
        raise PermissionDenied(_("You cannot place people in this unit."))
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role."))


def person_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    email: str,
    home_unit: OrgUnit | None,
    roles: Iterable[str],
    staff_number: str = "",
    phone: str = "",
    category: str = "",
    password: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Create a person in the actor's subtree with the given roles.

    Without a password the account cannot log in until the person sets one
    from the invitation email, which is queued after the commit.
    """
    from .tasks import person_invite_task

    if not can_manage_units(actor):
        raise PermissionDenied(_("You cannot add people."))
    roles = list(roles)
    _check_person_fields(actor=actor, home_unit=home_unit, roles=roles)
    with transaction.atomic():
        person = User(
            username=username,
            full_name=full_name,
            email=email,
            home_unit=home_unit,
            staff_number=staff_number,
            phone=phone,
            category=category,
        )
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.full_clean(exclude=["password"])
        person.save()
        person.groups.set([role_group(role) for role in roles])
        audit_record(
            actor=actor,
            action=AuditAction.PERSON_CREATE,
            obj=person,
            request=request,
            detail=",".join(sorted(roles)),
        )
        if not password and email:
            person_invite_task.delay_on_commit(person_id=person.pk)
    return person


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
    one audit row each and an invitation after the commit, in a handful of
    queries instead of a dozen per person.

    Uniqueness is checked by the caller across the batch and against the
    database (the roster preview does); the database's unique constraints
    stay the last line, and a clash raises ``IntegrityError`` so the
    caller's transaction rolls everything back.
    """
    from .tasks import people_invite_task

    if not can_manage_units(actor):
        raise PermissionDenied(_("You cannot add people."))
    users = []
    for new in people:
        _check_person_fields(actor=actor, home_unit=new.home_unit, roles=new.roles)
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
        groups = {
            role: role_group(role) for role in {r for p in people for r in p.roles}
        }
        Membership = User.groups.through
        Membership.objects.bulk_create(
            [
                Membership(user_id=user.pk, group_id=groups[role].pk)
                for user, new in zip(users, people, strict=True)
                for role in new.roles
            ],
            batch_size=500,
        )
        person_type = ContentType.objects.get_for_model(User)
        actor_label = actor.get_username()[:150]
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    actor=actor,
                    actor_label=actor_label,
                    action=AuditAction.PERSON_CREATE,
                    object_type=person_type,
                    object_id=str(user.pk),
                    object_repr=str(user)[:200],
                    ip=client_ip(request),
                    detail=",".join(sorted(new.roles)),
                )
                for user, new in zip(users, people, strict=True)
            ],
            batch_size=500,
        )
        invited = [user.pk for user in users if user.email]
        for start in range(0, len(invited), INVITATIONS_PER_TASK):
            people_invite_task.delay_on_commit(
                person_ids=invited[start : start + INVITATIONS_PER_TASK]
            )
    return users


def person_update(
    *,
    actor: User,
    person: User,
    roles: Iterable[str] | None = None,
    changed: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> User:
    """Save edits to a person already in the actor's subtree.

    ``person`` carries the new field values; the permission check uses the
    unit it had before the edit as well as the new one.
    """
    before = User.objects.select_related("home_unit").get(pk=person.pk)
    if not can_manage_person(actor, before):
        raise PermissionDenied(_("You cannot change this person."))
    if roles is not None:
        roles = list(roles)
    _check_person_fields(actor=actor, home_unit=person.home_unit, roles=roles or [])
    if actor.pk == person.pk and not person.is_active:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        person.full_clean(exclude=["password"])
        person.save()
        if roles is not None:
            person.groups.set([role_group(role) for role in roles])
        audit_record(
            actor=actor,
            action=AuditAction.PERSON_CHANGE,
            obj=person,
            request=request,
            detail=", ".join(sorted(changed)),
        )
    return person
