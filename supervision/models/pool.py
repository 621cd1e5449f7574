"""The talent pool (人才库): a deployment's scheme of ordered tiers, each
with entry rules, the people in each tier, and the history of every move.

A tier's entry rules are a track version (``Track.Purpose.TIER``) evaluated
by the certification engine, so "certificates held and valid, hours,
ratings, masteries" are the same requirement rows certification uses, with
the same have / need / next-step display.  A tier without rules is entered
by a coordinator's decision alone (external experts, 外聘心理专家).

A person is in at most one tier of a scheme (``PoolMember``).  Moving them
(joining, promotion, moving down, leaving) is a coordinator's decision with
a reason, kept as a ``TierChange`` and audited.  When a certificate a tier
needs expires or is revoked the member is *flagged for review*
(``review_reason``), never silently moved; the coordinator decides.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.core.models import AppendOnlyModel


class PoolScheme(models.Model):
    """A deployment's pool scheme, defined at a unit for it and every unit
    below, e.g. Ningbo's 外聘心理专家 / 心理人才库 / 兼职心理辅导员."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="pool_schemes",
        help_text=_("The scheme applies to people at or below this unit."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("talent-pool scheme")
        verbose_name_plural = _("talent-pool schemes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    """One tier of a scheme.  ``rank`` orders them: 1 is the entry tier,
    higher is more senior; two tiers may share a rank (心理教官 and 资深咨询师
    both sit in 心理人才库, named by ``group``)."""

    scheme = models.ForeignKey(
        PoolScheme,
        verbose_name=_("scheme"),
        on_delete=models.CASCADE,
        related_name="tiers",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    group = models.CharField(
        _("group"),
        max_length=120,
        blank=True,
        help_text=_("Tiers of one rank may share a group name, e.g. 心理人才库."),
    )
    rank = models.PositiveSmallIntegerField(
        _("rank"), help_text=_("1 is the entry tier; higher is more senior.")
    )
    rules = models.ForeignKey(
        "supervision.TrackVersion",
        verbose_name=_("entry rules"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tiers",
        help_text=_(
            "A published version of a tier-rules track; empty: entry is the "
            "coordinator's decision alone."
        ),
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["scheme", "rank", "name"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="tier_code_once"),
            models.CheckConstraint(name="tier_rank_positive", condition=Q(rank__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.name}" if self.group else self.name


class PoolMember(models.Model):
    """A person's place in a scheme: their tier since when, and whether a
    lapsed certificate has flagged them for review."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="pool_memberships",
    )
    scheme = models.ForeignKey(
        PoolScheme,
        verbose_name=_("scheme"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    tier = models.ForeignKey(
        Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="members"
    )
    since = models.DateTimeField(_("in this tier since"), default=timezone.now)
    review_reason = models.CharField(
        _("flagged for review because"), max_length=300, blank=True
    )
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("talent-pool member")
        verbose_name_plural = _("talent-pool members")
        ordering = ["scheme", "-tier__rank", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scheme"], name="pool_member_once_per_scheme"
            ),
        ]
        indexes = [models.Index(fields=["scheme", "tier"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.tier}"

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reason)


class TierChange(AppendOnlyModel):
    """One move in the pool, with who decided, when and why.  Append-only.
    ``from_tier`` empty: joined; ``to_tier`` empty: left the pool; both the
    same: a review kept the person where they were."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="tier_changes",
    )
    scheme = models.ForeignKey(
        PoolScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="+"
    )
    from_tier = models.ForeignKey(
        Tier,
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_tier = models.ForeignKey(
        Tier,
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), max_length=2000)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier history")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        before = self.from_tier or "—"
        after = self.to_tier or _("left the pool")
        return f"{self.person}: {before} → {after}"
