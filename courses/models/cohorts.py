"""Cohorts (培训班): a class of people following assigned syllabus parts."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel


class Cohort(ClusterableModel):
    """A training class, e.g. "2026 新警心理专题训练班" (6 months, online).

    It belongs to a unit; coordinators of that unit's subtree manage it,
    its members see it on their home page, and its assignments release
    syllabus parts on dates.
    """

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline")
        BLENDED = "blended", _("Online and offline")

    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="cohorts",
    )
    mode = models.CharField(
        _("mode"), max_length=16, choices=Mode.choices, default=Mode.ONLINE
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        blank=True,
        related_name="cohorts_coordinated",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        through="CohortMember",
        through_fields=("cohort", "person"),
        related_name="cohorts",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                name="cohort_ends_after_it_starts",
                condition=Q(ends_on__gte=F("starts_on")),
            )
        ]

    def __str__(self):
        return self.name


class CohortMember(models.Model):
    """One person's membership of a cohort."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cohort_memberships",
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("cohort member")
        verbose_name_plural = _("cohort members")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person"], name="one_membership_per_cohort"
            )
        ]

    def __str__(self):
        return f"{self.cohort_id} · {self.person_id}"


class CohortAssignment(models.Model):
    """A module or lesson assigned to a cohort, released on a date (Asia/
    Shanghai) and due by another.  A module stands for all its lessons."""

    cohort = ParentalKey(Cohort, on_delete=models.CASCADE, related_name="assignments")
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("module or lesson"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    release_on = models.DateField(_("released on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["position", "release_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "page"], name="one_assignment_per_page"
            ),
            models.CheckConstraint(
                name="assignment_due_after_release",
                condition=Q(due_on__isnull=True) | Q(due_on__gte=F("release_on")),
            ),
        ]

    def __str__(self):
        return f"{self.cohort_id} · {self.page_id}"


class ReminderSent(models.Model):
    """A reminder email already sent, so the same reminder is never sent
    twice for the same item and day."""

    class Kind(models.TextChoices):
        BEHIND = "behind", _("Member behind schedule")
        DIGEST = "digest", _("Coordinator digest")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cohort", "kind", "day"], name="one_reminder_per_day"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.person_id} {self.day}"
