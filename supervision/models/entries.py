"""The practice log (实践记录) and its sign-off history."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lms.core.models import StatusStep


def _refuse_locked_delete():
    raise PermissionDenied(
        gettext("Approved practice entries are locked and cannot be deleted.")
    )


class PracticeEntryQuerySet(models.QuerySet):
    """Entries, with a bulk ``delete`` that refuses approved rows (the
    database trigger refuses their UPDATE; see migration 0002)."""

    def delete(self):
        if self.filter(status=PracticeEntry.Status.APPROVED).exists():
            _refuse_locked_delete()
        return super().delete()


class PracticeEntry(models.Model):
    """One piece of practice a trainee logs for sign-off.

    ::

        draft ──submit──▶ submitted ──approve──▶ approved (locked)
                              │
                              └──return(comment)──▶ returned ──resubmit──▶ resubmitted
                                                                             │
                                   approved ◀──approve── resubmitted ──return──┘

    Only a supervisor responsible for the trainee may approve or return
    (``supervision.permissions.can_sign_off``), never the trainee.  An
    approved entry is locked: the services refuse changes and database
    triggers refuse UPDATE and DELETE of an approved row.  A correction is
    a new entry with ``amends`` and a reason, which itself needs approval;
    approving it reverses the original's hours and credits its own.
    """

    class Kind(models.TextChoices):
        OBSERVATION = "observation", _("Observing individual counselling (旁听个案)")
        GROUP_ASSISTANT = "group_assistant", _("Group-session assistant (团辅助教)")
        GROUP_PLAN = "group_plan", _("Co-writing a group-session plan (团辅方案)")
        LECTURE = "lecture", _("Giving a lecture (讲座)")
        HOTLINE = "hotline", _("Hotline duty (心理热线)")
        MEDIATION = "mediation", _("Mediation (矛盾调解)")
        TECHNIQUE = "technique", _("Receiving a client with a technique")
        VIDEO_LESSON = "video_lesson", _("Recording a video lesson")
        CRISIS = "crisis", _("Crisis intervention (危机干预)")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        APPROVED = "approved", _("Approved")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.APPROVED, Status.RETURNED},
        Status.RETURNED: {Status.RESUBMITTED},
        Status.RESUBMITTED: {Status.APPROVED, Status.RETURNED},
        Status.APPROVED: set(),
    }
    #: Moves go through ``lms.core.status``, which shows this when refused.
    TRANSITION_REFUSED = _("A practice entry that is %(from)s cannot become %(to)s.")
    #: Statuses in which the trainee may still edit the entry.
    EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
    #: Statuses waiting for a supervisor.
    PENDING = frozenset({Status.SUBMITTED, Status.RESUBMITTED})
    #: Kinds a supervisor must look at one by one (never bulk-approved).
    ONE_BY_ONE = frozenset({Kind.OBSERVATION, Kind.TECHNIQUE, Kind.VIDEO_LESSON})

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        related_name="practice_entries",
    )
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit at the time"),
        on_delete=models.PROTECT,
        related_name="practice_entries",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    occurred_on = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("minutes"))
    shift = models.ForeignKey(
        "supervision.DutyShift",
        verbose_name=_("duty shift"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_entries",
    )
    case = models.ForeignKey(
        "supervision.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_entries",
    )
    session = models.ForeignKey(
        "courses.OfflineSession",
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_entries",
    )
    technique = models.ForeignKey(
        "supervision.Technique",
        verbose_name=_("technique"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_entries",
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    reflection = models.TextField(_("reflection"), max_length=5000, blank=True)
    amends = models.ForeignKey(
        "self",
        verbose_name=_("amends"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
    )
    deployment = models.ForeignKey(
        "supervision.Deployment",
        verbose_name=_("crisis deployment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_entries",
        help_text=_("For crisis intervention: the deployment the work was part of."),
    )
    amendment_reason = models.CharField(
        _("reason for the amendment"), max_length=500, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PracticeEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice entry")
        verbose_name_plural = _("practice entries")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["person", "status"]),
            models.Index(fields=["status", "submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="entry_minutes_sane",
                condition=Q(minutes__gte=1, minutes__lte=24 * 60),
            ),
            models.CheckConstraint(
                name="entry_technique_kind_has_technique",
                condition=~Q(kind="technique") | Q(technique__isnull=False),
            ),
            models.CheckConstraint(
                name="entry_observation_has_case",
                condition=~Q(kind="observation") | Q(case__isnull=False),
            ),
            models.CheckConstraint(
                name="entry_amendment_has_reason",
                condition=Q(amends__isnull=True) | ~Q(amendment_reason=""),
            ),
            models.CheckConstraint(
                name="entry_approved_has_approver",
                condition=~Q(status="approved") | Q(approved_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.occurred_on}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def may_bulk_approve(self) -> bool:
        """Whether a supervisor may approve it with others at once: not an
        observation, technique or video lesson, and not an amendment."""
        return self.kind not in self.ONE_BY_ONE and self.amends_id is None

    def history_row(self, *, before: str, after: str, actor, comment: str):
        """The unsaved ``EntryTransition`` of a step (``lms.core.status``)."""
        return EntryTransition(
            entry=self,
            from_status=before,
            to_status=after,
            actor=actor,
            comment=comment,
        )

    def delete(self, *args, **kwargs):
        # A guard, not logic: the stored status decides, not a stale copy.
        if type(self).objects.filter(pk=self.pk, status=self.Status.APPROVED).exists():
            _refuse_locked_delete()
        return super().delete(*args, **kwargs)


class EntryTransition(StatusStep):
    """One step of a practice entry's sign-off, with who, when and why.

    Append-only (``lms.core.models.append_only``).  The steps go with
    their entry: an entry that is not approved may be deleted, and the
    database deletes its steps once the entry row is gone (hence
    ``DO_NOTHING`` here); an approved entry cannot be deleted at all.
    """

    entry = models.ForeignKey(
        PracticeEntry, on_delete=models.DO_NOTHING, related_name="transitions"
    )
    from_status = models.CharField(
        max_length=12, choices=PracticeEntry.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=12, choices=PracticeEntry.Status.choices)

    class Meta(StatusStep.Meta):
        verbose_name = _("sign-off step")
        verbose_name_plural = _("sign-off history")

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.from_status} → {self.to_status}"
