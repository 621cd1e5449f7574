"""Reads of certificates: the ones a person may see, the register of a
subtree with its filters, and the exact lookup of the public check."""

import datetime
import unicodedata

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from lms.core.models import OrgUnit, User
from lms.core.permissions import is_scoped_manager

from ..models import Certificate
from ..models.certificates import SERIAL_ALPHABET, SERIAL_LENGTH

#: The register's status filter: what the public check would say.
STANDINGS = ("valid", "expired", "revoked")


def in_force_q(today: datetime.date, prefix: str = "") -> Q:
    """Certificates (``prefix`` leads to one, e.g. ``"certificates__"``)
    that are valid on ``today``: issued, not revoked, not expired.  The one
    home of the rule; ``Certificate.standing`` is its row twin."""
    return Q(**{f"{prefix}status": Certificate.Status.ISSUED}) & (
        Q(**{f"{prefix}expires_on__isnull": True})
        | Q(**{f"{prefix}expires_on__gte": today})
    )


def _rows() -> QuerySet[Certificate]:
    return Certificate.objects.select_related(
        "holder", "track", "version", "unit", "renews"
    )


def certificates_visible_to(*, user: User) -> QuerySet[Certificate]:
    """The user's own certificates, and for coordinators and leaders those
    of their unit and below (by the certificate's unit); everything for
    platform administrators.  Queryset twin of
    ``permissions.can_see_certificate``."""
    rows = _rows()
    if user.is_superuser:
        return rows
    if not user.is_authenticated:
        return rows.none()
    mine = Q(holder=user)
    if is_scoped_manager(user) and user.home_unit_id is not None:
        return rows.filter(mine | user.home_unit.subtree_q("unit__"))
    return rows.filter(mine)


def certificates_held_by(*, person: User) -> list[Certificate]:
    """The person's own certificates, newest first."""
    if not person.is_authenticated:
        return []
    return list(_rows().filter(holder=person))


def certificate_get_for(*, user: User, pk: int) -> Certificate:
    """One certificate the user may see, or 404."""
    return get_object_or_404(certificates_visible_to(user=user), pk=pk)


def certificates_in_register(*, user: User) -> QuerySet[Certificate]:
    """The register: certificates of the user's subtree (coordinators and
    leaders; all for platform administrators; none for anyone else, whose
    own certificates are not a register)."""
    rows = _rows()
    if user.is_superuser:
        return rows
    if not is_scoped_manager(user) or user.home_unit_id is None:
        return rows.none()
    return rows.filter(user.home_unit.subtree_q("unit__"))


def certificates_filtered(
    rows: QuerySet[Certificate],
    *,
    track_id: int | None = None,
    standing: str = "",
    unit: OrgUnit | None = None,
    expiring_within: int | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Certificate]:
    """``rows`` narrowed to a track, a standing (``STANDINGS``), a unit and
    its subtree, and those in force that expire within so many days."""
    today = today or timezone.localdate()
    if track_id is not None:
        rows = rows.filter(track_id=track_id)
    if unit is not None:
        rows = rows.filter(unit.subtree_q("unit__"))
    in_force = in_force_q(today)
    if standing == "valid":
        rows = rows.filter(in_force)
    elif standing == "expired":
        rows = rows.filter(status=Certificate.Status.ISSUED, expires_on__lt=today)
    elif standing == "revoked":
        rows = rows.filter(status=Certificate.Status.REVOKED)
    if expiring_within is not None:
        rows = rows.filter(
            in_force,
            expires_on__lte=today + datetime.timedelta(days=expiring_within),
        )
    return rows


def serial_normalise(raw: str) -> str | None:
    """The serial as stored (``XXXX-XXXX-XXXX-XXXX``) from what someone
    typed: any case, spaces, missing or full-width dashes, full-width
    letters and digits.  ``None`` when it cannot be a serial, so no query
    is made for it."""
    text = unicodedata.normalize("NFKC", raw or "")[:200].upper()
    kept = "".join(ch for ch in text if ch.isalnum())
    if len(kept) != SERIAL_LENGTH or any(ch not in SERIAL_ALPHABET for ch in kept):
        return None
    return "-".join(kept[i : i + 4] for i in range(0, SERIAL_LENGTH, 4))


def certificate_by_serial(serial: str) -> Certificate | None:
    """The certificate with exactly this (normalised) serial, or ``None``.
    Only an exact match: the public check cannot list or search."""
    normalised = serial_normalise(serial)
    if normalised is None:
        return None
    return (
        Certificate.objects.select_related("holder", "track", "unit")
        .filter(serial=normalised)
        .first()
    )
