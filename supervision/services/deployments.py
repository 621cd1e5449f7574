"""Writes on crisis deployments: describe the need, call people out, take
their answers from the single-use link, fill a place nobody holds,
withdraw someone, close or cancel, and let unanswered links expire.

Every write runs in a transaction holding the deployment's row lock
(``select_for_update(of=("self",))``), so two coordinators filling the
same place, or an answer racing a cancellation, cannot both win.  Each is
audited as ``AuditAction.CRISIS``; the people concerned get a notice.

The call-out link carries a random token (``secrets.token_urlsafe(32)``);
the call-out keeps only its SHA-256.  The token reaches the person in
their notice (and its email), works once (answering clears the hash),
expires after ``TOKEN_TTL`` or at the end of the deployment's last day,
whichever is sooner, and is never written to the audit log.
"""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lms.core.models import AuditAction, OrgUnit, User
from lms.core.services.audit import audit_record
from lms.core.services.notices import notice_send
from lms.core.status import status_change, status_check, status_record

from ..models import CallOut, Deployment, IncidentType, Tier, Track
from ..permissions import can_create_deployment, can_manage_deployment
from ..selectors.deployments import scope_of, tiers_offered, tracks_offered
from ..selectors.proposal import propose
from .certification import clean_text

TOKEN_TTL = datetime.timedelta(hours=72)
#: A token longer than this is not one of ours (no query is made for it).
TOKEN_MAX = 100
TITLE_MAX = Deployment._meta.get_field("title").max_length
DESCRIPTION_MAX = Deployment._meta.get_field("description").max_length
NOTE_MAX = CallOut._meta.get_field("answer_note").max_length
REASON_MAX = 2000
SIZE_MIN, SIZE_MAX = 1, 200
#: The longest deployment, in days.
SPAN_MAX = 366
ANSWERS = ("accept", "decline")

Status = Deployment.Status
CStatus = CallOut.Status


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def answer_path(token: str) -> str:
    """The answer page of a call-out token (relative; the email makes it
    absolute)."""
    return reverse("crisis:answer", args=[token])


def _detail_url(deployment: Deployment) -> str:
    return reverse("supervision:deployment_detail", args=[deployment.pk])


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day``, in the site's time zone."""
    return datetime.datetime.combine(
        day + datetime.timedelta(days=1),
        datetime.time.min,
        tzinfo=timezone.get_current_timezone(),
    )


def _locked(deployment: Deployment) -> Deployment:
    return (
        Deployment.objects.select_for_update(of=("self",))
        .select_related("unit", "required_tier", "created_by")
        .get(pk=deployment.pk)
    )


def _audit(actor, obj, detail: str, request=None, label: str = "") -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CRISIS,
        obj=obj,
        request=request,
        detail=detail,
        actor_label=label,
    )


# --- the need -----------------------------------------------------------------


def _check_need(
    *,
    actor: User,
    title: str,
    incident_type: str,
    description: str,
    unit: OrgUnit,
    starts_on: datetime.date,
    ends_on: datetime.date,
    size,
    tracks,
    tier: Tier | None,
) -> dict:
    """The need's fields, cleaned, or a ``ValidationError`` of sentences."""
    errors = []
    try:
        title = clean_text(
            title,
            max_length=TITLE_MAX,
            required_message=_("Give the deployment a title."),
        )
    except ValidationError as error:
        errors.extend(error.messages)
    try:
        description = clean_text(description, max_length=DESCRIPTION_MAX)
    except ValidationError as error:
        errors.extend(error.messages)
    if incident_type not in IncidentType.values:
        errors.append(_("Choose what kind of incident this is."))
    if not isinstance(size, int) or not SIZE_MIN <= size <= SIZE_MAX:
        errors.append(
            _("A deployment needs from %(min)s to %(max)s people.")
            % {"min": SIZE_MIN, "max": SIZE_MAX}
        )
    if ends_on < starts_on:
        errors.append(_("The last day comes before the first day."))
    elif (ends_on - starts_on).days >= SPAN_MAX:
        errors.append(
            _("A deployment lasts at most %(days)s days.") % {"days": SPAN_MAX}
        )
    if ends_on < timezone.localdate():
        errors.append(_("The last day has passed; nobody can be called out for it."))
    offered = {t.pk for t in tracks_offered(user=actor)}
    if any(track.pk not in offered for track in tracks):
        errors.append(_("Choose certificates of tracks that apply in your units."))
    if tier is not None and not tiers_offered(user=actor).filter(pk=tier.pk).exists():
        errors.append(_("Choose a tier of a pool scheme that applies in your units."))
    if errors:
        raise ValidationError(errors)
    return {"title": title, "description": description}


def deployment_create(
    *,
    actor: User,
    title: str,
    incident_type: str,
    unit: OrgUnit,
    starts_on: datetime.date,
    ends_on: datetime.date,
    size: int,
    description: str = "",
    tracks: list[Track] = (),
    tier: Tier | None = None,
    request: HttpRequest | None = None,
) -> Deployment:
    """Describe the need for an incident: a deployment being assembled.

    Coordinators over ``unit`` only.  Refused with sentences: no title,
    text too long, an unknown incident type, a size outside 1–200, a last
    day before the first, past, or more than a year on, certificates of
    tracks or a tier that do not apply in the coordinator's units.  Writes
    the first history row and an audit row.
    """
    if not can_create_deployment(actor, unit):
        raise PermissionDenied(
            _("Only a coordinator over the unit can assemble a deployment for it.")
        )
    tracks = list(tracks)
    cleaned = _check_need(
        actor=actor,
        title=title,
        incident_type=incident_type,
        description=description,
        unit=unit,
        starts_on=starts_on,
        ends_on=ends_on,
        size=size,
        tracks=tracks,
        tier=tier,
    )
    with transaction.atomic():
        deployment = Deployment.objects.create(
            title=cleaned["title"],
            description=cleaned["description"],
            incident_type=incident_type,
            unit=unit,
            starts_on=starts_on,
            ends_on=ends_on,
            size=size,
            required_tier=tier,
            created_by=actor,
        )
        deployment.required_tracks.set(tracks)
        status_record(deployment, actor=actor, comment=_("Need described."))
        _audit(
            actor,
            deployment,
            f"deployment described: {size} people, {starts_on}–{ends_on}",
            request,
        )
    return deployment


# --- proposal and call-out ----------------------------------------------------


def proposal_for(
    deployment: Deployment,
    *,
    actor: User,
    limit: int | None = None,
    among=None,
    today: datetime.date | None = None,
):
    """``propose`` for the deployment's need, drawn from the actor's scope,
    leaving out whoever it already called."""
    return propose(
        unit=deployment.unit,
        size=deployment.size,
        start=deployment.starts_on,
        end=deployment.ends_on,
        tracks=list(deployment.required_tracks.values_list("pk", flat=True)),
        tier=deployment.required_tier,
        scope_unit=scope_of(actor),
        exclude_deployment=deployment,
        today=today,
        limit=limit,
        among=among,
    )


def _expire_overdue(
    deployment: Deployment, now: datetime.datetime | None
) -> list[CallOut]:
    """Mark the deployment's unanswered call-outs whose link expired by
    ``now`` (all of them for ``None``); the caller holds the deployment's
    lock.  Returns them."""
    rows = deployment.callouts.select_for_update(of=("self",)).select_related("person")
    rows = rows.filter(status=CStatus.CALLED)
    if now is not None:
        rows = rows.filter(token_expires_at__lte=now)
    overdue = list(rows)
    for callout in overdue:
        callout.status = CStatus.EXPIRED
        callout.token_hash = ""
        callout.save(update_fields=["status", "token_hash"])
        _audit(
            None,
            callout,
            f"call-out of {callout.person} expired unanswered",
            label="system",
        )
    return overdue


def _held(deployment: Deployment) -> int:
    return deployment.callouts.filter(status__in=CallOut.HOLDING).count()


def _call(deployment: Deployment, candidate, *, rank: int, now, replaces=None):
    """One call-out row, its notice with the link, and nothing else."""
    token = secrets.token_urlsafe(32)
    expires = min(now + TOKEN_TTL, _end_of(deployment.ends_on))
    callout = CallOut.objects.create(
        deployment=deployment,
        person=candidate.person,
        rank=rank,
        reasons=candidate.reasons,
        token_hash=token_hash(token),
        token_expires_at=expires,
        called_at=now,
        replaces=replaces,
    )
    notice_send(
        person=candidate.person,
        text=_(
            "You are called out for the crisis deployment “%(title)s” "
            "(%(unit)s, %(start)s–%(end)s). Open the link to accept or decline; "
            "it works once, until %(expires)s."
        )
        % {
            "title": deployment.title,
            "unit": deployment.unit.name,
            "start": _date(deployment.starts_on),
            "end": _date(deployment.ends_on),
            "expires": _when(expires),
        },
        url=answer_path(token),
    )
    return callout


def deployment_call(
    *,
    actor: User,
    deployment: Deployment,
    person_ids: list[int],
    request: HttpRequest | None = None,
) -> list[CallOut]:
    """Call out the people the coordinator confirmed from the proposal.

    Coordinators over the deployment's unit, while it is being assembled
    or called out and its last day has not passed.  Every person must
    still be in the proposal (free, qualified, in the coordinator's
    scope, not called before); the places held may not exceed the size.
    Each gets a call-out with a fresh link in a notice; the deployment
    moves to ``called``.  Audited per call-out.
    """
    if not can_manage_deployment(actor, deployment):
        raise PermissionDenied(
            _("Only a coordinator over the unit can call people out for it.")
        )
    wanted = sorted({int(pk) for pk in person_ids})
    if not wanted:
        raise ValidationError(_("Tick at least one person to call out."))
    now = timezone.now()
    with transaction.atomic():
        deployment = _locked(deployment)
        if deployment.status == Status.ASSEMBLING:
            status_check(deployment, to=Status.CALLED)
        elif deployment.status != Status.CALLED:
            raise ValidationError(
                _("A deployment that is %(status)s calls nobody out.")
                % {"status": deployment.get_status_display()}
            )
        if deployment.ends_on < timezone.localdate():
            raise ValidationError(_("The deployment's last day has passed."))
        _expire_overdue(deployment, now)
        held = _held(deployment)
        free = deployment.size - held
        if len(wanted) > free:
            raise ValidationError(
                _(
                    "The deployment needs %(size)s people and %(held)s places are "
                    "held, so call out at most %(free)s more."
                )
                % {"size": deployment.size, "held": held, "free": max(free, 0)}
            )
        candidates = proposal_for(deployment, actor=actor, among=wanted)
        if len(candidates) != len(wanted):
            raise ValidationError(
                _(
                    "%(count)s of the people ticked are no longer free or qualified "
                    "for these dates. Look at the proposal again."
                )
                % {"count": len(wanted) - len(candidates)}
            )
        base = deployment.callouts.aggregate(top=Max("rank"))["top"] or 0
        callouts = [
            _call(deployment, candidate, rank=base + candidate.rank, now=now)
            for candidate in candidates
        ]
        for callout in callouts:
            _audit(actor, callout, f"called out {callout.person}", request)
        if deployment.status == Status.ASSEMBLING:
            status_change(
                deployment,
                to=Status.CALLED,
                actor=actor,
                comment=_("%(count)s people called out.") % {"count": len(callouts)},
            )
    return callouts


# --- the answer ---------------------------------------------------------------


def callout_find(token: str) -> CallOut | None:
    """The call-out whose link carries ``token`` and is still usable (not
    answered, withdrawn or cancelled), or ``None``; no query for a string
    that cannot be a token.  For the answer page's GET; ``is_expired``
    says whether its time ran out."""
    if not token or len(token) > TOKEN_MAX:
        return None
    callout = (
        CallOut.objects.select_related("deployment__unit", "person")
        .filter(token_hash=token_hash(token), status=CStatus.CALLED)
        .first()
    )
    if callout is not None:
        callout.is_expired = callout.token_expires_at <= timezone.now()
    return callout


def callout_answer(
    *,
    token: str,
    answer: str,
    user: User | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> CallOut | None:
    """Accept or decline a call-out from its link, once.

    No login is needed: the token is the key.  A wrong or used token
    changes nothing and returns ``None``.  Refused, leaving the link
    usable: an answer other than accept/decline, a note too long, a
    signed-in user who is not the person called (``PermissionDenied``),
    a deployment no longer calling out.  An expired link is marked
    expired (cleared) and refused with a sentence.  Answering clears the
    token, records when, audits (without the token), and tells the
    coordinator of a decline.
    """
    if answer not in ANSWERS:
        raise ValidationError(_("Choose to accept or to decline."))
    note = clean_text(note, max_length=NOTE_MAX)
    if not token or len(token) > TOKEN_MAX:
        return None
    now = timezone.now()
    expired_at = None
    with transaction.atomic():
        callout = (
            CallOut.objects.select_for_update(of=("self",))
            .select_related("deployment__unit", "deployment__created_by", "person")
            .filter(token_hash=token_hash(token), status=CStatus.CALLED)
            .first()
        )
        if callout is None:
            return None
        if user is not None and user.is_authenticated and user.pk != callout.person_id:
            raise PermissionDenied(
                _(
                    "This link was sent to someone else. Log out, or pass the "
                    "link back to the person it was sent to."
                )
            )
        deployment = callout.deployment
        if deployment.status != Status.CALLED:
            raise ValidationError(_("This deployment no longer calls anyone out."))
        if callout.token_expires_at <= now:
            callout.status = CStatus.EXPIRED
            callout.token_hash = ""
            callout.save(update_fields=["status", "token_hash"])
            _audit(
                None, callout, "call-out link used after it expired", request, "link"
            )
            expired_at = callout.token_expires_at
        else:
            accepted = answer == "accept"
            callout.status = CStatus.ACCEPTED if accepted else CStatus.DECLINED
            callout.answered_at = now
            callout.answer_note = note
            callout.token_hash = ""
            callout.save(
                update_fields=["status", "answered_at", "answer_note", "token_hash"]
            )
            _audit(
                user if user is not None and user.is_authenticated else None,
                callout,
                f"{callout.person} {'accepted' if accepted else 'declined'}",
                request,
                label=f"link of {callout.person.get_username()}",
            )
            if not accepted:
                notice_send(
                    person=deployment.created_by,
                    text=_(
                        "%(name)s declined the call-out for “%(title)s”. Fill the "
                        "place from the next person proposed."
                    )
                    % {"name": callout.person, "title": deployment.title},
                    url=_detail_url(deployment),
                )
    if expired_at is not None:
        raise ValidationError(
            _(
                "This link expired at %(when)s. If you can still help, tell the "
                "coordinator."
            )
            % {"when": _when(expired_at)}
        )
    return callout


# --- the coordinator's changes ------------------------------------------------


def _locked_callout(callout: CallOut) -> tuple[Deployment, CallOut]:
    deployment = _locked(callout.deployment)
    callout = (
        CallOut.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=callout.pk)
    )
    return deployment, callout


def callout_fill(
    *, actor: User, callout: CallOut, request: HttpRequest | None = None
) -> CallOut:
    """Fill the place of a declined, expired or withdrawn call-out with
    the first person of the proposal now (free, qualified, in the
    coordinator's scope, not called before for this deployment).

    Coordinators over the deployment's unit, while it is called out.
    Refused: a call-out still holding its place, one already filled, all
    places held, nobody left to propose.  The new call-out names the one
    it replaces; notice, audit.
    """
    if not can_manage_deployment(actor, callout.deployment):
        raise PermissionDenied(
            _("Only a coordinator over the unit can fill a place in it.")
        )
    now = timezone.now()
    with transaction.atomic():
        deployment, callout = _locked_callout(callout)
        if deployment.status != Status.CALLED:
            raise ValidationError(
                _("Places are filled only while the deployment is called out.")
            )
        _expire_overdue(deployment, now)
        callout.refresh_from_db(fields=["status", "token_hash"])
        if callout.status in CallOut.HOLDING:
            raise ValidationError(
                _("%(name)s still holds this place.") % {"name": callout.person}
            )
        if callout.replaced_by.exists():
            raise ValidationError(_("This place was already filled."))
        if _held(deployment) >= deployment.size:
            raise ValidationError(
                _("All %(size)s places are held.") % {"size": deployment.size}
            )
        found = proposal_for(deployment, actor=actor, limit=1)
        if not found:
            raise ValidationError(
                _(
                    "Nobody else in your units is free on these dates and holds "
                    "what this deployment needs."
                )
            )
        base = deployment.callouts.aggregate(top=Max("rank"))["top"] or 0
        new = _call(deployment, found[0], rank=base + 1, now=now, replaces=callout)
        _audit(
            actor,
            new,
            f"called out {new.person} in place of {callout.person}",
            request,
        )
    return new


def callout_withdraw(
    *,
    actor: User,
    callout: CallOut,
    reason: str = "",
    request: HttpRequest | None = None,
) -> CallOut:
    """Stand someone down: their call-out (waiting or accepted) is
    withdrawn and its link cleared; they are told.  Coordinators over the
    deployment's unit, while it is called out."""
    if not can_manage_deployment(actor, callout.deployment):
        raise PermissionDenied(
            _("Only a coordinator over the unit can stand someone down.")
        )
    reason = clean_text(reason, max_length=NOTE_MAX)
    with transaction.atomic():
        deployment, callout = _locked_callout(callout)
        if deployment.status != Status.CALLED:
            raise ValidationError(
                _("People are stood down only while the deployment is called out.")
            )
        if callout.status not in CallOut.HOLDING:
            raise ValidationError(
                _("%(name)s holds no place to stand down from.")
                % {"name": callout.person}
            )
        callout.status = CStatus.WITHDRAWN
        callout.token_hash = ""
        callout.save(update_fields=["status", "token_hash"])
        _audit(actor, callout, f"stood down {callout.person}: {reason}", request)
        _tell_stood_down(callout, deployment, reason)
    return callout


def _tell_stood_down(callout: CallOut, deployment: Deployment, reason: str) -> None:
    text = _("You are stood down from the crisis deployment “%(title)s”.") % {
        "title": deployment.title
    }
    if reason:
        text = f"{text} {reason}"
    notice_send(person=callout.person, text=text)


def deployment_close(
    *,
    actor: User,
    deployment: Deployment,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Deployment:
    """The work is done: a called-out deployment is closed; links still
    unanswered expire.  Coordinators over its unit."""
    if not can_manage_deployment(actor, deployment):
        raise PermissionDenied(
            _("Only a coordinator over the unit can close the deployment.")
        )
    comment = clean_text(comment, max_length=REASON_MAX)
    with transaction.atomic():
        deployment = _locked(deployment)
        status_check(deployment, to=Status.CLOSED)
        _expire_overdue(deployment, None)
        status_change(
            deployment,
            to=Status.CLOSED,
            actor=actor,
            comment=comment or _("Closed."),
        )
        _audit(actor, deployment, "deployment closed", request)
    return deployment


def deployment_cancel(
    *,
    actor: User,
    deployment: Deployment,
    reason: str,
    request: HttpRequest | None = None,
) -> Deployment:
    """Call the deployment off, with a reason: everyone waiting or
    accepted is stood down (links cleared) and told.  Coordinators over
    its unit, while it is being assembled or called out."""
    if not can_manage_deployment(actor, deployment):
        raise PermissionDenied(
            _("Only a coordinator over the unit can cancel the deployment.")
        )
    reason = clean_text(
        reason,
        max_length=REASON_MAX,
        required_message=_("Say why the deployment is cancelled."),
    )
    with transaction.atomic():
        deployment = _locked(deployment)
        status_check(deployment, to=Status.CANCELLED)
        holding = list(
            deployment.callouts.select_for_update(of=("self",))
            .select_related("person")
            .filter(status__in=CallOut.HOLDING)
        )
        for callout in holding:
            callout.status = CStatus.WITHDRAWN
            callout.token_hash = ""
            callout.save(update_fields=["status", "token_hash"])
            _tell_stood_down(callout, deployment, reason[:200])
        status_change(deployment, to=Status.CANCELLED, actor=actor, comment=reason)
        _audit(
            actor,
            deployment,
            f"deployment cancelled; {len(holding)} stood down",
            request,
        )
    return deployment


def callouts_expire(*, now: datetime.datetime | None = None) -> int:
    """Mark every unanswered call-out whose link has expired (so the place
    is free to fill and the person no longer counts as busy) and tell each
    deployment's coordinator once.  Idempotent; for Celery beat.  Returns
    how many expired."""
    now = now or timezone.now()
    ids = set(
        CallOut.objects.filter(
            status=CStatus.CALLED, token_expires_at__lte=now
        ).values_list("deployment_id", flat=True)
    )
    total = 0
    for deployment_id in sorted(ids):
        with transaction.atomic():
            deployment = _locked(Deployment(pk=deployment_id))
            overdue = _expire_overdue(deployment, now)
            if overdue and deployment.status == Status.CALLED:
                notice_send(
                    person=deployment.created_by,
                    text=_(
                        "%(count)s people did not answer the call-out for "
                        "“%(title)s” in time. Fill their places."
                    )
                    % {"count": len(overdue), "title": deployment.title},
                    url=_detail_url(deployment),
                )
            total += len(overdue)
    return total
