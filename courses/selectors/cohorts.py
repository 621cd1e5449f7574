"""Cohorts a coordinator manages, a member's cohorts, and the cohort grid."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from wagtail import hooks

from lms.core.models import HoursEntry, OrgUnit, User
from lms.core.permissions import is_scoped_manager
from lms.core.selectors import units_manageable_by, units_visible_to

from ..models import Cohort, CohortMember, LessonPage, LessonProgress, OfflineSession
from .learn import pages_under_any

#: The Wagtail hook through which an app to the right of courses (the
#: practice app, which knows who supervises whom) answers "whose practice
#: does this user supervise?": ``fn(user) -> QuerySet[User]``.  Courses
#: imports nothing from that app; without the hook a supervisor reads no
#: cohort through supervision.
SUPERVISEES_HOOK = "courses_supervisees"


def cohorts_manageable_by(*, user: User) -> QuerySet[Cohort]:
    """Cohorts of units in the coordinator's subtree."""
    return Cohort.objects.filter(
        unit__in=units_manageable_by(user=user)
    ).select_related("unit")


def cohort_get_for(*, user: User, pk: int) -> Cohort:
    return get_object_or_404(cohorts_manageable_by(user=user), pk=pk)


def supervisees_of(*, user: User) -> QuerySet[User]:
    """People whose practice ``user`` supervises, as the hooks registered
    under ``SUPERVISEES_HOOK`` answer (none when no app registers one)."""
    people = User.objects.none()
    if not user.is_authenticated:
        return people
    for answer in hooks.get_hooks(SUPERVISEES_HOOK):
        people = people | User.objects.filter(pk__in=answer(user).values("pk"))
    return people


def cohorts_readable_by(*, user: User) -> QuerySet[Cohort]:
    """Cohorts whose page and progress grid ``user`` may read: coordinators
    and leaders those of their subtree (all of them for superusers),
    supervisors those a person they supervise belongs to.  Queryset form
    of ``courses.permissions.can_read_cohort``."""
    if user.is_superuser:
        return Cohort.objects.select_related("unit")
    if not user.is_authenticated:
        return Cohort.objects.none()
    condition = Q(memberships__person__in=supervisees_of(user=user).values("pk"))
    if is_scoped_manager(user):
        condition |= Q(unit__in=units_visible_to(user=user))
    ids = Cohort.objects.filter(condition).values("pk")
    return Cohort.objects.filter(pk__in=ids).select_related("unit")


def cohort_get_for_reading(*, user: User, pk: int) -> Cohort:
    return get_object_or_404(cohorts_readable_by(user=user), pk=pk)


def cohort_grid_people_for(*, user: User, cohort: Cohort) -> QuerySet[User] | None:
    """Whose rows of ``cohort``'s grid ``user`` reads: everyone's (None)
    for coordinators and leaders over the cohort's unit, otherwise only
    the people they supervise."""
    if user.is_superuser or (
        is_scoped_manager(user)
        and user.home_unit is not None
        and user.home_unit.contains(cohort.unit)
    ):
        return None
    return supervisees_of(user=user)


def cohorts_listed_for(*, user: User) -> QuerySet[Cohort]:
    """The readable cohorts with their member counts, newest first."""
    return (
        cohorts_readable_by(user=user)
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("-starts_on", "name")
    )


def sessions_of_supervisees(*, user: User, days: int = 30) -> list[dict]:
    """Offline sessions from today until ``days`` ahead that a person
    ``user`` supervises is on the list of (their cohort's, or their unit's
    or above it), each with those people, so a supervisor can plan
    practice around them.  Three queries."""
    people = list(supervisees_of(user=user).select_related("home_unit"))
    if not people:
        return []
    condition = Q(cohort__memberships__person__in=people)
    units = {p.home_unit.pk: p.home_unit for p in people if p.home_unit}
    for unit in units.values():
        condition |= unit.ancestors_q("unit__")
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    ids = OfflineSession.objects.filter(condition).values("pk")
    sessions = (
        OfflineSession.objects.filter(
            pk__in=ids,
            ends_at__gte=start,
            starts_at__lte=start + datetime.timedelta(days=days + 1),
        )
        .select_related("unit", "cohort")
        .order_by("starts_at", "pk")[:100]
    )
    members = set(
        CohortMember.objects.filter(person__in=people).values_list(
            "cohort_id", "person_id"
        )
    )
    rows = []
    for session in sessions:
        whose = [
            p
            for p in people
            if (session.cohort_id, p.pk) in members
            or (p.home_unit is not None and session.unit.contains(p.home_unit))
        ]
        rows.append({"session": session, "people": whose})
    return rows


def cohort_sessions(*, cohort: Cohort) -> QuerySet[OfflineSession]:
    """The cohort's offline sessions from today on, for its page."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return cohort.sessions.filter(ends_at__gte=start).order_by("starts_at")[:50]


def cohorts_of(*, user: User) -> list[dict]:
    """The user's cohorts with their assignments, released or not, for
    their home page.  Two queries."""
    if not user.is_authenticated:
        return []
    cohorts = list(
        Cohort.objects.filter(memberships__person=user)
        .prefetch_related("assignments__page")
        .order_by("-starts_on")
    )
    today = timezone.localdate()
    return [
        {
            "cohort": cohort,
            "assignments": [
                {
                    "assignment": a,
                    "released": a.release_on <= today,
                    "overdue": bool(a.due_on and a.due_on < today),
                }
                for a in cohort.assignments.all()
            ],
        }
        for cohort in cohorts
    ]


def _assigned_lessons(assignments) -> dict[int, list[LessonPage]]:
    """Per assignment, the live lessons it stands for (a lesson itself, or
    every lesson of a module).  One query."""
    paths = [a.page.path for a in assignments]
    if not paths:
        return {}
    lessons = list(
        LessonPage.objects.live().filter(pages_under_any(paths)).order_by("path")
    )
    return {
        a.pk: [lesson for lesson in lessons if lesson.path.startswith(a.page.path)]
        for a in assignments
    }


def cohort_grid(
    *,
    cohort: Cohort,
    today: datetime.date | None = None,
    unit: OrgUnit | None = None,
    people: QuerySet[User] | None = None,
) -> dict:
    """Members × assignments: lessons done of those assigned, hours credited
    for them, and what is overdue; only the members among ``people`` when
    given.  A fixed number of queries, whatever the number of members
    (members, assignments, lessons, progress, hours).
    """
    today = today or timezone.localdate()
    memberships = CohortMember.objects.filter(cohort=cohort).select_related(
        "person__home_unit"
    )
    if unit is not None:
        memberships = memberships.filter(unit.subtree_q("person__home_unit__"))
    if people is not None:
        memberships = memberships.filter(person__in=people.values("pk"))
    people = [
        m.person
        for m in memberships.order_by("person__home_unit__path", "person__full_name")
    ]
    assignments = list(
        cohort.assignments.select_related("page").order_by(
            "position", "release_on", "pk"
        )
    )
    lessons_of = _assigned_lessons(assignments)
    lesson_ids = {lesson.pk for lessons in lessons_of.values() for lesson in lessons}
    done = set(
        LessonProgress.objects.filter(
            person__in=people, lesson_id__in=lesson_ids, completed_at__isnull=False
        ).values_list("person_id", "lesson_id")
    )
    hours = dict(
        HoursEntry.objects.filter(
            person__in=people,
            source_type=ContentType.objects.get_for_model(LessonPage),
            source_id__in=lesson_ids,
        )
        .values("person_id")
        .annotate(total=Sum("hours"))
        .values_list("person_id", "total")
    )
    rows = []
    for person in people:
        cells = []
        for a in assignments:
            lessons = lessons_of.get(a.pk, [])
            finished = sum(1 for lesson in lessons if (person.pk, lesson.pk) in done)
            complete = bool(lessons) and finished == len(lessons)
            cells.append(
                {
                    "done": finished,
                    "total": len(lessons),
                    "complete": complete,
                    "released": a.release_on <= today,
                    "overdue": bool(a.due_on and a.due_on < today and not complete),
                }
            )
        rows.append(
            {
                "person": person,
                "cells": cells,
                "hours": hours.get(person.pk) or Decimal("0"),
                "overdue": [
                    a for a, c in zip(assignments, cells, strict=True) if c["overdue"]
                ],
            }
        )
    return {"cohort": cohort, "assignments": assignments, "rows": rows, "today": today}
