"""Reads of pairings (结对子), with the "no contact" flag.

A pair is flagged when neither of them logged a contact in the last
``rules_for(unit).pairing_contact_days`` days (30); a new pair counts from
its start.  Rules are read for all the listed pairs' units at once, so a
list costs the same few queries however long it is.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from lms.core.models import User
from lms.core.permissions import can_manage_units, is_scoped_manager

from ..models import Pairing, PairingContact
from ..rules import rules_by_unit


def pairings_visible_to(*, user: User) -> QuerySet[Pairing]:
    """Pairings ``user`` may see: their own (as mentor or grid worker), and
    for coordinators and leaders every pairing of their subtree
    (superusers: all).  With ``last_contact`` annotated."""
    rows = Pairing.objects.select_related(
        "mentor", "mentee", "mentee__home_unit", "unit"
    ).annotate(last_contact=_last_contact())
    if not user.is_authenticated:
        return rows.none()
    if user.is_superuser:
        return rows
    own = Q(mentor=user) | Q(mentee=user)
    if is_scoped_manager(user) and user.home_unit_id is not None:
        own |= user.home_unit.subtree_q("unit__")
    return rows.filter(own)


def pairings_managed_by(*, user: User) -> QuerySet[Pairing]:
    """Pairings a coordinator may end: those of their subtree."""
    if not can_manage_units(user):
        return Pairing.objects.none()
    rows = pairings_visible_to(user=user)
    if user.is_superuser:
        return rows
    if user.home_unit_id is None:
        return rows.none()
    return rows.filter(user.home_unit.subtree_q("unit__"))


def pairing_get_for_contact(*, user: User, pk: int) -> Pairing:
    """An open pairing ``user`` is part of, or 404."""
    return get_object_or_404(
        Pairing.objects.filter(Q(mentor=user) | Q(mentee=user), ends_on__isnull=True),
        pk=pk,
    )


def _last_contact():
    latest = (
        PairingContact.objects.filter(pairing=OuterRef("pk"))
        .order_by()
        .values("pairing")
        .annotate(latest=Max("occurred_on"))
        .values("latest")
    )
    return Subquery(latest)


@dataclass
class PairRow:
    """A pairing with its last contact and whether it is flagged."""

    pairing: Pairing
    last_contact: datetime.date | None
    quiet_since: datetime.date
    flagged: bool
    contact_days: int


def pair_rows(pairings, *, today: datetime.date | None = None) -> list[PairRow]:
    """Rows for ``pairings`` (from ``pairings_visible_to``, so annotated)
    with the no-contact flag: no contact for more than the unit's
    ``pairing_contact_days`` days, counted from the last contact or, for
    a pair with none yet, from its start.  Ended pairs are never flagged.
    One query for the rules besides the pairings themselves."""
    today = today or timezone.localdate()
    pairings = list(pairings)
    rules = rules_by_unit({p.unit_id: p.unit for p in pairings}.values())
    rows = []
    for pairing in pairings:
        days = rules[pairing.unit_id].pairing_contact_days
        since = max(pairing.last_contact or pairing.starts_on, pairing.starts_on)
        flagged = pairing.ends_on is None and since < today - datetime.timedelta(
            days=days
        )
        rows.append(PairRow(pairing, pairing.last_contact, since, flagged, days))
    return rows
