"""The three-client rule: a technique counts as mastered once the trainee
has applied it with enough distinct clients, each entry approved and
covered by a supervision."""

from django.db import transaction
from django.utils import timezone

from lms.core.models import User

from ..models import PracticeEntry, Technique, TechniqueMastery
from ..rules import rules_for


def supervised_clients(*, person: User, technique: Technique) -> int:
    """Distinct clients (cases) of approved, supervised technique entries;
    amended originals count through their amendment only."""
    return (
        PracticeEntry.objects.filter(
            person=person,
            technique=technique,
            kind=PracticeEntry.Kind.TECHNIQUE,
            status=PracticeEntry.Status.APPROVED,
            supervisions__isnull=False,
            case__isnull=False,
        )
        .exclude(amendments__status=PracticeEntry.Status.APPROVED)
        .values("case")
        .distinct()
        .count()
    )


def mastery_refresh(*, person: User, technique: Technique) -> TechniqueMastery | None:
    """Record mastery when the count reaches the rule's number (3 by
    default); idempotent, and never withdraws a mastery once reached.
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
        mastery, _created = TechniqueMastery.objects.get_or_create(
            person=person, technique=technique, defaults={"reached_at": timezone.now()}
        )
    return mastery
