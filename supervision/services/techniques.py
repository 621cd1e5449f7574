"""The three-client rule: a technique counts as mastered once the trainee
has applied it with enough distinct clients, each entry approved and
covered by a supervision; their practice supervisor then confirms it."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.models import AuditAction, User
from lms.core.services.audit import audit_record
from lms.core.services.notices import notice_send

from ..models import Technique, TechniqueMastery
from ..permissions import can_confirm_mastery
from ..rules import rules_for
from ..selectors.people import supervisors_of
from ..selectors.techniques import supervised_clients

__all__ = ["mastery_confirm", "mastery_refresh", "supervised_clients"]


def mastery_refresh(*, person: User, technique: Technique) -> TechniqueMastery | None:
    """Record mastery when the count reaches the rule's number (3 by
    default) and ask the person's practice supervisors to confirm it.

    Idempotent (one row per person and technique; the notices go out only
    when the row is created) and never withdraws a mastery once reached.
    Returns the mastery row, or ``None`` while the count is short."""
    existing = TechniqueMastery.objects.filter(
        person=person, technique=technique
    ).first()
    if existing is not None:
        return existing
    needed = rules_for(person.home_unit).mastery_clients
    if supervised_clients(person=person, technique=technique) < needed:
        return None
    with transaction.atomic():
        mastery, created = TechniqueMastery.objects.get_or_create(
            person=person, technique=technique, defaults={"reached_at": timezone.now()}
        )
        if created:
            _ask_supervisors(mastery)
    return mastery


def _ask_supervisors(mastery: TechniqueMastery) -> None:
    text = _(
        "%(person)s has applied %(technique)s with %(count)s supervised clients; "
        "please confirm the mastery."
    ) % {
        "person": str(mastery.person),
        "technique": str(mastery.technique),
        "count": rules_for(mastery.person.home_unit).mastery_clients,
    }
    url = reverse("supervision:technique_person", args=[mastery.person_id])
    for supervisor in supervisors_of(trainee=mastery.person):
        notice_send(person=supervisor, text=text, url=url)


def mastery_confirm(
    *, actor: User, mastery: TechniqueMastery, request=None
) -> TechniqueMastery:
    """Confirm ``mastery`` as ``actor``, a practice supervisor of the
    person.  Idempotent: a confirmed mastery stays as first confirmed.
    Audited as a sign-off; the person gets a notice."""
    if not can_confirm_mastery(actor, mastery):
        raise PermissionDenied(
            _("Only a supervisor of this trainee may confirm the mastery.")
        )
    with transaction.atomic():
        row = TechniqueMastery.objects.select_for_update().get(pk=mastery.pk)
        if row.confirmed_at is not None:
            return row
        row.confirmed_by = actor
        row.confirmed_at = timezone.now()
        row.save(update_fields=["confirmed_by", "confirmed_at"])
        audit_record(
            actor=actor,
            action=AuditAction.SIGN_OFF,
            obj=row,
            request=request,
            detail="technique mastery confirmed",
        )
        notice_send(
            person=row.person,
            text=_("%(supervisor)s confirmed your mastery of %(technique)s.")
            % {"supervisor": str(actor), "technique": str(row.technique)},
            url=reverse("supervision:technique_list"),
        )
    return row
