"""Writes on pairing (结对子, 一帮二): pair, end a pairing, log a contact.

A coordinator pairs people of their subtree: a mentor (a volunteer or
professional, or anyone holding the supervisor role) with a grid worker.
A mentor has at most ``rules_for(unit).mentees_per_mentor`` open
pairings; a grid worker one (also a database constraint).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.models import AuditAction, PersonCategory, User
from lms.core.permissions import can_manage_person, can_manage_unit
from lms.core.selectors import leaders_over
from lms.core.services.audit import audit_record
from lms.core.services.notices import notice_send

from ..models import Pairing, PairingContact
from ..permissions import can_mentor, can_name_as_supervisor
from ..rules import rules_for


def _today() -> datetime.date:
    return timezone.localdate()


def _check_people(*, actor: User, mentor: User, mentee: User) -> None:
    if not (can_manage_person(actor, mentor) and can_manage_person(actor, mentee)):
        raise PermissionDenied(
            _("You can only pair people of the units you coordinate.")
        )
    if mentor.pk == mentee.pk:
        raise ValidationError(_("A person cannot be their own mentor."))
    if not can_name_as_supervisor(actor, mentor):
        raise ValidationError(
            {
                "mentor": _(
                    "You cannot make yourself anyone's mentor. Another "
                    "coordinator or a platform administrator can pair you."
                )
            }
        )
    if not can_mentor(mentor):
        raise ValidationError(
            {
                "mentor": _(
                    "A mentor must be a volunteer, a professional or a supervisor."
                )
            }
        )
    if mentee.category != PersonCategory.GRID_WORKER or not mentee.is_active:
        raise ValidationError(
            {"mentee": _("Only grid workers are paired with a mentor.")}
        )


def _check_capacity(*, mentor: User, mentee: User) -> None:
    if Pairing.objects.filter(mentee=mentee, ends_on__isnull=True).exists():
        raise ValidationError(
            {"mentee": _("%(name)s already has a mentor.") % {"name": mentee}}
        )
    limit = rules_for(mentee.home_unit).mentees_per_mentor
    held = Pairing.objects.filter(mentor=mentor, ends_on__isnull=True).count()
    if held >= limit:
        raise ValidationError(
            {
                "mentor": _(
                    "%(name)s already mentors %(count)d grid workers, the most allowed."
                )
                % {"name": mentor, "count": held}
            }
        )


def pairing_create(
    *,
    actor: User,
    mentor: User,
    mentee: User,
    starts_on: datetime.date,
    request: HttpRequest | None = None,
) -> Pairing:
    """Pair ``mentor`` with the grid worker ``mentee`` from ``starts_on``
    (today or earlier: an open pairing gives the mentor their rights at
    once).  Coordinators of both people's units only, never naming
    themselves as the mentor (``can_name_as_supervisor``).  Audited; both
    and the leaders over the pairing's unit are told."""
    _check_people(actor=actor, mentor=mentor, mentee=mentee)
    if starts_on > _today():
        raise ValidationError(
            {"starts_on": _("A pairing starts today or earlier, not in the future.")}
        )
    try:
        with transaction.atomic():
            # One pairing at a time per mentor, so two cannot both take the
            # last place.
            User.objects.select_for_update().get(pk=mentor.pk)
            _check_capacity(mentor=mentor, mentee=mentee)
            pairing = Pairing.objects.create(
                mentor=mentor,
                mentee=mentee,
                unit_id=mentee.home_unit_id,
                starts_on=starts_on,
                created_by=actor,
            )
            audit_record(
                actor=actor,
                action=AuditAction.PAIRING_CHANGE,
                obj=pairing,
                request=request,
                detail=f"mentor of {mentee}: — → {mentor} (from {starts_on:%Y-%m-%d})",
            )
            _tell_both(pairing)
            _tell_leaders(
                pairing,
                _("%(actor)s made %(mentor)s the mentor of %(mentee)s.")
                % {"actor": actor, "mentor": mentor, "mentee": mentee},
            )
    except IntegrityError as error:
        raise ValidationError(
            {"mentee": _("%(name)s already has a mentor.") % {"name": mentee}}
        ) from error
    return pairing


def _tell_both(pairing: Pairing) -> None:
    url = reverse("supervision:pairing_mine")
    notice_send(
        person=pairing.mentor,
        text=_("You are now the mentor of %(name)s.") % {"name": pairing.mentee},
        url=url,
    )
    notice_send(
        person=pairing.mentee,
        text=_("%(name)s is now your mentor.") % {"name": pairing.mentor},
        url=url,
    )


def _tell_leaders(pairing: Pairing, text: str) -> None:
    leaders = leaders_over(units=[pairing.unit]).exclude(
        pk__in=[pairing.mentor_id, pairing.mentee_id]
    )
    for leader in leaders:
        notice_send(person=leader, text=text)


@transaction.atomic
def pairing_end(
    *,
    actor: User,
    pairing: Pairing,
    ends_on: datetime.date,
    request: HttpRequest | None = None,
) -> Pairing:
    """End an open pairing on ``ends_on`` (not before it started, not in
    the future).  Coordinators of the pairing's unit only.  Audited; both
    and the leaders over the pairing's unit are told."""
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if not can_manage_unit(actor, pairing.unit):
        raise PermissionDenied(
            _("You can only end pairings of the units you coordinate.")
        )
    if pairing.ends_on is not None:
        raise ValidationError(_("This pairing has already ended."))
    if ends_on > _today():
        raise ValidationError({"ends_on": _("The end date cannot be in the future.")})
    if ends_on < pairing.starts_on:
        raise ValidationError({"ends_on": _("A pairing cannot end before it started.")})
    pairing.ends_on = ends_on
    pairing.save(update_fields=["ends_on"])
    audit_record(
        actor=actor,
        action=AuditAction.PAIRING_CHANGE,
        obj=pairing,
        request=request,
        detail=f"mentor of {pairing.mentee}: {pairing.mentor} → — "
        f"(ends on {ends_on:%Y-%m-%d})",
    )
    text = _("%(actor)s ended the pairing of %(mentor)s with %(mentee)s.") % {
        "actor": actor,
        "mentor": pairing.mentor,
        "mentee": pairing.mentee,
    }
    notice_send(person=pairing.mentor, text=text)
    notice_send(person=pairing.mentee, text=text)
    _tell_leaders(pairing, text)
    return pairing


@transaction.atomic
def pairing_contact_log(
    *,
    actor: User,
    pairing: Pairing,
    occurred_on: datetime.date,
    channel: str,
    note: str = "",
) -> PairingContact:
    """Log a contact of an open pairing; its mentor or grid worker only."""
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if actor.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise PermissionDenied(
            _("Only the mentor and the grid worker log their contacts.")
        )
    if pairing.ends_on is not None:
        raise ValidationError(_("This pairing has ended."))
    if occurred_on > _today():
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    if occurred_on < pairing.starts_on:
        raise ValidationError(
            {"occurred_on": _("The date cannot be before the pairing started.")}
        )
    if channel not in PairingContact.Channel.values:
        raise ValidationError({"channel": _("Choose how you were in contact.")})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("Keep the note under 500 characters.")})
    return PairingContact.objects.create(
        pairing=pairing,
        occurred_on=occurred_on,
        channel=channel,
        note=note,
        logged_by=actor,
    )
