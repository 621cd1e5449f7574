"""Writes to people: creating a person and editing one's record and access.

Who may change what about a person, and why (the security model):

- Roles, home unit and activation are changed by those who manage the
  person (coordinators over their unit, platform administrators), never
  by the person themselves: nobody grants themselves a role or moves into
  another unit's scope.
- The e-mail address is where the invitation and every password reset
  go, so whoever sets it can take the account over.  Coordinators set it
  when they create a person and may correct it while nobody has used the
  account; after that only the person changes it, through allauth's
  verified change, which tells the old address.
- Nobody sets another person's password here, but for a platform
  administrator creating an account (the demo data, the shell).
- Every such change is an audit row with the exact before and after
  (addresses masked), mailed to the person and the leaders over the old
  and new unit.  New accounts are mailed to those leaders when they hold
  a role beyond trainee, the roles that reach other people's records.

Many people at once (a roster import) are created by ``people_bulk``.
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ..models import AuditAction, AuditEvent, OrgUnit, Role, User, role_group
from ..permissions import (
    can_change_access,
    can_change_email,
    can_manage_person,
    can_manage_unit,
    can_manage_units,
    roles_held,
)
from .audit import audit_record

#: The fields a person's record is edited through; nothing else is saved.
PERSON_FIELDS = (
    "username",
    "full_name",
    "email",
    "home_unit",
    "staff_number",
    "phone",
    "category",
    "is_active",
)
#: New accounts with any of these roles are announced to the unit's leaders.
ANNOUNCED_ROLES = frozenset({Role.SUPERVISOR, Role.COORDINATOR, Role.LEADER})


def mask_email(address: str) -> str:
    """``zhang@example.com`` as ``z***@example.com``: enough to tell two
    addresses apart in an audit row, not enough to write to either."""
    if not address:
        return "—"
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else f"{local[:1]}***"


def _roles_text(roles: Iterable[str]) -> str:
    held = set(roles)
    return ", ".join(role for role in Role.values if role in held) or "—"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def check_person_fields(*, actor: User, home_unit: OrgUnit | None, roles) -> None:
    """Refuse a unit outside the actor's subtree, a missing unit (but for a
    platform administrator) or an unknown role."""
    if home_unit is None and not actor.is_superuser:
        raise ValidationError(_("Choose the person's home unit."))
    if home_unit is not None and not can_manage_unit(actor, home_unit):
        raise PermissionDenied(_("You cannot place people in this unit."))
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role."))


def _check_email_free(*, email: str, person: User | None = None) -> None:
    """No two people share an address, on the account or among allauth's."""
    from allauth.account.models import EmailAddress

    if not email:
        return
    users = User.objects.filter(email__iexact=email)
    addresses = EmailAddress.objects.filter(email__iexact=email)
    if person is not None:
        users = users.exclude(pk=person.pk)
        addresses = addresses.exclude(user_id=person.pk)
    if users.exists() or addresses.exists():
        raise ValidationError({"email": _("Another person already uses this email.")})


def _address_matches_account(person: User) -> None:
    """Make the person's one allauth address the account's, verified and
    primary: the account can only be opened through the invitation sent
    there (see migration 0005).  An address replaced here is removed, and
    with it every link sent to it: allauth's reset tokens cover them."""
    from allauth.account.models import EmailAddress

    email = person.email.lower()
    EmailAddress.objects.filter(user=person).exclude(email=email).delete()
    if email:
        EmailAddress.objects.update_or_create(
            user=person, email=email, defaults={"primary": True, "verified": True}
        )


def access_change_announce(
    *,
    events: Sequence[AuditEvent],
    people: Iterable[User] = (),
    units: Iterable[OrgUnit | None] = (),
    addresses: Sequence[str] = (),
) -> None:
    """After the commit, mail ``events`` to ``people``, the leaders over
    ``units`` and ``addresses``."""
    from ..selectors import leaders_over
    from ..tasks import access_change_mail_task

    leaders = leaders_over(units=[unit for unit in units if unit is not None])
    person_ids = {person.pk for person in people}
    person_ids.update(leaders.values_list("pk", flat=True))
    access_change_mail_task.delay_on_commit(
        event_ids=[event.pk for event in events],
        person_ids=sorted(person_ids),
        addresses=[address for address in addresses if address],
    )


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

    The account cannot log in until the person sets a password from the
    invitation, queued after the commit to ``email``; until then the
    actor may correct the address (``person_update``).  Only a platform
    administrator may give a ``password`` instead.  Audited with roles,
    unit and masked address; a role beyond trainee is mailed to the
    leaders over the unit.
    """
    from ..tasks import person_invite_task

    if not can_manage_units(actor):
        raise PermissionDenied(_("You cannot add people."))
    if password and not actor.is_superuser:
        raise PermissionDenied(
            _(
                "Only a platform administrator may set someone's password; the "
                "person sets their own from the invitation."
            )
        )
    roles = list(roles)
    check_person_fields(actor=actor, home_unit=home_unit, roles=roles)
    email = (email or "").strip()
    if not email and not password:
        raise ValidationError(
            {"email": _("Give an email address: the invitation is sent there.")}
        )
    _check_email_free(email=email)
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
        _address_matches_account(person)
        event = audit_record(
            actor=actor,
            action=AuditAction.PERSON_CREATE,
            obj=person,
            request=request,
            detail=person_created_detail(roles=roles, unit=home_unit, email=email),
        )
        if ANNOUNCED_ROLES & set(roles):
            access_change_announce(events=[event], units=[home_unit])
        if not password and email:
            person_invite_task.delay_on_commit(person_id=person.pk)
    return person


def person_created_detail(
    *, roles: Iterable[str], unit: OrgUnit | None, email: str
) -> str:
    """The creation row's detail: roles, home unit and the masked address."""
    return "; ".join(
        [
            f"roles: {_roles_text(roles)}",
            f"home unit: {unit or '—'}",
            f"email: {mask_email(email)}",
        ]
    )


def person_update(
    *,
    actor: User,
    person: User,
    roles: Iterable[str] | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Save edits to a person already in the actor's subtree.

    ``person`` carries the new field values (only ``PERSON_FIELDS`` are
    saved); ``roles`` the new roles, or ``None`` to keep them.  The
    permission check uses the unit it had before the edit as well as the
    new one.  Refused: changing one's own roles, home unit or activation;
    changing the address of an account that has been used; setting a
    password (the rules in this module's docstring).  Each kind of change
    is its own audit row with the exact before and after; a change of
    access or address is mailed after the commit, and a corrected address
    gets the invitation again.
    """
    before = User.objects.select_related("home_unit").get(pk=person.pk)
    if not can_manage_person(actor, before):
        raise PermissionDenied(_("You cannot change this person."))
    old_roles = set(roles_held(before))
    new_roles = old_roles if roles is None else set(roles)
    check_person_fields(actor=actor, home_unit=person.home_unit, roles=new_roles)
    if actor.pk == person.pk and not person.is_active:
        raise ValidationError(_("You cannot deactivate your own account."))
    person.email = (person.email or "").strip()
    _check_person_edit(
        actor=actor, before=before, person=person, roles_changed=new_roles != old_roles
    )
    with transaction.atomic():
        person.full_clean(exclude=["password"])
        person.save(update_fields=list(PERSON_FIELDS))
        if new_roles != old_roles:
            person.groups.set([role_group(role) for role in new_roles])
            person.__dict__.pop("roles", None)
        _record_person_edit(
            actor=actor,
            before=before,
            person=person,
            roles=(old_roles, new_roles),
            request=request,
        )
    return person


def _check_person_edit(
    *, actor: User, before: User, person: User, roles_changed: bool
) -> None:
    access_changed = (
        roles_changed
        or person.home_unit_id != before.home_unit_id
        or person.is_active != before.is_active
    )
    if access_changed and not can_change_access(actor, before):
        raise ValidationError(
            _(
                "Nobody changes their own roles, home unit or activation. Another "
                "coordinator or a platform administrator can make this change."
            ),
            code="own_access",
        )
    if person.email.lower() != before.email.lower():
        if not can_change_email(actor, before):
            raise ValidationError({"email": _email_refusal(actor, before)})
        _check_email_free(email=person.email, person=before)
    if person.password != before.password:
        raise PermissionDenied(
            _(
                "Nobody sets another person's password here; the person sets "
                "their own from the invitation or a password reset."
            )
        )


def _email_refusal(actor: User, before: User) -> str:
    if actor.pk == before.pk:
        return _(
            "Change your own email address under My account, where the new "
            "address is confirmed before it is used."
        )
    return _(
        "This account has been used, so only its owner can change the email "
        "address, under My account; the old address is then told."
    )


def _record_person_edit(
    *,
    actor: User,
    before: User,
    person: User,
    roles: tuple[set[str], set[str]],
    request: HttpRequest | None,
) -> None:
    """One audit row per kind of change, and the mail and the invitation
    that go with them."""
    from ..tasks import person_invite_task

    old_roles, new_roles = roles
    access, other = [], []
    if new_roles != old_roles:
        access.append(f"roles: {_roles_text(old_roles)} → {_roles_text(new_roles)}")
    if person.home_unit_id != before.home_unit_id:
        access.append(
            f"home unit: {before.home_unit or '—'} → {person.home_unit or '—'}"
        )
    if person.is_active != before.is_active:
        access.append(
            f"active: {_yes_no(before.is_active)} → {_yes_no(person.is_active)}"
        )
    for field in ("username", "full_name", "staff_number", "category"):
        old, new = getattr(before, field), getattr(person, field)
        if old != new:
            other.append(f"{field}: {old or '—'} → {new or '—'}")
    if person.phone != before.phone:
        other.append("phone")  # personal data, and nothing to do with access
    record = {"actor": actor, "obj": person, "request": request}
    events = []
    if access:
        events.append(
            audit_record(
                action=AuditAction.ROLE_CHANGE, detail="; ".join(access), **record
            )
        )
    old_address = ""
    if person.email.lower() != before.email.lower():
        old_address = before.email
        events.append(
            audit_record(
                action=AuditAction.EMAIL_CHANGE,
                detail=f"email: {mask_email(before.email)} → "
                f"{mask_email(person.email)}",
                **record,
            )
        )
        _address_matches_account(person)
        if person.email:
            person_invite_task.delay_on_commit(person_id=person.pk)
    if other:
        audit_record(
            action=AuditAction.PERSON_CHANGE, detail="; ".join(other), **record
        )
    if events:
        access_change_announce(
            events=events,
            people=[person] if access else [],
            units=[before.home_unit, person.home_unit],
            addresses=[old_address],
        )
