"""Supervision sessions, growth notes and unit policies for tests, made
directly (not through the services)."""

import datetime

from django.utils import timezone

from supervision.models import (
    GrowthNote,
    SupervisionKind,
    SupervisionSession,
    UnitPolicy,
)


def make_session(
    supervisor,
    participants,
    *,
    kind=SupervisionKind.PRACTICE,
    entries=(),
    notes=None,
    unit=None,
    days_ago=1,
    **fields,
):
    """A session held ``days_ago`` by ``supervisor`` with ``participants``,
    covering ``entries``; ``notes`` maps a participant to their growth note."""
    participants = list(participants)
    fmt = (
        SupervisionSession.Format.INDIVIDUAL
        if len(participants) == 1
        else SupervisionSession.Format.GROUP
    )
    session = SupervisionSession.objects.create(
        kind=kind,
        format=fields.pop("format", fmt),
        supervisor=supervisor,
        unit=unit or supervisor.home_unit,
        held_at=timezone.now() - datetime.timedelta(days=days_ago),
        minutes=fields.pop("minutes", 60),
        topic=fields.pop("topic", "督导"),
        **fields,
    )
    session.participants.set(participants)
    session.entries.set(entries)
    for person, body in (notes or {}).items():
        GrowthNote.objects.create(session=session, trainee=person, body=body)
    return session


def set_policy(unit, **rules):
    """Give ``unit`` its own practice rules (the others at their defaults)."""
    policy, _created = UnitPolicy.objects.update_or_create(unit=unit, defaults=rules)
    return policy
