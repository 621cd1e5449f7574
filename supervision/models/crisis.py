"""Crisis-response teams (危机干预小组, 战时心理小分队): standing teams with
members, a lead and drills; deployments assembled for an incident; and the
call-out to each member, answered from a single-use link.

Readiness is computed, never stored (``supervision.selectors.crisis``): a
member is green when every certificate the team needs is valid and they
attended one of the team's drills within its interval, amber when one of
these lapses within 30 days, red otherwise.

A deployment moves ``assembling → called → closed`` (or ``cancelled``);
each member's call-out moves ``called → accepted | declined | expired`` and
a coordinator may ``withdraw`` one.  The call-out link carries a random
token; only its SHA-256 is stored, it expires, and answering clears it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.core.models import StatusStep


class IncidentType(models.TextChoices):
    """What a deployment responds to (the seeds' cases)."""

    HARROWING_SCENE = (
        "harrowing_scene",
        _("After witnessing a harrowing scene (目睹惨烈场面后)"),
    )
    WEAPON_USE = "weapon_use", _("After the use of weapons (武器使用后)")
    LOCKDOWN = "lockdown", _("Epidemic lockdown (疫情静默)")
    DISASTER = "disaster", _("Natural disaster or accident (灾害事故)")
    INJURY_DEATH = "injury_death", _("Injury or death of a colleague (伤亡事件)")
    OTHER = "other", _("Other")


class CrisisTeam(models.Model):
    """A standing crisis-response team of a unit."""

    class Kind(models.TextChoices):
        INTERVENTION = "intervention", _("Crisis-intervention group (危机干预小组)")
        SQUAD = "squad", _("Wartime psychological squad (战时心理小分队)")
        AID = "aid", _("Psychological-aid team (心理援助队)")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.INTERVENTION
    )
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="crisis_teams",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crisis_teams_led",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        through="CrisisTeamMember",
        related_name="crisis_teams",
        blank=True,
    )
    required_tracks = models.ManyToManyField(
        "supervision.Track",
        verbose_name=_("certificates members need"),
        blank=True,
        related_name="+",
    )
    drill_interval_months = models.PositiveSmallIntegerField(
        _("drill at least every (months)"), default=12
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("crisis-response team")
        verbose_name_plural = _("crisis-response teams")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="team_drill_interval_sane",
                condition=Q(
                    drill_interval_months__gte=1, drill_interval_months__lte=60
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CrisisTeamMember(models.Model):
    team = models.ForeignKey(
        CrisisTeam, on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="crisis_team_memberships",
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="team_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} · {self.person_id}"


class TeamDrill(models.Model):
    """An offline session that is a drill of the team (attendance is the
    session's own)."""

    team = models.ForeignKey(
        CrisisTeam,
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="drills",
    )
    session = models.ForeignKey(
        "courses.OfflineSession",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="crisis_drills",
    )

    class Meta:
        verbose_name = _("team drill")
        verbose_name_plural = _("team drills")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "session"], name="drill_once_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} · {self.session_id}"


class Deployment(models.Model):
    """People assembled and called out for an incident."""

    class Status(models.TextChoices):
        ASSEMBLING = "assembling", _("Being assembled")
        CALLED = "called", _("Called out")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.ASSEMBLING: {Status.CALLED, Status.CANCELLED},
        Status.CALLED: {Status.CLOSED, Status.CANCELLED},
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }
    TRANSITION_REFUSED = _("A deployment that is %(from)s cannot become %(to)s.")
    #: Deployments whose members count as busy on their dates.
    LIVE = frozenset({Status.ASSEMBLING, Status.CALLED})

    title = models.CharField(_("title"), max_length=200)
    incident_type = models.CharField(
        _("incident"), max_length=20, choices=IncidentType.choices
    )
    description = models.TextField(_("what happened"), blank=True, max_length=4000)
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit concerned"),
        on_delete=models.PROTECT,
        related_name="crisis_deployments",
    )
    team = models.ForeignKey(
        CrisisTeam,
        verbose_name=_("standing team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deployments",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    size = models.PositiveSmallIntegerField(_("people needed"))
    required_tracks = models.ManyToManyField(
        "supervision.Track",
        verbose_name=_("certificates needed"),
        blank=True,
        related_name="+",
    )
    required_tier = models.ForeignKey(
        "supervision.Tier",
        verbose_name=_("tier needed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("People in this tier or a more senior one of its scheme."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ASSEMBLING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("crisis deployment")
        verbose_name_plural = _("crisis deployments")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="deployment_ends_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
            ),
            models.CheckConstraint(
                name="deployment_size_sane", condition=Q(size__gte=1, size__lte=200)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def history_row(self, *, before: str, after: str, actor, comment: str):
        return DeploymentTransition(
            deployment=self,
            from_status=before,
            to_status=after,
            actor=actor,
            comment=comment,
        )


class DeploymentTransition(StatusStep):
    """One step of a deployment, with who, when and why.  Append-only."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(
        max_length=12, choices=Deployment.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=12, choices=Deployment.Status.choices)

    class Meta(StatusStep.Meta):
        verbose_name = _("deployment step")
        verbose_name_plural = _("deployment history")


class CallOut(models.Model):
    """One person called out for a deployment, and their answer."""

    class Status(models.TextChoices):
        CALLED = "called", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("No answer in time")
        WITHDRAWN = "withdrawn", _("Stood down by the coordinator")

    #: Call-outs that hold a place on the team.
    HOLDING = frozenset({Status.CALLED, Status.ACCEPTED})

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="callouts"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="crisis_callouts",
    )
    rank = models.PositiveSmallIntegerField(_("place in the proposal"), default=0)
    reasons = models.JSONField(_("why proposed"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CALLED
    )
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(_("called at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_note = models.CharField(_("note"), max_length=300, blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("fills the place of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
    )

    class Meta:
        verbose_name = _("call-out")
        verbose_name_plural = _("call-outs")
        ordering = ["deployment", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "person"], name="callout_once_per_deployment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deployment_id} · {self.person_id}: {self.status}"
