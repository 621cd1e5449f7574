"""Supervision (督导): recording the sessions supervisors hold.  The
assignment services live in ``supervisions_assignments`` and are
re-exported here."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.models import HoursCategory, OrgUnit, Role, User
from lms.core.services.ledger import hours_credit
from lms.core.services.notices import notice_send

from ..models import GrowthNote, PracticeEntry, SupervisionKind, SupervisionSession
from ..selectors.supervisions import COVERABLE, participants_choosable_by
from .supervisions_assignments import supervisor_assign, supervisor_assignment_end
from .techniques import mastery_refresh

__all__ = [
    "supervision_session_record",
    "supervisor_assign",
    "supervisor_assignment_end",
]

MAX_MINUTES = 600
MAX_TOPIC = 200
MAX_TEXT = 5000
#: How far back a supervision may be recorded.
MAX_AGE = datetime.timedelta(days=366)
#: Clock skew between the supervisor's phone and the server.
SKEW = datetime.timedelta(minutes=5)


def _check_facts(*, kind, format, held_at, minutes, topic, summary) -> None:
    if kind not in SupervisionKind.values:
        raise ValidationError(_("Choose practice or personal-growth supervision."))
    if format not in SupervisionSession.Format.values:
        raise ValidationError(_("Choose an individual or a group supervision."))
    now = timezone.now()
    if held_at is None or held_at > now + SKEW:
        raise ValidationError(_("A supervision cannot be recorded before it is held."))
    if held_at < now - MAX_AGE:
        raise ValidationError(
            _("A supervision held more than a year ago cannot be recorded.")
        )
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        raise ValidationError(
            _("Minutes must be a whole number from 1 to %(max)s.")
            % {"max": MAX_MINUTES}
        )
    if len(topic) > MAX_TOPIC or len(summary) > MAX_TEXT:
        raise ValidationError(_("The topic or the summary is too long."))
    if summary and kind != SupervisionKind.PRACTICE:
        raise ValidationError(
            _("A personal-growth supervision has private notes, not a shared summary.")
        )


def _check_participants(*, actor, kind, format, participants) -> None:
    ids = {person.pk for person in participants}
    if not ids:
        raise ValidationError(_("Choose at least one participant."))
    if format == SupervisionSession.Format.INDIVIDUAL and len(ids) != 1:
        raise ValidationError(
            _("An individual supervision has exactly one participant.")
        )
    if format == SupervisionSession.Format.GROUP and len(ids) < 2:
        raise ValidationError(_("A group supervision needs at least two participants."))
    allowed = participants_choosable_by(user=actor, kind=kind).filter(pk__in=ids)
    if allowed.count() != len(ids):
        raise ValidationError(
            _(
                "Choose participants among the trainees you supervise for this "
                "kind of supervision."
            )
        )


def _check_entries(*, kind, participants, entries) -> None:
    if not entries:
        return
    if kind != SupervisionKind.PRACTICE:
        raise ValidationError(_("Only a practice supervision covers practice entries."))
    ids = {person.pk for person in participants}
    for entry in entries:
        if entry.person_id not in ids:
            raise ValidationError(
                _("A supervision covers only its participants' practice entries.")
            )
        if entry.status not in COVERABLE:
            raise ValidationError(
                _(
                    "A supervision covers only entries that are submitted, "
                    "resubmitted or approved."
                )
            )


def _check_notes(*, kind, participants, growth_notes) -> dict[int, str]:
    notes = {int(k): str(v).strip() for k, v in (growth_notes or {}).items()}
    notes = {k: v for k, v in notes.items() if v}
    if notes and kind != SupervisionKind.GROWTH:
        raise ValidationError(
            _("Private notes belong to a personal-growth supervision only.")
        )
    if not set(notes) <= {person.pk for person in participants}:
        raise ValidationError(
            _("A private note must be about one of the participants.")
        )
    if any(len(body) > MAX_TEXT for body in notes.values()):
        raise ValidationError(_("A private note may be at most 5000 characters."))
    return notes


def _common_unit(people, fallback: OrgUnit | None) -> OrgUnit | None:
    """The nearest unit holding every participant's home unit, so the
    coordinators over all of them see the session."""
    lines = [set(p.home_unit.ancestor_paths()) for p in people if p.home_unit_id]
    if not lines:
        return fallback
    common = max(set.intersection(*lines), key=len, default=None)
    return OrgUnit.objects.filter(path=common).first() or fallback


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def supervision_session_record(
    *,
    actor: User,
    kind: str,
    format: str,
    held_at: datetime.datetime,
    minutes: int,
    topic: str,
    participants,
    entries,
    summary: str,
    growth_notes: dict[int, str],
    request=None,
) -> SupervisionSession:
    """Record a supervision ``actor`` held.

    Supervisors only, with trainees they supervise for ``kind`` (practice:
    whose practice they sign off; growth: their open personal-growth
    supervisees).  A practice supervision may cover the participants'
    submitted, resubmitted or approved entries and carry a shared summary;
    a personal-growth one carries a private note per participant.  Each
    participant is credited supervision hours once (the session is the
    source), and each technique entry covered refreshes the three-client
    count.  Participants get a notice.  All or nothing.
    """
    if not (actor.is_authenticated and actor.has_role(Role.SUPERVISOR)):
        raise PermissionDenied(_("Only a supervisor may record a supervision."))
    participants, entries = list(participants), list(entries)
    topic, summary = (topic or "").strip(), (summary or "").strip()
    _check_facts(
        kind=kind,
        format=format,
        held_at=held_at,
        minutes=minutes,
        topic=topic,
        summary=summary,
    )
    _check_participants(
        actor=actor, kind=kind, format=format, participants=participants
    )
    _check_entries(kind=kind, participants=participants, entries=entries)
    notes = _check_notes(
        kind=kind, participants=participants, growth_notes=growth_notes
    )
    with transaction.atomic():
        session = SupervisionSession.objects.create(
            kind=kind,
            format=format,
            supervisor=actor,
            unit=_common_unit(participants, actor.home_unit),
            held_at=held_at,
            minutes=minutes,
            topic=topic,
            summary=summary,
        )
        session.participants.set(participants)
        session.entries.set(entries)
        GrowthNote.objects.bulk_create(
            GrowthNote(session=session, trainee_id=pk, body=body)
            for pk, body in notes.items()
        )
        _credit_and_refresh(session=session, participants=participants, actor=actor)
        _refresh_masteries(entries)
        _notify_participants(session, participants)
    return session


def _credit_and_refresh(*, session, participants, actor) -> None:
    earned_on = timezone.localdate(session.held_at)
    for person in participants:
        hours_credit(
            person=person,
            category=HoursCategory.SUPERVISION,
            hours=_hours(session.minutes),
            source=session,
            earned_on=earned_on,
            actor=actor,
            label=str(session),
        )


def _refresh_masteries(entries) -> None:
    pairs = {
        (entry.person, entry.technique)
        for entry in entries
        if entry.kind == PracticeEntry.Kind.TECHNIQUE and entry.technique_id
    }
    for person, technique in pairs:
        mastery_refresh(person=person, technique=technique)


def _notify_participants(session, participants) -> None:
    url = reverse("supervision:session_detail", args=[session.pk])
    text = _("%(supervisor)s recorded a supervision with you on %(date)s.") % {
        "supervisor": str(session.supervisor),
        "date": timezone.localtime(session.held_at).strftime("%Y-%m-%d"),
    }
    for person in participants:
        notice_send(person=person, text=text, url=url)
