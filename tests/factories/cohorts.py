import datetime

from courses.models import Cohort, CohortAssignment, CohortMember


def make_cohort(
    unit, *, name="2026 新警心理专题训练班", members=(), starts_on=None, ends_on=None
):
    cohort = Cohort.objects.create(
        name=name,
        unit=unit,
        starts_on=starts_on or datetime.date(2026, 1, 1),
        ends_on=ends_on or datetime.date(2026, 12, 31),
    )
    for person in members:
        CohortMember.objects.create(cohort=cohort, person=person)
    return cohort


def assign(cohort, page, *, release_on, due_on=None, position=0):
    return CohortAssignment.objects.create(
        cohort=cohort,
        page=page,
        release_on=release_on,
        due_on=due_on,
        position=position,
    )
