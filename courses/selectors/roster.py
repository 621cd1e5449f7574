"""Reads for roster imports, scoped to the acting user.

Views fetch through these, so an import of a unit outside the
user's subtree is a 404, never a 403 that says it exists.
"""

from django.core.cache import cache
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from lms.core.models import User
from lms.core.selectors import people_visible_to, units_manageable_by

from ..models import Cohort, RosterImport


def roster_imports_visible_to(*, user: User) -> QuerySet[RosterImport]:
    """Imports into units the user manages (coordinators: their subtree;
    superusers: all; everyone else: none)."""
    return RosterImport.objects.filter(
        unit__in=units_manageable_by(user=user)
    ).select_related("unit", "cohort", "created_by")


def roster_import_get_for(*, user: User, pk: int) -> RosterImport:
    return get_object_or_404(roster_imports_visible_to(user=user), pk=pk)


def roster_cohorts_for(*, user: User) -> QuerySet[Cohort]:
    """Cohorts the user may import people into: those of units they manage."""
    return (
        Cohort.objects.filter(unit__in=units_manageable_by(user=user))
        .select_related("unit")
        .order_by("-starts_on", "name")
    )


def progress_key(roster_import_id: int) -> str:
    """The cache key holding a running import's processed rows."""
    return f"courses:roster-import:{roster_import_id}:processed"


def roster_import_progress(roster_import: RosterImport) -> int:
    """Rows processed so far.  While an import runs, its transaction is open
    and the row's ``processed_rows`` is not visible to anyone else, so the
    running count lives in the cache; afterwards the row has the total."""
    if roster_import.status == RosterImport.Status.RUNNING:
        cached = cache.get(progress_key(roster_import.pk))
        if cached is not None:
            return min(int(cached), roster_import.total_rows)
    return roster_import.processed_rows


def roster_import_new_people(
    *, user: User, roster_import: RosterImport, limit: int = 50
) -> tuple[list[User], int]:
    """The people an import made that ``user`` may see, the first ``limit``
    of them in the file's order, and how many there are in all."""
    ids = [
        pk
        for pk in ((roster_import.report or {}).get("result", {}).get("people") or [])
        if isinstance(pk, int)
    ]
    people = people_visible_to(user=user).filter(pk__in=ids)
    order = {pk: index for index, pk in enumerate(ids)}
    shown = sorted(people.filter(pk__in=ids[:limit]), key=lambda p: order[p.pk])
    return shown, people.count()
