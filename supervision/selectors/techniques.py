"""Reads about techniques and the three-client rule: how many distinct
clients count towards each technique, and which masteries a supervisor
is asked to confirm."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from lms.core.models import User

from ..models import PracticeEntry, Technique, TechniqueMastery
from ..rules import rules_for
from .people import supervised_person_q
from .supervisions import covered_q


def counting_entries(*, person: User) -> QuerySet[PracticeEntry]:
    """``person``'s technique entries that count towards mastery: approved,
    covered by a supervision, with a client (case).  An original with an
    approved amendment counts through its amendment only."""
    return PracticeEntry.objects.filter(
        covered_q(),
        person=person,
        kind=PracticeEntry.Kind.TECHNIQUE,
        status=PracticeEntry.Status.APPROVED,
        technique__isnull=False,
        case__isnull=False,
    ).exclude(amendments__status=PracticeEntry.Status.APPROVED)


def supervised_clients(*, person: User, technique: Technique) -> int:
    """Distinct clients (cases) with whom ``person`` applied ``technique``
    in approved, supervised entries; a repeat client counts once."""
    rows = counting_entries(person=person).filter(technique=technique)
    return rows.values("case").distinct().count()


def clients_per_technique(*, person: User) -> dict[int, int]:
    """Technique id → distinct counting clients, in one query."""
    rows = (
        counting_entries(person=person)
        .order_by()
        .values("technique")
        .annotate(clients=Count("case", distinct=True))
    )
    return {row["technique"]: row["clients"] for row in rows}


@dataclass(frozen=True)
class TechniqueProgress:
    """One line of a trainee's technique page."""

    technique: Technique
    clients: int
    needed: int
    mastery: TechniqueMastery | None

    @property
    def shown_clients(self) -> int:
        return min(self.clients, self.needed) if self.mastery else self.clients


def technique_progress(*, person: User) -> list[TechniqueProgress]:
    """Every offered technique, and any other the person has progress or
    a mastery in, with their count against the rule (three queries)."""
    needed = rules_for(person.home_unit).mastery_clients
    counts = clients_per_technique(person=person)
    masteries = {
        m.technique_id: m
        for m in TechniqueMastery.objects.filter(person=person).select_related(
            "confirmed_by"
        )
    }
    techniques = Technique.objects.filter(
        Q(is_active=True) | Q(pk__in=[*counts, *masteries])
    ).order_by("name")
    return [
        TechniqueProgress(
            technique=technique,
            clients=counts.get(technique.pk, 0),
            needed=needed,
            mastery=masteries.get(technique.pk),
        )
        for technique in techniques
    ]


def masteries_awaiting_confirmation(*, user: User) -> QuerySet[TechniqueMastery]:
    """Masteries reached by people whose practice ``user`` supervises, not
    yet confirmed, oldest first: the queryset form of
    ``supervision.permissions.can_confirm_mastery``."""
    return (
        TechniqueMastery.objects.filter(
            supervised_person_q(user, field="person"), confirmed_at__isnull=True
        )
        .select_related("person", "technique")
        .order_by("reached_at", "pk")
    )
