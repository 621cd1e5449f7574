"""Writes of the talent pool (人才库): a coordinator places a person in a
tier (joining, promotion, a move down), takes them out, or keeps them
after a review; lapsed certificates flag members for review; and the
admin's schemes and tiers.

Every decision is a coordinator's, with a reason: it writes a
``TierChange`` (the append-only history), an audit row
(``AuditAction.TIER``) and a notice to the person.  A member whose tier
needs a certificate that expired or was revoked is *flagged*, never moved:
``pool_flag_lapsed`` runs daily (Celery beat) and
``pool_flag_holder`` at once when a certificate is revoked.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.models import AuditAction, OrgUnit, Role, User
from lms.core.permissions import can_manage_unit
from lms.core.services.audit import audit_record
from lms.core.services.notices import notice_send

from ..models import (
    PoolMember,
    PoolScheme,
    Requirement,
    Tier,
    TierChange,
    Track,
    TrackVersion,
)
from ..permissions import can_decide_tier, can_manage_scheme
from ..selectors.certification import evaluate, evaluate_many
from .certification import clean_text

REASON_MAX = TierChange._meta.get_field("reason").max_length
FLAG_MAX = PoolMember._meta.get_field("review_reason").max_length


def _mine_url() -> str:
    return reverse("supervision:pool_mine")


def _dossier_url(person: User) -> str:
    return reverse("supervision:pool_dossier", args=[person.pk])


def _reason(reason) -> str:
    return clean_text(
        reason,
        max_length=REASON_MAX,
        required_message=_("Give the reason for the decision; the person reads it."),
    )


def _refuse_unless_decides(actor: User, person: User) -> None:
    if actor.is_authenticated and actor.pk == person.pk:
        raise PermissionDenied(_("Nobody decides their own place in the pool."))
    if not can_decide_tier(actor, person):
        raise PermissionDenied(
            _("Only a coordinator over the person's unit decides their tier.")
        )


def _record(
    *,
    actor: User | None,
    person: User,
    scheme: PoolScheme,
    before: Tier | None,
    after: Tier | None,
    reason: str,
    detail: str,
    request: HttpRequest | None,
) -> TierChange:
    change = TierChange.objects.create(
        person=person,
        scheme=scheme,
        from_tier=before,
        to_tier=after,
        actor=actor,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=AuditAction.TIER,
        obj=change,
        request=request,
        detail=f"{detail}: {person} {before or '-'} -> {after or '-'}",
    )
    return change


def _unmet(person: User, tier: Tier) -> list[str]:
    results = evaluate(person, tier.rules)
    return [
        result.missing or str(result.requirement)
        for result in results
        if not result.met
    ]


def tier_place(
    *,
    actor: User,
    person: User,
    tier: Tier,
    reason: str,
    request: HttpRequest | None = None,
) -> PoolMember:
    """Put ``person`` in ``tier``: they join the pool, are promoted, move
    to another tier of the same rank, or move down.

    A coordinator over the person's unit only, never the person; a reason
    is required (the person reads it).  The tier's scheme must apply to
    the person (defined at or above their home unit).  Entering a tier not
    below the current one (joining, promotion, a move across) needs every
    requirement of its rules met (``evaluate``); a tier without rules is
    entered on the coordinator's decision alone, and moving down needs no
    rule.  Clears a review flag.  Writes a ``TierChange``, an audit row and
    a notice to the person."""
    _refuse_unless_decides(actor, person)
    reason = _reason(reason)
    home = person.home_unit
    if home is None or not tier.scheme.unit.contains(home):
        raise ValidationError(
            _("This tier's scheme does not apply to the person's unit.")
        )
    with transaction.atomic():
        User.objects.select_for_update(of=("self",)).get(pk=person.pk)
        member = (
            PoolMember.objects.select_for_update(of=("self",))
            .select_related("tier")
            .filter(person=person, scheme=tier.scheme)
            .first()
        )
        before = member.tier if member else None
        if before is not None and before.pk == tier.pk:
            raise ValidationError(
                _("%(person)s is already in the tier %(tier)s.")
                % {"person": str(person), "tier": str(tier)}
            )
        rising = before is None or tier.rank >= before.rank
        if rising and tier.rules_id is not None:
            gaps = _unmet(person, tier)
            if gaps:
                raise ValidationError(
                    [
                        _("The rules of %(tier)s are not met yet.")
                        % {"tier": str(tier)},
                        *gaps,
                    ]
                )
        if member is None:
            member = PoolMember(person=person, scheme=tier.scheme)
        member.tier = tier
        member.since = timezone.now()
        member.review_reason = ""
        member.flagged_at = None
        member.save()
        if before is None:
            detail, text = (
                "joined",
                _("You joined the talent pool as %(tier)s: %(reason)s"),
            )
        elif tier.rank > before.rank:
            detail, text = "promoted", _("You were promoted to %(tier)s: %(reason)s")
        elif tier.rank < before.rank:
            detail, text = "moved down", _("You were moved to %(tier)s: %(reason)s")
        else:
            detail, text = "moved across", _("You were moved to %(tier)s: %(reason)s")
        _record(
            actor=actor,
            person=person,
            scheme=tier.scheme,
            before=before,
            after=tier,
            reason=reason,
            detail=detail,
            request=request,
        )
        notice_send(
            person=person,
            text=text % {"tier": str(tier), "reason": reason},
            url=_mine_url(),
        )
    return member


def pool_remove(
    *,
    actor: User,
    person: User,
    scheme: PoolScheme,
    reason: str,
    request: HttpRequest | None = None,
) -> TierChange:
    """Take ``person`` out of ``scheme``'s pool, with a reason.  A
    coordinator over the person only, never the person.  The history row
    keeps the tier they left; audited; the person is told."""
    _refuse_unless_decides(actor, person)
    reason = _reason(reason)
    with transaction.atomic():
        User.objects.select_for_update(of=("self",)).get(pk=person.pk)
        member = (
            PoolMember.objects.select_for_update(of=("self",))
            .select_related("tier")
            .filter(person=person, scheme=scheme)
            .first()
        )
        if member is None:
            raise ValidationError(
                _("%(person)s is not in this pool.") % {"person": str(person)}
            )
        before = member.tier
        member.delete()
        change = _record(
            actor=actor,
            person=person,
            scheme=scheme,
            before=before,
            after=None,
            reason=reason,
            detail="left the pool",
            request=request,
        )
        notice_send(
            person=person,
            text=_("You were taken out of %(scheme)s: %(reason)s")
            % {"scheme": str(scheme), "reason": reason},
            url=_mine_url(),
        )
    return change


def review_keep(
    *,
    actor: User,
    member: PoolMember,
    reason: str,
    request: HttpRequest | None = None,
) -> PoolMember:
    """A coordinator over a flagged member keeps them in their tier: the
    flag is cleared and the history records the review (from and to the
    same tier).  Refused for a member not flagged.  Audited; the person is
    told."""
    _refuse_unless_decides(actor, member.person)
    reason = _reason(reason)
    with transaction.atomic():
        row = (
            PoolMember.objects.select_for_update(of=("self",))
            .select_related("person", "tier", "scheme")
            .get(pk=member.pk)
        )
        if not row.needs_review:
            raise ValidationError(_("This member is not flagged for review."))
        row.review_reason = ""
        row.flagged_at = None
        row.save(update_fields=["review_reason", "flagged_at"])
        _record(
            actor=actor,
            person=row.person,
            scheme=row.scheme,
            before=row.tier,
            after=row.tier,
            reason=reason,
            detail="kept after review",
            request=request,
        )
        notice_send(
            person=row.person,
            text=_("After a review you stay in %(tier)s: %(reason)s")
            % {"tier": str(row.tier), "reason": reason},
            url=_mine_url(),
        )
    return row


# --- flags for review ---------------------------------------------------------------


def _coordinators_over(person: User):
    home = person.home_unit
    if home is None:
        return User.objects.none()
    return (
        User.objects.filter(
            home.ancestors_q("home_unit__"),
            is_active=True,
            groups__name=Role.COORDINATOR,
        )
        .exclude(pk=person.pk)
        .distinct()
    )


def _flag_sentence(results) -> str:
    """Why a member is flagged: the certificates their tier needs that are
    no longer valid."""
    tracks = [
        str(result.requirement.certificate_track or result.requirement.title)
        for result in results
    ]
    text = _(
        "A certificate this tier needs is no longer valid (expired or revoked): "
        "%(tracks)s."
    ) % {"tracks": "、".join(tracks)}
    return text[:FLAG_MAX]


def _flag_members(members: list[PoolMember], today: datetime.date) -> int:
    """Flag those of ``members`` (all of one tier, none flagged) who no
    longer meet a certificate requirement of the tier's rules; one
    evaluation for all of them."""
    if not members:
        return 0
    tier = members[0].tier
    results = evaluate_many([m.person for m in members], tier.rules, today=today)
    flagged = 0
    for member in members:
        lapsed = [
            result
            for result in results.get(member.person_id, [])
            if result.requirement.kind == Requirement.Kind.CERTIFICATE
            and not result.met
        ]
        if not lapsed:
            continue
        claimed = PoolMember.objects.filter(pk=member.pk, review_reason="").update(
            review_reason=_flag_sentence(lapsed), flagged_at=timezone.now()
        )
        if not claimed:
            continue  # flagged meanwhile by another run
        flagged += 1
        audit_record(
            actor=None,
            action=AuditAction.TIER,
            obj=member,
            detail=f"flagged for review: {member.person} in {tier}",
        )
        text = _("%(person)s (%(tier)s) is flagged for review: %(reason)s") % {
            "person": str(member.person),
            "tier": str(tier),
            "reason": _flag_sentence(lapsed),
        }
        for coordinator in _coordinators_over(member.person):
            notice_send(person=coordinator, text=text, url=_dossier_url(member.person))
    return flagged


def _members_to_check(rows) -> dict[int, list[PoolMember]]:
    """Unflagged members whose tier's rules hold a certificate requirement,
    by tier."""
    needs_certificate = Requirement.objects.filter(kind=Requirement.Kind.CERTIFICATE)
    members = (
        rows.filter(
            review_reason="",
            tier__rules__in=needs_certificate.values("version_id"),
        )
        .select_related("person__home_unit", "tier__rules", "scheme")
        .order_by("tier_id", "pk")
    )
    by_tier: dict[int, list[PoolMember]] = {}
    for member in members:
        by_tier.setdefault(member.tier_id, []).append(member)
    return by_tier


def pool_flag_lapsed(*, today: datetime.date | None = None) -> int:
    """Flag for review every member whose tier's rules include a
    certificate requirement they no longer meet (``in_force_q`` on
    ``today``): ``review_reason`` and ``flagged_at`` are set, the
    coordinators over them are told.  Never moves anyone.  Idempotent: a
    flagged member is left alone (a conditional UPDATE claims the flag, so
    two concurrent runs tell the coordinators once).  Returns how many
    were flagged.  Run daily by Celery beat."""
    today = today or timezone.localdate()
    flagged = 0
    for members in _members_to_check(PoolMember.objects.all()).values():
        with transaction.atomic():
            flagged += _flag_members(members, today)
    return flagged


def pool_flag_holder(*, person: User, today: datetime.date | None = None) -> int:
    """``pool_flag_lapsed`` for one person's places in the pool: called
    when one of their certificates is revoked, so the flag does not wait
    for the night.  Runs in the caller's transaction."""
    today = today or timezone.localdate()
    by_tier = _members_to_check(PoolMember.objects.filter(person=person))
    return sum(_flag_members(members, today) for members in by_tier.values())


# --- the admin: schemes and tiers ------------------------------------------------------


def _refuse_unless_manages_unit(actor: User, unit: OrgUnit) -> None:
    if not can_manage_unit(actor, unit):
        raise PermissionDenied(_("You may only define schemes of your own units."))


def scheme_create(
    *,
    actor: User,
    code: str,
    name: str,
    unit: OrgUnit,
    description: str = "",
    request: HttpRequest | None = None,
) -> PoolScheme:
    """A new pool scheme at ``unit`` (the coordinator's unit or below).
    Audited."""
    _refuse_unless_manages_unit(actor, unit)
    code = clean_text(
        code, max_length=40, required_message=_("Give the scheme a code.")
    )
    if PoolScheme.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Another scheme already has this code.")})
    with transaction.atomic():
        scheme = PoolScheme.objects.create(
            code=code,
            name=clean_text(
                name, max_length=120, required_message=_("Give the scheme a name.")
            ),
            unit=unit,
            description=clean_text(description, max_length=4000),
        )
        audit_record(
            actor=actor,
            action=AuditAction.TIER,
            obj=scheme,
            request=request,
            detail="scheme created",
        )
    return scheme


def scheme_update(
    *,
    actor: User,
    scheme: PoolScheme,
    name: str,
    description: str = "",
    request: HttpRequest | None = None,
) -> PoolScheme:
    """Rename a scheme or change its description (its code and unit stay:
    members and history name them).  Audited."""
    if not can_manage_scheme(actor, scheme):
        raise PermissionDenied(_("You may only change schemes of your own units."))
    with transaction.atomic():
        row = PoolScheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
        row.name = clean_text(
            name, max_length=120, required_message=_("Give the scheme a name.")
        )
        row.description = clean_text(description, max_length=4000)
        row.save(update_fields=["name", "description"])
        audit_record(
            actor=actor,
            action=AuditAction.TIER,
            obj=row,
            request=request,
            detail="scheme changed",
        )
    return row


def _check_rules(actor: User, rules: TrackVersion | None) -> None:
    """A tier's rules are a published version of a tier-rules track the
    coordinator manages."""
    if rules is None:
        return
    from ..permissions import can_manage_track

    if rules.track.purpose != Track.Purpose.TIER:
        raise ValidationError(
            {"rules": _("Entry rules come from a track whose purpose is tier rules.")}
        )
    if not rules.is_published:
        raise ValidationError({"rules": _("Choose a published version of the rules.")})
    if not can_manage_track(actor, rules.track):
        raise ValidationError(
            {"rules": _("Choose rules of a track of your own units.")}
        )


def _tier_fields(*, name, group, rank, description) -> dict:
    if rank is None or not 1 <= int(rank) <= 20:
        raise ValidationError({"rank": _("The rank is a whole number from 1 to 20.")})
    return {
        "name": clean_text(
            name, max_length=120, required_message=_("Give the tier a name.")
        ),
        "group": clean_text(group, max_length=120),
        "rank": int(rank),
        "description": clean_text(description, max_length=2000),
    }


def tier_create(
    *,
    actor: User,
    scheme: PoolScheme,
    code: str,
    name: str,
    rank: int,
    group: str = "",
    rules: TrackVersion | None = None,
    description: str = "",
    request: HttpRequest | None = None,
) -> Tier:
    """A new tier of ``scheme`` (a coordinator over its unit); its rules a
    published tier-rules version they manage, or none.  Audited."""
    if not can_manage_scheme(actor, scheme):
        raise PermissionDenied(_("You may only change schemes of your own units."))
    code = clean_text(code, max_length=40, required_message=_("Give the tier a code."))
    fields = _tier_fields(name=name, group=group, rank=rank, description=description)
    _check_rules(actor, rules)
    if Tier.objects.filter(scheme=scheme, code=code).exists():
        raise ValidationError({"code": _("Another tier of this scheme has this code.")})
    with transaction.atomic():
        tier = Tier.objects.create(scheme=scheme, code=code, rules=rules, **fields)
        audit_record(
            actor=actor,
            action=AuditAction.TIER,
            obj=tier,
            request=request,
            detail=f"tier created in {scheme.code}",
        )
    return tier


def tier_update(
    *,
    actor: User,
    tier: Tier,
    name: str,
    rank: int,
    group: str = "",
    rules: TrackVersion | None = None,
    description: str = "",
    request: HttpRequest | None = None,
) -> Tier:
    """Change a tier's name, group, rank, rules or description (members
    stay where they are; new rules apply to the next decision and to the
    night's review flags).  Audited."""
    if not can_manage_scheme(actor, tier.scheme):
        raise PermissionDenied(_("You may only change schemes of your own units."))
    fields = _tier_fields(name=name, group=group, rank=rank, description=description)
    _check_rules(actor, rules)
    with transaction.atomic():
        row = Tier.objects.select_for_update(of=("self",)).get(pk=tier.pk)
        for name_, value in fields.items():
            setattr(row, name_, value)
        row.rules = rules
        row.save(update_fields=[*fields, "rules"])
        audit_record(
            actor=actor,
            action=AuditAction.TIER,
            obj=row,
            request=request,
            detail="tier changed",
        )
    return row
