"""The supervisor's inbox: everything waiting for them, oldest first.

Four sections, each the first ``SECTION_ROWS`` rows and the total, in a
fixed number of queries however many items wait (two per section, plus
the role and policy look-ups): pending sign-offs, practice awaiting
supervision, video lessons to review, and masteries to confirm.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from lms.core.models import User

from ..models import PracticeEntry
from .people import entries_signable_by, supervised_person_q
from .reviews import video_reviews_waiting_for
from .supervisions import entries_awaiting_supervision
from .techniques import masteries_awaiting_confirmation

#: Rows shown per section; the heading gives the total.
SECTION_ROWS = 50


@dataclass
class Section:
    """The first rows of one section and how many there are in all."""

    rows: list
    total: int
    #: Whether any shown row may be approved in bulk (sign-offs only).
    has_plain: bool = False

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _section(queryset: QuerySet, limit: int) -> Section:
    # Always count, so the query count does not depend on the number of rows.
    return Section(rows=list(queryset[:limit]), total=queryset.count())


def pending_signoffs_for(*, user: User) -> QuerySet[PracticeEntry]:
    """Submitted and resubmitted entries ``user`` may sign off, oldest
    submission first."""
    return (
        entries_signable_by(user=user)
        .filter(status__in=PracticeEntry.PENDING)
        .select_related("person", "unit", "technique", "case")
        .order_by("submitted_at", "pk")
    )


def supervision_due_for(*, user: User) -> QuerySet[PracticeEntry]:
    """Entries of ``user``'s supervisees that no supervision has covered
    within the unit's days, oldest practice first."""
    supervised = PracticeEntry.objects.filter(
        supervised_person_q(user, field="person")
    ).exclude(person=user)
    return (
        entries_awaiting_supervision(entries=supervised)
        .select_related("person", "unit")
        .order_by("occurred_on", "pk")
    )


def inbox_for(*, user: User, limit: int = SECTION_ROWS) -> dict[str, Section]:
    """The four sections of ``user``'s inbox.  Entries of the sign-off
    section carry ``plain`` (may be approved in bulk)."""
    sections = {
        "signoffs": _section(pending_signoffs_for(user=user), limit),
        "supervision": _section(supervision_due_for(user=user), limit),
        "videos": _section(video_reviews_waiting_for(user=user), limit),
        "masteries": _section(masteries_awaiting_confirmation(user=user), limit),
    }
    signoffs = sections["signoffs"]
    for entry in signoffs.rows:
        entry.plain = entry.may_bulk_approve
    signoffs.has_plain = any(entry.plain for entry in signoffs.rows)
    return sections
