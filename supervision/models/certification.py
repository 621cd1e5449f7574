"""Certification (认证): tracks of requirements, kept in versions; rubrics
and competency ratings; external qualifications; enrolments and the
certificates they lead to.

Requirements are rows, not code: each has a ``kind`` and the parameters
that kind reads (the other parameters stay empty).  A trainee is held to
the version of a track in force when they enrolled; editing a published
track makes a new version (``supervision.services.certification``).
Evaluation reads the records (ledger, practice log, supervision,
masteries, ratings, qualifications) and writes nothing
(``supervision.selectors.certification``).
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.core.models import StatusStep

from .cases import private_storage
from .supervision import SupervisionKind, SupervisionSession
from .techniques import Technique

#: Characters of a certificate serial: no 0/O or 1/I/L to misread on paper.
SERIAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SERIAL_LENGTH = 16


def new_serial() -> str:
    """An unguessable serial (about 79 bits), grouped for reading aloud."""
    raw = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, SERIAL_LENGTH, 4))


class Track(models.Model):
    """A certification track (认证方向), e.g. 团辅带领 (independent
    group-session lead).  Its requirements live on its versions."""

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

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="versions")
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


class Rubric(models.Model):
    """A competency rubric (胜任力评价表): items rated 1–5, each with a
    comment, and an overall comment."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("competency rubric")
        verbose_name_plural = _("competency rubrics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RubricItem(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("item"), max_length=200)
    guidance = models.CharField(_("what a 5 looks like"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")
        ordering = ["rubric", "position", "id"]

    def __str__(self) -> str:
        return self.text


class QualificationKind(models.Model):
    """An external qualification a requirement may ask for, e.g.
    国家心理咨询师三级, or 16 hours of ethics training within 3 years."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months) when the document names no expiry"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )

    class Meta:
        verbose_name = _("qualification kind")
        verbose_name_plural = _("qualification kinds")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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

    class Measure(models.TextChoices):
        COUNT = "count", _("a count (entries, sessions, lessons…)")
        HOURS = "hours", _("hours")

    version = models.ForeignKey(
        TrackVersion, on_delete=models.CASCADE, related_name="requirements"
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


class Rating(models.Model):
    """A supervisor's competency rating of a trainee on a rubric.  Kept as
    history: a new rating never replaces an old one; requirements read each
    rater's latest."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        related_name="ratings_given",
    )
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.DecimalField(
        _("level"),
        max_digits=3,
        decimal_places=2,
        help_text=_("The mean of the item scores."),
    )
    comment = models.TextField(_("overall comment"), max_length=4000, blank=True)
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("competency rating")
        verbose_name_plural = _("competency ratings")
        ordering = ["-rated_at", "-id"]
        indexes = [models.Index(fields=["person", "rubric", "rater", "rated_at"])]
        constraints = [
            models.CheckConstraint(
                name="rating_not_self", condition=~Q(person=F("rater"))
            ),
            models.CheckConstraint(
                name="rating_level_1_to_5", condition=Q(level__gte=1, level__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rubric}: {self.person} ({self.level})"


class RatingScore(models.Model):
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("rating score")
        verbose_name_plural = _("rating scores")
        constraints = [
            models.UniqueConstraint(
                fields=["rating", "item"], name="rating_score_once_per_item"
            ),
            models.CheckConstraint(
                name="rating_score_1_to_5", condition=Q(score__gte=1, score__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.score}"


#: Extensions a stored qualification document may carry; the service
#: decides which from the file's first bytes, never from the uploaded name.
QUALIFICATION_EXTENSIONS = ("pdf", "jpg", "png")


def qualification_upload_to(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ext = ext if ext in QUALIFICATION_EXTENSIONS else "bin"
    return f"qualifications/{instance.person_id}/{secrets.token_hex(16)}.{ext}"


class Qualification(models.Model):
    """An external qualification a trainee uploaded, waiting for or given
    a coordinator's verification.  Counts only while verified and not
    expired."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Not accepted")

    TRANSITIONS = {
        Status.PENDING: {Status.VERIFIED, Status.REJECTED},
        Status.VERIFIED: {Status.REJECTED},
        Status.REJECTED: set(),
    }
    TRANSITION_REFUSED = _("A qualification that is %(from)s cannot become %(to)s.")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="qualifications",
    )
    kind = models.ForeignKey(
        QualificationKind,
        verbose_name=_("qualification"),
        on_delete=models.PROTECT,
        related_name="held",
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    document = models.FileField(
        _("document"),
        upload_to=qualification_upload_to,
        storage=private_storage,
        max_length=200,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="qualification_expires_after_issue",
                condition=Q(expires_on__isnull=True)
                | Q(expires_on__gte=F("issued_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.person}"

    def history_row(self, *, before: str, after: str, actor, comment: str):
        return QualificationTransition(
            qualification=self,
            from_status=before,
            to_status=after,
            actor=actor,
            comment=comment,
        )


class QualificationTransition(StatusStep):
    """One step of a qualification's verification (append-only)."""

    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(
        max_length=10, choices=Qualification.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=10, choices=Qualification.Status.choices)

    class Meta(StatusStep.Meta):
        verbose_name = _("verification step")
        verbose_name_plural = _("verification history")


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


class Certificate(models.Model):
    """A certificate issued on an approved enrolment.

    The serial is random, so the public check cannot be used to list
    certificates.  Expired is read from ``expires_on``; revoked is a
    status with a reason.  The PDF is made by a Celery task into the
    private storage (``pdf`` empty until then).
    """

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")

    TRANSITIONS = {Status.ISSUED: {Status.REVOKED}, Status.REVOKED: set()}
    TRANSITION_REFUSED = _("A certificate that is %(from)s cannot become %(to)s.")

    serial = models.CharField(
        _("serial"), max_length=24, unique=True, default=new_serial, editable=False
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        TrackVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The holder's unit when it was issued."),
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    renews = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    pdf = models.FileField(
        _("PDF"),
        upload_to="certificates/",
        storage=private_storage,
        max_length=200,
        blank=True,
    )
    reminded_60_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_14_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["status", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                name="certificate_expires_after_issue",
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("issued_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    def standing(self, today=None) -> str:
        """``valid``, ``expired`` or ``revoked`` (what the public check says)."""
        if self.status == self.Status.REVOKED:
            return "revoked"
        today = today or timezone.localdate()
        if self.expires_on is not None and self.expires_on < today:
            return "expired"
        return "valid"

    def history_row(self, *, before: str, after: str, actor, comment: str):
        return CertificateTransition(
            certificate=self,
            from_status=before,
            to_status=after,
            actor=actor,
            comment=comment,
        )


class CertificateTransition(StatusStep):
    """Issue and revocation of a certificate, with who and why (append-only)."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(
        max_length=10, choices=Certificate.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=10, choices=Certificate.Status.choices)
    # Empty when the system did it (a renewal, a task).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta(StatusStep.Meta):
        verbose_name = _("certificate step")
        verbose_name_plural = _("certificate history")
