"""Writes to the organisation tree: adding and editing units."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ..models import AuditAction, OrgUnit, User
from ..permissions import can_manage_unit
from .audit import audit_record


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
