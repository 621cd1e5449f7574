"""Writes to the hours ledger: credits and their reversals, once per source."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from ..models import AuditAction, HoursCategory, HoursEntry, User
from .audit import audit_record


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
