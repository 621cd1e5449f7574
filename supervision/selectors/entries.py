"""Reads of the practice log (实践记录), scoped to the acting user.

Views fetch entries through ``practice_entry_get_for``, so an entry the
user may not see is a 404 whether or not it exists.  Drafts are the
trainee's own workspace: no one else sees them until they are submitted.
"""

import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from courses.models import Attendance, OfflineSession
from lms.core.models import HoursCategory, User
from lms.core.permissions import can_manage_units, is_scoped_manager
from lms.core.selectors import hours_for_person

from ..models import (
    Case,
    DutyShift,
    EntryTransition,
    PracticeEntry,
    ShiftSignup,
    Technique,
)
from .people import mentored_person_q, supervised_person_q

#: How far back shift and session choices on the form reach.
CHOICE_DAYS = 366


def _log_reader_q(user: User, field: str = "person") -> Q:
    """The row's person is someone whose practice ``user`` supervises, or
    whom ``user`` mentors whatever their roles: those read the person's
    submitted log."""
    return supervised_person_q(user, field=field) | mentored_person_q(user, field=field)


def practice_entries_visible_to(*, user: User) -> QuerySet[PracticeEntry]:
    """Entries ``user`` may read: their own (drafts included); others'
    once submitted, for the trainee's practice supervisors and mentors
    (a supervisor only while holding the supervisor role),
    the supervisor on duty at the linked shift, the lead of the team of a
    crisis entry's deployment, and coordinators and leaders over the
    entry's unit.  Superusers see all but drafts."""
    entries = PracticeEntry.objects.select_related(
        "person", "unit", "technique", "case", "shift", "session"
    )
    if not user.is_authenticated:
        return entries.none()
    others = ~Q(status=PracticeEntry.Status.DRAFT)
    if user.is_superuser:
        return entries.filter(Q(person=user) | others)
    reach = _log_reader_q(user) | Q(shift__supervisor=user)
    # The lead of a standing team signs off its deployments' crisis work.
    reach |= Q(kind=PracticeEntry.Kind.CRISIS, deployment__team__lead=user)
    if is_scoped_manager(user) and user.home_unit_id is not None:
        reach |= user.home_unit.subtree_q("unit__")
    return entries.filter(Q(person=user) | (others & reach))


def practice_entry_get_for(*, user: User, pk: int) -> PracticeEntry:
    """One entry ``user`` may read, or 404."""
    return get_object_or_404(practice_entries_visible_to(user=user), pk=pk)


def practice_entry_history(*, entry: PracticeEntry) -> QuerySet[EntryTransition]:
    """The entry's sign-off steps, oldest first, with their actors."""
    return entry.transitions.select_related("actor").order_by("created_at", "id")


def superseding_amendment(entry: PracticeEntry) -> PracticeEntry | None:
    """The approved amendment that replaced ``entry``, if any."""
    if entry.status != PracticeEntry.Status.APPROVED:
        return None
    return (
        entry.amendments.filter(status=PracticeEntry.Status.APPROVED)
        .order_by("-id")
        .first()
    )


def open_amendment(entry: PracticeEntry) -> PracticeEntry | None:
    """An amendment of ``entry`` not yet approved, if any."""
    return (
        entry.amendments.exclude(status=PracticeEntry.Status.APPROVED)
        .order_by("-id")
        .first()
    )


def approved_practice_hours(*, person: User) -> Decimal:
    """Practice hours standing in the ledger (credits less reversals)."""
    return hours_for_person(person=person).get(HoursCategory.PRACTICE, Decimal("0"))


# --- what an entry may link to ------------------------------------------------


def cases_in_reach(*, person: User) -> QuerySet[Case]:
    """Cases an entry of ``person`` may reference: those of their home
    unit or of a unit above it (a station's cases serve its rooms)."""
    if person.home_unit_id is None:
        return Case.objects.none()
    return Case.objects.filter(person.home_unit.ancestors_q("unit__"))


def case_for_entry(*, user: User, client_code: str) -> Case | None:
    """The case with ``client_code`` within ``user``'s reach, or ``None``:
    an unknown code and another unit's code look the same."""
    code = (client_code or "").strip().upper()
    if not code or len(code) > 12 or "\x00" in code:
        return None
    return cases_in_reach(person=user).filter(client_code=code).first()


def shifts_attended_by(*, person: User) -> QuerySet[DutyShift]:
    """Recent shifts ``person`` checked in to (what an entry may link)."""
    attended = ShiftSignup.objects.filter(
        shift=OuterRef("pk"), person=person, checked_in_at__isnull=False
    )
    since = timezone.now() - datetime.timedelta(days=CHOICE_DAYS)
    return (
        DutyShift.objects.filter(Exists(attended), starts_at__gte=since)
        .select_related("unit")
        .order_by("-starts_at")
    )


def sessions_attended_by(*, person: User) -> QuerySet[OfflineSession]:
    """Recent offline sessions ``person`` was present at."""
    present = Attendance.objects.filter(
        session=OuterRef("pk"), person=person, status=Attendance.Status.PRESENT
    )
    since = timezone.now() - datetime.timedelta(days=CHOICE_DAYS)
    return OfflineSession.objects.filter(
        Exists(present), starts_at__gte=since
    ).order_by("-starts_at")


def techniques_offered() -> QuerySet[Technique]:
    return Technique.objects.filter(is_active=True).order_by("name")


# --- a supervisee's log -----------------------------------------------------------


def trainee_get_for_log(*, user: User, pk: int) -> User:
    """A trainee whose log ``user`` may open as their practice supervisor
    (holding the supervisor role) or mentor; 404 for anyone else
    (coordinators use the admin)."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        User.objects.filter(_log_reader_q(user, field="pk")).exclude(pk=user.pk),
        pk=pk,
    )


def filter_entries(entries: QuerySet, *, status: str = "", kind: str = "") -> QuerySet:
    """``entries`` narrowed by a status and a kind from a query string;
    unknown values are ignored."""
    if status in PracticeEntry.Status.values:
        entries = entries.filter(status=status)
    if kind in PracticeEntry.Kind.values:
        entries = entries.filter(kind=kind)
    return entries


def entries_manageable_by(*, user: User) -> QuerySet[PracticeEntry]:
    """Submitted entries (never drafts) of units in the coordinator's
    subtree; all of them for superusers; none for anyone else."""
    entries = PracticeEntry.objects.exclude(
        status=PracticeEntry.Status.DRAFT
    ).select_related("person", "unit", "approved_by", "technique")
    if not can_manage_units(user):
        return entries.none()
    if user.is_superuser:
        return entries
    if user.home_unit_id is None:
        return entries.none()
    return entries.filter(user.home_unit.subtree_q("unit__"))


# --- first week: returned entries, pending hours, reviewers, the export ------------


def returned_entries_of(*, person: User) -> QuerySet[PracticeEntry]:
    """``person``'s entries a supervisor returned and they have not yet
    submitted again, newest first."""
    if not person.is_authenticated:
        return PracticeEntry.objects.none()
    return PracticeEntry.objects.filter(
        person=person, status=PracticeEntry.Status.RETURNED
    ).order_by("-occurred_on", "-id")


def pending_practice_hours(*, person: User) -> dict:
    """Practice submitted and waiting for a supervisor (submitted or
    resubmitted): ``{"hours": Decimal, "count": int}``.  Amendments are left
    out: one replaces an entry whose hours are already credited, so adding
    its hours would count them twice."""
    from django.db.models import Count, Sum

    row = PracticeEntry.objects.filter(
        person=person,
        status__in=PracticeEntry.PENDING,
        amends__isnull=True,
    ).aggregate(minutes=Sum("minutes"), count=Count("pk"))
    minutes = row["minutes"] or 0
    hours = (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))
    return {"hours": hours, "count": row["count"] or 0}


def reviewers_of(entry: PracticeEntry) -> list[User]:
    """Who may approve or return ``entry`` now: the trainee's practice
    supervisors, the supervisor on duty at its shift, the lead of its crisis
    deployment's team; each checked with ``can_sign_off``."""
    from ..permissions import can_sign_off
    from .people import supervisors_of

    candidates = list(supervisors_of(trainee=entry.person).order_by("full_name", "pk"))
    if entry.shift_id is not None and entry.shift.supervisor_id is not None:
        candidates.append(entry.shift.supervisor)
    if entry.deployment_id is not None and entry.deployment.team_id is not None:
        lead = entry.deployment.team.lead
        if lead is not None:
            candidates.append(lead)
    seen, reviewers = set(), []
    for person in candidates:
        if person.pk in seen or not can_sign_off(person, entry):
            continue
        seen.add(person.pk)
        reviewers.append(person)
    return reviewers


def return_comment(entry: PracticeEntry) -> EntryTransition | None:
    """The step that returned ``entry`` last (with its comment and actor),
    while the entry stands returned."""
    if entry.status != PracticeEntry.Status.RETURNED:
        return None
    return (
        entry.transitions.filter(to_status=PracticeEntry.Status.RETURNED)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def practice_log_rows(*, person: User) -> QuerySet[PracticeEntry]:
    """Every entry of ``person``'s own log for the export, oldest first
    (their drafts too: it is their own record)."""
    return (
        PracticeEntry.objects.filter(person=person)
        .select_related("person", "technique", "case", "shift", "approved_by", "amends")
        .prefetch_related("transitions__actor")
        .order_by("occurred_on", "id")
    )
