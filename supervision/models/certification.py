"""Certification (认证): tracks of requirements, kept in versions, and the
enrolments of people working towards them.  Rubrics and ratings are in
``ratings``, qualifications in ``qualifications``, certificates in
``certificates``.

Requirements are rows, not code: each has a ``kind`` and the parameters
that kind reads (the other parameters stay empty).  A trainee is held to
the version of a track in force when they enrolled; editing a published
track makes a new version (``supervision.services.certification``).
Evaluation reads the records (ledger, practice log, supervision,
masteries, ratings, qualifications) and writes nothing
(``supervision.selectors.certification``).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.core.models import StatusStep

from .qualifications import QualificationKind
from .ratings import Rubric
from .supervision import SupervisionKind, SupervisionSession
from .techniques import Technique


class Track(models.Model):
    """A certification track (认证方向), e.g. 团辅带领 (independent
    group-session lead).  Its requirements live on its versions.

    A track of purpose ``tier`` holds the entry rules of a talent-pool
    tier (``models.pool``): nobody enrols in it and it issues no
    certificate; the same engine evaluates it."""

    class Purpose(models.TextChoices):
        CERTIFICATION = "certification", _("Certification")
        TIER = "tier", _("Talent-pool tier rules")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="certification_tracks",
        help_text=_("The unit that defines the track; people at or below it enrol."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Empty: the certificate does not expire."),
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=16,
        choices=Purpose.choices,
        default=Purpose.CERTIFICATION,
    )
    is_active = models.BooleanField(_("open for enrolment"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certification track")
        verbose_name_plural = _("certification tracks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrackVersion(models.Model):
    """One version of a track's requirements.  A draft (no
    ``published_at``) may be edited; a published version never changes,
    so nobody enrolled in it fails retroactively."""

    track = models.ForeignKey(
        Track,
        verbose_name=_("track"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveSmallIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("track version")
        verbose_name_plural = _("track versions")
        ordering = ["track", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "number"], name="track_version_number_once"
            ),
            models.UniqueConstraint(
                fields=["track"],
                condition=Q(published_at__isnull=True),
                name="track_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Requirement(models.Model):
    """One requirement of a track version: a kind and its parameters."""

    class Kind(models.TextChoices):
        LESSONS = "lessons", _("Lessons or modules completed")
        HOURS = "hours", _("Ledger hours")
        PRACTICE = "practice", _("Approved practice")
        SUPERVISION = "supervision", _("Supervision")
        TECHNIQUES = "techniques", _("Techniques mastered")
        SHIFTS = "shifts", _("Duty shifts worked")
        RATINGS = "ratings", _("Competency ratings")
        QUALIFICATION = "qualification", _("External qualification")
        CERTIFICATE = "certificate", _("Certificate held and valid")

    class Measure(models.TextChoices):
        COUNT = "count", _("a count (entries, sessions, lessons…)")
        HOURS = "hours", _("hours")

    version = models.ForeignKey(
        TrackVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="requirements",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_("What the trainee reads, e.g. “Assist 8 group sessions”."),
    )
    need = models.DecimalField(
        _("how many are needed"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    measure = models.CharField(
        _("counted in"), max_length=8, choices=Measure.choices, default=Measure.COUNT
    )
    period_months = models.PositiveSmallIntegerField(
        _("within the last (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Empty: records of any date count."),
    )
    for_renewal = models.BooleanField(
        _("also required to renew"),
        default=False,
    )
    # lessons
    pages = models.ManyToManyField(
        "wagtailcore.Page",
        verbose_name=_("lessons or modules"),
        blank=True,
        related_name="+",
        help_text=_("A module counts as all of its lessons."),
    )
    # hours: ``HoursCategory`` values (empty: all)
    hours_categories = models.JSONField(_("hour categories"), default=list, blank=True)
    # practice: ``PracticeEntry.Kind`` values (empty: all)
    practice_kinds = models.JSONField(_("practice kinds"), default=list, blank=True)
    # supervision
    supervision_kind = models.CharField(
        _("supervision kind"),
        max_length=10,
        choices=SupervisionKind.choices,
        blank=True,
    )
    supervision_format = models.CharField(
        _("supervision form"),
        max_length=10,
        choices=SupervisionSession.Format.choices,
        blank=True,
    )
    # techniques (empty: any technique counts)
    techniques = models.ManyToManyField(
        Technique, verbose_name=_("techniques"), blank=True, related_name="+"
    )
    # ratings
    rubric = models.ForeignKey(
        Rubric,
        verbose_name=_("rubric"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
    )
    min_level = models.DecimalField(
        _("at or above level"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    # qualification
    qualification_kind = models.ForeignKey(
        QualificationKind,
        verbose_name=_("qualification"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
    )

    # certificate: a valid (issued, unexpired) certificate of this track
    certificate_track = models.ForeignKey(
        Track,
        verbose_name=_("certificate of track"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="required_by",
    )

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["version", "position", "id"]
        constraints = [
            models.CheckConstraint(
                name="requirement_need_not_negative", condition=Q(need__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    """A person working towards a track, held to one version of it."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Working towards it")
        APPLIED = "applied", _("Applied, waiting for a decision")
        APPROVED = "approved", _("Certified")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Status.ENROLLED: {Status.APPLIED, Status.WITHDRAWN},
        Status.APPLIED: {Status.APPROVED, Status.DECLINED, Status.ENROLLED},
        Status.DECLINED: {Status.APPLIED, Status.WITHDRAWN},
        Status.APPROVED: set(),
        Status.WITHDRAWN: {Status.ENROLLED},
    }
    TRANSITION_REFUSED = _("An enrolment that is %(from)s cannot become %(to)s.")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        TrackVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "track"], name="enrolment_once_per_track"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.version}"

    def history_row(self, *, before: str, after: str, actor, comment: str):
        return EnrolmentTransition(
            enrolment=self,
            from_status=before,
            to_status=after,
            actor=actor,
            comment=comment,
        )


class EnrolmentTransition(StatusStep):
    """One step of an enrolment (applied, approved, declined, moved to a
    new version), with who, when and why.  Append-only."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(
        max_length=10, choices=Enrolment.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=10, choices=Enrolment.Status.choices)

    class Meta(StatusStep.Meta):
        verbose_name = _("enrolment step")
        verbose_name_plural = _("enrolment history")
