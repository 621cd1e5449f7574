"""Competency rubrics (胜任力评价表) and supervisors' ratings of trainees
on them, kept as history."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("item"), max_length=200)
    guidance = models.CharField(_("what a 5 looks like"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")
        ordering = ["rubric", "position", "id"]

    def __str__(self) -> str:
        return self.text


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
