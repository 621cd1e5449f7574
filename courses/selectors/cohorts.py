"""Cohorts a coordinator manages, a member's cohorts, and the cohort grid."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from lms.core.models import HoursEntry, User
from lms.core.selectors import units_manageable_by

from ..models import Cohort, CohortMember, LessonPage, LessonProgress
from .learn import pages_under_any


def cohorts_manageable_by(*, user: User) -> QuerySet[Cohort]:
    """Cohorts of units in the coordinator's subtree."""
    return Cohort.objects.filter(
        unit__in=units_manageable_by(user=user)
    ).select_related("unit")


def cohort_get_for(*, user: User, pk: int) -> Cohort:
    return get_object_or_404(cohorts_manageable_by(user=user), pk=pk)


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
    *, cohort: Cohort, today: datetime.date | None = None, unit=None
) -> dict:
    """Members × assignments: lessons done of those assigned, hours credited
    for them, and what is overdue.  A fixed number of queries, whatever
    the number of members (members, assignments, lessons, progress, hours).
    """
    today = today or timezone.localdate()
    memberships = CohortMember.objects.filter(cohort=cohort).select_related(
        "person__home_unit"
    )
    if unit is not None:
        memberships = memberships.filter(unit.subtree_q("person__home_unit__"))
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
