"""Cohort services: create and edit a cohort, set its members, send the
daily reminders."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import Cohort, CohortMember, ReminderSent
from courses.selectors import cohorts as selectors
from lms.core.models import User
from lms.core.permissions import can_manage_unit
from lms.core.selectors import people_manageable_by


def _check_cohort(*, actor: User, cohort: Cohort) -> None:
    if not can_manage_unit(actor, cohort.unit):
        raise PermissionDenied
    if cohort.ends_on < cohort.starts_on:
        raise ValidationError(
            {"ends_on": _("The cohort must end on or after its start.")}
        )
    for assignment in cohort.assignments.all():
        if assignment.due_on and assignment.due_on < assignment.release_on:
            raise ValidationError(
                _("A deadline must not come before its release date.")
            )
        if assignment.page.specific_class.__name__ not in ("ModulePage", "LessonPage"):
            raise ValidationError(_("Assign a module or a lesson of the syllabus."))


def cohort_save(*, actor: User, cohort: Cohort, members=None) -> Cohort:
    """Create or update a cohort (with its assignments, held in memory by
    the admin form) and, if given, set its members.

    Coordinators save cohorts of units in their subtree; members must be
    people they manage.  Dates are checked here as well as in the form, so
    the shell and the admin behave alike.
    """
    _check_cohort(actor=actor, cohort=cohort)
    with transaction.atomic():
        if cohort.pk is None:
            cohort.created_by = actor
        cohort.save()
        if members is not None:
            cohort_set_members(actor=actor, cohort=cohort, members=members)
    return cohort


def cohort_set_members(*, actor: User, cohort: Cohort, members) -> None:
    """Make ``members`` the cohort's members: adds the new ones, removes the
    others.  Everyone must be within the actor's scope."""
    if not can_manage_unit(actor, cohort.unit):
        raise PermissionDenied
    wanted = {person.pk for person in members}
    allowed = set(
        people_manageable_by(user=actor)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    if wanted - allowed:
        raise ValidationError(_("Some of these people are outside your units."))
    with transaction.atomic():
        CohortMember.objects.filter(cohort=cohort).exclude(person__in=wanted).delete()
        have = set(
            CohortMember.objects.filter(cohort=cohort).values_list(
                "person_id", flat=True
            )
        )
        CohortMember.objects.bulk_create(
            [
                CohortMember(cohort=cohort, person_id=pk, added_by=actor)
                for pk in sorted(wanted - have)
            ]
        )


def _claim_reminder(*, person: User, cohort: Cohort, kind: str, day) -> bool:
    """Write the "sent" row first: at most one reminder per person, cohort,
    kind and day, even when two beat runs overlap."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                person=person, cohort=cohort, kind=kind, day=day
            )
    except IntegrityError:
        return False
    return True


def _mail(*, person: User, subject: str, template: str, context: dict) -> None:
    if not person.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, {**context, "person": person})
        send_mail(str(subject), body, settings.DEFAULT_FROM_EMAIL, [person.email])


def cohort_reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Email members who are behind schedule and each cohort's coordinators
    a digest.  Idempotent per person, cohort, kind and day: run it as often
    as you like.  Returns how many of each were sent."""
    today = today or timezone.localdate()
    sent = {"behind": 0, "digest": 0}
    cohorts = Cohort.objects.filter(starts_on__lte=today, ends_on__gte=today)
    for cohort in cohorts.prefetch_related("coordinators"):
        grid = selectors.cohort_grid(cohort=cohort, today=today)
        behind = [row for row in grid["rows"] if row["overdue"]]
        for row in behind:
            if _claim_reminder(
                person=row["person"],
                cohort=cohort,
                kind=ReminderSent.Kind.BEHIND,
                day=today,
            ):
                _mail(
                    person=row["person"],
                    subject=_("Training reminder: %(cohort)s")
                    % {"cohort": cohort.name},
                    template="courses/email/behind.txt",
                    context={"cohort": cohort, "row": row, "grid": grid},
                )
                sent["behind"] += 1
        if not behind:
            continue
        for coordinator in cohort.coordinators.all():
            if _claim_reminder(
                person=coordinator,
                cohort=cohort,
                kind=ReminderSent.Kind.DIGEST,
                day=today,
            ):
                _mail(
                    person=coordinator,
                    subject=_("%(count)s members behind in %(cohort)s")
                    % {"count": len(behind), "cohort": cohort.name},
                    template="courses/email/digest.txt",
                    context={"cohort": cohort, "behind": behind},
                )
                sent["digest"] += 1
    return sent
