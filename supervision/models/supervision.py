"""Supervision (督导): who supervises whom, and the sessions held."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SupervisionKind(models.TextChoices):
    PRACTICE = "practice", _("Practice supervision (实践督导)")
    GROWTH = "growth", _("Personal-growth supervision (个人成长督导)")


class SupervisorAssignment(models.Model):
    """A supervisor is responsible for a trainee for one kind of
    supervision, from a date until ended.

    With the unit's rule on (the default), a trainee's personal-growth
    supervisor must differ from their practice supervisor; the service
    checks it.  One open assignment per trainee, kind and supervisor.
    """

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        related_name="supervisor_assignments",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        related_name="supervisee_assignments",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SupervisionKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervisor assignment")
        verbose_name_plural = _("supervisor assignments")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "kind", "supervisor"],
                condition=Q(ends_on__isnull=True),
                name="assignment_one_open_per_pair_kind",
            ),
            models.CheckConstraint(
                name="assignment_not_self", condition=~Q(trainee=F("supervisor"))
            ),
            models.CheckConstraint(
                name="assignment_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        # The kind as a short word in the reader's language, never its code
        # value: "李文 → 何敏（个人成长）".
        short = {
            SupervisionKind.PRACTICE: _("practice"),
            SupervisionKind.GROWTH: _("personal growth"),
        }
        return _("%(supervisor)s → %(trainee)s (%(kind)s)") % {
            "supervisor": self.supervisor,
            "trainee": self.trainee,
            "kind": short.get(self.kind, self.get_kind_display()),
        }


class SupervisionSession(models.Model):
    """A supervision held by a supervisor with one trainee (individual) or
    several (group, 沙龙), covering practice entries.

    Practice supervision may carry a shared summary; personal-growth notes
    are per trainee (``GrowthNote``) and visible only to that trainee and
    this supervisor.  Participants are credited supervision hours once.
    """

    class Format(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        GROUP = "group", _("Group (沙龙)")

    kind = models.CharField(_("kind"), max_length=10, choices=SupervisionKind.choices)
    format = models.CharField(
        _("format"), max_length=12, choices=Format.choices, default=Format.INDIVIDUAL
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        related_name="supervisions_held",
    )
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_at = models.DateTimeField(_("held at"))
    minutes = models.PositiveIntegerField(_("minutes"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainees"),
        related_name="supervisions_attended",
    )
    entries = models.ManyToManyField(
        "supervision.PracticeEntry",
        verbose_name=_("practice entries covered"),
        blank=True,
        related_name="supervisions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        ordering = ["-held_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="supervision_minutes_sane",
                condition=Q(minutes__gte=1, minutes__lte=600),
            ),
        ]

    def __str__(self) -> str:
        return self.topic or f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"


class GrowthNote(models.Model):
    """The supervisor's note on one trainee in a personal-growth
    supervision.  Only that trainee and that supervisor may read it."""

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="growth_notes"
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="growth_notes"
    )
    body = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("personal-growth note")
        verbose_name_plural = _("personal-growth notes")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "trainee"], name="growth_note_one_per_trainee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.trainee_id}"
