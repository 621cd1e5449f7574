"""Certification tracks and enrolments: define a track, draft and publish
its versions, enrol, apply when every requirement is met, and decide.

A published version never changes: editing a published track means a new
draft (a copy of the latest published version and its requirements),
edited in the admin and then published.  An enrolment is held to the
version in force when the person enrolled; a coordinator may move it to
the latest one (audited, with the two versions in its history).  Status
moves go through ``lms.core.status``; evaluation is
``selectors.certification``.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.models import AuditAction, OrgUnit, Role, User
from lms.core.permissions import can_manage_person, can_manage_unit
from lms.core.services.audit import audit_record
from lms.core.services.notices import notice_send
from lms.core.status import status_change, status_check, status_record

from ..models import Enrolment, Requirement, Track, TrackVersion
from ..permissions import can_decide_enrolment, can_manage_track
from ..selectors.certification import evaluate
from ..selectors.enrolments import latest_published
from .certificates import certificate_issue

Status = Enrolment.Status
#: Every enrolment step is audited under one action; the detail says which.
AUDIT_ACTION = AuditAction.CERTIFICATION
REASON_MAX = 2000
NOTE_MAX = TrackVersion._meta.get_field("note").max_length


def clean_text(value, *, max_length: int, required_message: str = "") -> str:
    """Stripped text, refused with a sentence when empty (if required),
    too long, or holding characters the database cannot keep."""
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationError(_("The text holds characters that cannot be saved."))
    if not text and required_message:
        raise ValidationError(required_message)
    if len(text) > max_length:
        raise ValidationError(
            _("The text is too long; keep it under %(max)s characters.")
            % {"max": max_length}
        )
    return text


# --- requirements: parameters that fit the kind ------------------------------

Kind = Requirement.Kind
#: The kinds whose records have a duration.
HOURLY_KINDS = frozenset({Kind.HOURS, Kind.PRACTICE, Kind.SUPERVISION})


def requirement_problem(kind: str, values: dict) -> str:
    """The sentence saying why ``values`` (a requirement's fields, the
    many-to-many ones as lists) do not fit ``kind``; "" when they do.
    Shared by the admin form and ``track_publish``."""
    measure = values.get("measure")
    if kind == Kind.LESSONS and not values.get("pages"):
        return _("A lessons requirement needs at least one lesson or module.")
    if kind == Kind.RATINGS and (
        values.get("rubric") is None or values.get("min_level") is None
    ):
        return _("A ratings requirement needs a rubric and a level.")
    if kind == Kind.QUALIFICATION and values.get("qualification_kind") is None:
        return _("A qualification requirement needs the qualification it asks for.")
    certificate_track = values.get("certificate_track")
    if kind == Kind.CERTIFICATE:
        if certificate_track is None:
            return _("A certificate requirement needs the track of the certificate.")
        if certificate_track.purpose != Track.Purpose.CERTIFICATION:
            return _(
                "Talent-pool tier rules issue no certificate: choose a "
                "certification track."
            )
        version = values.get("version")
        if version is not None and version.track_id == certificate_track.pk:
            return _("A track cannot require its own certificate.")
    elif certificate_track is not None:
        return _("Only a certificate requirement names a certificate track.")
    if kind == Kind.HOURS and measure != Requirement.Measure.HOURS:
        return _("Ledger hours are counted in hours.")
    if measure == Requirement.Measure.HOURS and kind not in HOURLY_KINDS:
        return _("Only ledger hours, practice and supervision can be counted in hours.")
    return ""


def _requirement_values(requirement: Requirement) -> dict:
    return {
        "measure": requirement.measure,
        "pages": list(requirement.pages.all()),
        "rubric": requirement.rubric,
        "min_level": requirement.min_level,
        "qualification_kind": requirement.qualification_kind,
        "certificate_track": requirement.certificate_track,
        "version": requirement.version,
    }


# --- tracks and versions -----------------------------------------------------


def _refuse_unless_manages(actor: User, track: Track) -> None:
    if not can_manage_track(actor, track):
        raise PermissionDenied(
            _("Only a coordinator of the track's unit may change the track.")
        )


def track_create(
    *,
    actor: User,
    code: str,
    name: str,
    unit: OrgUnit,
    description: str = "",
    validity_months: int | None = None,
    is_active: bool = True,
    purpose: str = Track.Purpose.CERTIFICATION,
    request: HttpRequest | None = None,
) -> Track:
    """A new track of ``unit`` (the actor's unit or below) with an empty
    draft, version 1, to put requirements in.  ``purpose`` ``tier``: the
    entry rules of talent-pool tiers (nobody enrols, no certificate, so no
    validity).  Audited."""
    if not can_manage_unit(actor, unit):
        raise PermissionDenied(_("You may only define tracks of your own units."))
    if Track.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Another track already has this code.")})
    if purpose not in Track.Purpose.values:
        raise ValidationError({"purpose": _("Choose what the track is for.")})
    if purpose == Track.Purpose.TIER:
        validity_months = None
    with transaction.atomic():
        track = Track.objects.create(
            purpose=purpose,
            code=code,
            name=clean_text(
                name, max_length=120, required_message=_("Give the track a name.")
            ),
            unit=unit,
            description=clean_text(description, max_length=4000),
            validity_months=validity_months,
            is_active=is_active,
        )
        TrackVersion.objects.create(track=track, number=1)
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=track,
            request=request,
            detail="track created",
        )
    return track


def track_update(
    *,
    actor: User,
    track: Track,
    name: str,
    description: str = "",
    validity_months: int | None = None,
    is_active: bool = True,
    request: HttpRequest | None = None,
) -> Track:
    """Change a track's name, description, validity and openness (its
    requirements change only through a new version).  Audited."""
    _refuse_unless_manages(actor, track)
    with transaction.atomic():
        row = Track.objects.select_for_update(of=("self",)).get(pk=track.pk)
        row.name = clean_text(
            name, max_length=120, required_message=_("Give the track a name.")
        )
        row.description = clean_text(description, max_length=4000)
        # A tier-rules track issues no certificate, so nothing expires.
        row.validity_months = (
            None if row.purpose == Track.Purpose.TIER else validity_months
        )
        row.is_active = is_active
        row.save(update_fields=["name", "description", "validity_months", "is_active"])
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=row,
            request=request,
            detail="track changed",
        )
    return row


def _copy_requirement(requirement: Requirement, version: TrackVersion) -> None:
    pages = list(requirement.pages.all())
    techniques = list(requirement.techniques.all())
    # The prefetched lists belong to the source row: ``set`` would read them
    # as the copy's and add nothing.
    requirement._prefetched_objects_cache = {}
    requirement.pk = None
    requirement._state.adding = True
    requirement.version = version
    requirement.save()
    requirement.pages.set(pages)
    requirement.techniques.set(techniques)


def track_draft(
    *, actor: User, track: Track, request: HttpRequest | None = None
) -> TrackVersion:
    """The track's draft: the existing one, or a new one holding a copy of
    the latest published version's requirements (their lessons and
    techniques too).  Idempotent; a new draft is audited."""
    _refuse_unless_manages(actor, track)
    with transaction.atomic():
        Track.objects.select_for_update(of=("self",)).get(pk=track.pk)
        draft = track.versions.filter(published_at__isnull=True).first()
        if draft is not None:
            return draft
        number = (track.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        draft = TrackVersion.objects.create(track=track, number=number)
        source = latest_published(track)
        if source is not None:
            for requirement in source.requirements.prefetch_related(
                "pages", "techniques"
            ):
                _copy_requirement(requirement, draft)
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=draft,
            request=request,
            detail=f"draft v{number} made",
        )
    return draft


def _refuse_unless_draft(actor: User, version: TrackVersion) -> None:
    _refuse_unless_manages(actor, version.track)
    if version.is_published:
        raise ValidationError(
            _(
                "A published version cannot be changed: make a new draft of "
                "the track and publish it."
            )
        )


def track_draft_save(
    *,
    actor: User,
    version: TrackVersion,
    save: Callable[[], object],
    request: HttpRequest | None = None,
):
    """Save an edit of a draft's requirements: ``save`` (the admin form's
    save) runs only when ``version`` is still a draft the actor manages,
    inside a transaction with the version's row locked.  Audited."""
    with transaction.atomic():
        row = TrackVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
        _refuse_unless_draft(actor, row)
        saved = save()
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=row,
            request=request,
            detail="draft edited",
        )
    return saved


def track_publish(
    *,
    actor: User,
    version: TrackVersion,
    note: str = "",
    request: HttpRequest | None = None,
) -> TrackVersion:
    """Publish a draft: from now on new enrolments are held to it, and it
    never changes.  Refused for a draft without requirements or with a
    requirement whose parameters do not fit its kind.  Audited."""
    with transaction.atomic():
        row = (
            TrackVersion.objects.select_for_update(of=("self",))
            .select_related("track")
            .get(pk=version.pk)
        )
        _refuse_unless_draft(actor, row)
        requirements = list(row.requirements.prefetch_related("pages"))
        if not requirements:
            raise ValidationError(_("Add at least one requirement before publishing."))
        for requirement in requirements:
            problem = requirement_problem(
                requirement.kind, _requirement_values(requirement)
            )
            if problem:
                raise ValidationError(
                    _("“%(title)s”: %(problem)s")
                    % {"title": requirement.title, "problem": problem}
                )
        row.published_at = timezone.now()
        if note:
            row.note = clean_text(note, max_length=NOTE_MAX)
        row.save(update_fields=["published_at", "note"])
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=row,
            request=request,
            detail=f"v{row.number} published",
        )
    return row


# --- enrolments ---------------------------------------------------------------


def _track_url(enrolment: Enrolment) -> str:
    return reverse("supervision:certification_track", args=[enrolment.pk])


def track_enrol(
    *, actor: User, person: User, track: Track, request: HttpRequest | None = None
) -> Enrolment:
    """Enrol ``person`` in ``track``, held to its latest published version.

    The person enrols themselves (a trainee) or a coordinator over them
    does; their home unit is at or below the track's unit; the track is
    open and published.  Once per person and track.  Audited; the person
    is told when someone else enrolled them."""
    themselves = actor.pk == person.pk
    if themselves and not actor.has_role(Role.TRAINEE):
        raise PermissionDenied(_("Only trainees enrol in certification tracks."))
    if not themselves and not can_manage_person(actor, person):
        raise PermissionDenied(_("You may only enrol the people of your own units."))
    if track.purpose != Track.Purpose.CERTIFICATION:
        raise ValidationError(
            _("This track holds talent-pool tier rules; nobody enrols in it.")
        )
    if person.home_unit is None or not track.unit.contains(person.home_unit):
        raise ValidationError(_("This track is not offered to your unit."))
    if not track.is_active:
        raise ValidationError(_("This track is closed for enrolment."))
    with transaction.atomic():
        User.objects.select_for_update(of=("self",)).get(pk=person.pk)
        version = latest_published(track)
        if version is None:
            raise ValidationError(_("This track has no published requirements yet."))
        if Enrolment.objects.filter(person=person, track=track).exists():
            raise ValidationError(
                _("%(person)s is already enrolled in this track.")
                % {"person": str(person)}
            )
        enrolment = Enrolment.objects.create(
            person=person, track=track, version=version
        )
        status_record(enrolment, actor=actor, comment=f"v{version.number}")
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=enrolment,
            request=request,
            detail="enrolled",
        )
        if not themselves:
            notice_send(
                person=person,
                text=_("%(coordinator)s enrolled you in the track %(track)s.")
                % {"coordinator": str(actor), "track": track.name},
                url=_track_url(enrolment),
            )
    return enrolment


def _coordinators_over(person: User):
    if person.home_unit is None:
        return User.objects.none()
    return (
        User.objects.filter(
            person.home_unit.ancestors_q("home_unit__"),
            is_active=True,
            groups__name=Role.COORDINATOR,
        )
        .exclude(pk=person.pk)
        .distinct()
    )


def _gaps_sentence(results) -> str:
    gaps = [result for result in results if not result.met]
    if not gaps:
        return ""
    first = gaps[0].missing or str(gaps[0].requirement)
    return _(
        "You cannot apply yet: %(count)s requirement(s) are not met. %(first)s"
    ) % {"count": len(gaps), "first": first}


def enrolment_apply(
    *, actor: User, enrolment: Enrolment, request: HttpRequest | None = None
) -> Enrolment:
    """The trainee applies for certification once every requirement of
    their version is met (by ``selectors.certification.evaluate``).
    Refused with the first gap otherwise.  Audited; the coordinators over
    the trainee's unit are told."""

    if actor.pk != enrolment.person_id:
        raise PermissionDenied(_("Only the trainee applies for their certification."))
    with transaction.atomic():
        row = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("person__home_unit", "track", "version")
            .get(pk=enrolment.pk)
        )
        status_check(row, to=Status.APPLIED)
        sentence = _gaps_sentence(evaluate(row.person, row.version))
        if sentence:
            raise ValidationError(sentence)
        status_change(row, to=Status.APPLIED, actor=actor)
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=row,
            request=request,
            detail="applied",
        )
        text = _("%(person)s applied for certification in %(track)s.") % {
            "person": str(row.person),
            "track": row.track.name,
        }
        for coordinator in _coordinators_over(row.person):
            notice_send(person=coordinator, text=text, url=_track_url(row))
    return row


def enrolment_decide(
    *,
    actor: User,
    enrolment: Enrolment,
    approve: bool,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Enrolment:
    """A coordinator over the trainee approves an application (and a
    certificate is issued, ``services.certificates.certificate_issue``) or
    declines it with a reason.  A decided application cannot be decided
    again.  Audited; the trainee is told."""
    if not can_decide_enrolment(actor, enrolment):
        raise PermissionDenied(
            _("Only a coordinator over the trainee's unit decides an application.")
        )
    reason = clean_text(
        reason,
        max_length=REASON_MAX,
        required_message="" if approve else _("Say why the application is declined."),
    )
    to = Status.APPROVED if approve else Status.DECLINED
    with transaction.atomic():
        row = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("person__home_unit", "track", "version")
            .get(pk=enrolment.pk)
        )
        status_change(row, to=to, actor=actor, comment=reason)
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=row,
            request=request,
            detail="approved" if approve else "declined",
        )
        if approve:
            certificate_issue(actor=actor, enrolment=row)
            text = _("Your certification in %(track)s was approved.")
        else:
            text = _("Your application for %(track)s was declined: %(reason)s")
        notice_send(
            person=row.person,
            text=text % {"track": row.track.name, "reason": reason},
            url=_track_url(row),
        )
    return row


def enrolment_move_version(
    *,
    actor: User,
    enrolment: Enrolment,
    version: TrackVersion,
    reason: str,
    request: HttpRequest | None = None,
) -> Enrolment:
    """A coordinator over the trainee moves their enrolment to the track's
    latest published version (never while an application waits or after
    approval).  The history row keeps both versions and the reason.
    Audited; the trainee is told."""
    if not can_decide_enrolment(actor, enrolment):
        raise PermissionDenied(
            _(
                "Only a coordinator over the trainee's unit may move them to another version."
            )
        )
    reason = clean_text(
        reason,
        max_length=REASON_MAX - 40,
        required_message=_("Say why the trainee moves to the new version."),
    )
    with transaction.atomic():
        row = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("person", "track", "version")
            .get(pk=enrolment.pk)
        )
        if row.status in (Status.APPLIED, Status.APPROVED):
            raise ValidationError(
                _("An enrolment that is %(status)s stays with its version.")
                % {"status": row.get_status_display()}
            )
        latest = latest_published(row.track)
        if (
            version.track_id != row.track_id
            or latest is None
            or version.pk != latest.pk
        ):
            raise ValidationError(
                _("Move only to the track's latest published version.")
            )
        if version.pk == row.version_id:
            raise ValidationError(_("The trainee is already held to this version."))
        before = row.version
        row.version = version
        row.save(update_fields=["version"])
        status_record(
            row,
            actor=actor,
            before=row.status,
            comment=f"v{before.number} → v{version.number}: {reason}",
        )
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=row,
            request=request,
            detail=f"moved from v{before.number} to v{version.number}",
        )
        notice_send(
            person=row.person,
            text=_("%(coordinator)s moved you to version %(number)s of %(track)s.")
            % {
                "coordinator": str(actor),
                "number": version.number,
                "track": row.track.name,
            },
            url=_track_url(row),
        )
    return row
