"""Writes of standing crisis-response teams (危机干预小组, 战时心理小分队):
create and change a team with its lead, members and the certificates it
needs, and link offline sessions to it as drills.

Only coordinators of the team's unit or above it (``can_manage_crisis_team``)
may; every write is in one transaction, checked in whole sentences before
anything is saved, and audited under ``AuditAction.CRISIS``.  People added
to a team are told by a notice.

Decisions where the issue was silent:

* Members and the lead are active people of the team's unit or a unit
  below it (not merely of the coordinator's subtree), so nobody opening a
  county team's page meets people of a sibling county.
* The lead is always a member: naming a lead adds them.
* Required tracks are certification tracks (never tier rules) of the
  coordinator's units or of a unit above them, as trainees enrol in.
* A drill is a session of a unit the coordinator manages; the same session
  may be a drill of several teams (a joint exercise).
* Teams are never deleted (deployments and history name them): a team is
  closed by clearing "active".
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from courses.models import OfflineSession
from courses.selectors.sessions import sessions_manageable_by
from lms.core.models import AuditAction, OrgUnit, User
from lms.core.permissions import can_manage_unit
from lms.core.services.audit import audit_record
from lms.core.services.notices import notice_send

from ..models import CrisisTeam, CrisisTeamMember, TeamDrill, Track
from ..permissions import can_manage_crisis_team
from ..selectors.crisis import crisis_tracks_offered_to
from .certification import clean_text

AUDIT_ACTION = AuditAction.CRISIS
NAME_MAX = CrisisTeam._meta.get_field("name").max_length
#: The most people one team holds.
MAX_MEMBERS = 200
INTERVAL_MIN, INTERVAL_MAX = 1, 60


def _refuse_unless_manages(actor: User, team: CrisisTeam) -> None:
    if not can_manage_crisis_team(actor, team):
        raise PermissionDenied(
            _("Only a coordinator of the team's unit may change the team.")
        )


def _team_url(team: CrisisTeam) -> str:
    return reverse("supervision:crisis_team_detail", args=[team.pk])


def _interval(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            {"drill_interval_months": _("Give the drill interval in whole months.")}
        )
    if not INTERVAL_MIN <= value <= INTERVAL_MAX:
        raise ValidationError(
            {
                "drill_interval_months": _(
                    "The drill interval must be from 1 to 60 months."
                )
            }
        )
    return value


def _person_problem(person: User, unit: OrgUnit) -> str:
    home = person.home_unit
    if not person.is_active or person.is_superuser:
        return _("%(person)s cannot be a member: the account is not active.") % {
            "person": person
        }
    if home is None or not unit.contains(home):
        return _("%(person)s is not of the team's unit or a unit below it.") % {
            "person": person
        }
    return ""


def _people(*, unit: OrgUnit, lead: User | None, members: Iterable[User]) -> list[User]:
    """The members, the lead among them, each checked to be an active
    person of ``unit`` or below it."""
    people = {person.pk: person for person in members}
    if len(people) > MAX_MEMBERS:
        raise ValidationError(
            {
                "members": _("A team holds at most %(max)d people.")
                % {"max": MAX_MEMBERS}
            }
        )
    errors = {}
    if lead is not None:
        if problem := _person_problem(lead, unit):
            errors["lead"] = [problem]
        people[lead.pk] = lead
    problems = [
        problem
        for person in people.values()
        if (lead is None or person.pk != lead.pk)
        and (problem := _person_problem(person, unit))
    ]
    if problems:
        errors["members"] = problems
    if errors:
        raise ValidationError(errors)
    return sorted(people.values(), key=lambda person: person.pk)


def _tracks(actor: User, tracks: Iterable[Track]) -> list[Track]:
    tracks = list(tracks)
    offered = set(
        crisis_tracks_offered_to(user=actor)
        .filter(pk__in=[track.pk for track in tracks])
        .values_list("pk", flat=True)
    )
    refused = [track for track in tracks if track.pk not in offered]
    if refused:
        raise ValidationError(
            {
                "required_tracks": _(
                    "Only certification tracks of your units or above them can "
                    "be required: %(tracks)s."
                )
                % {"tracks": ", ".join(track.name for track in refused)}
            }
        )
    return tracks


def _checked(
    *,
    actor: User,
    name,
    kind,
    unit: OrgUnit | None,
    lead: User | None,
    members: Iterable[User],
    required_tracks: Iterable[Track],
    drill_interval_months,
) -> dict:
    """Every field checked, or one ``ValidationError`` naming the fields."""
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit the team belongs to.")})
    if not can_manage_unit(actor, unit):
        raise PermissionDenied(_("You may only keep teams of your own units."))
    errors = {}
    values = {"unit": unit, "lead": lead}
    checks = {
        "name": lambda: clean_text(
            name, max_length=NAME_MAX, required_message=_("Give the team a name.")
        ),
        "kind": lambda: _kind(kind),
        "drill_interval_months": lambda: _interval(drill_interval_months),
        "members": lambda: _people(unit=unit, lead=lead, members=members),
        "required_tracks": lambda: _tracks(actor, required_tracks),
    }
    for field, check in checks.items():
        try:
            values[field] = check()
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors.update(error.error_dict)
            else:
                errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    return values


def _kind(value) -> str:
    if value not in CrisisTeam.Kind.values:
        raise ValidationError(_("Choose what kind of team this is."))
    return value


def _set_members(team: CrisisTeam, people: list[User]) -> list[User]:
    """Make ``people`` the team's members; returns those newly added."""
    wanted = {person.pk: person for person in people}
    current = set(team.memberships.values_list("person_id", flat=True))
    team.memberships.exclude(person_id__in=wanted).delete()
    added = [person for pk, person in wanted.items() if pk not in current]
    CrisisTeamMember.objects.bulk_create(
        [CrisisTeamMember(team=team, person=person) for person in added]
    )
    return added


def _tell_added(team: CrisisTeam, added: list[User]) -> None:
    for person in added:
        notice_send(
            person=person,
            text=_(
                "You are now a member of the crisis-response team %(team)s. "
                "Its page shows your readiness."
            )
            % {"team": team.name},
            url=_team_url(team),
        )


def crisis_team_create(
    *,
    actor: User,
    name: str,
    unit: OrgUnit | None,
    kind: str = CrisisTeam.Kind.INTERVENTION,
    lead: User | None = None,
    members: Iterable[User] = (),
    required_tracks: Iterable[Track] = (),
    drill_interval_months: int = 12,
    is_active: bool = True,
    request: HttpRequest | None = None,
) -> CrisisTeam:
    """A new standing team of ``unit`` (the actor's unit or below), with
    its lead (made a member), members and required certification tracks.
    Audited; each member is told."""
    values = _checked(
        actor=actor,
        name=name,
        kind=kind,
        unit=unit,
        lead=lead,
        members=members,
        required_tracks=required_tracks,
        drill_interval_months=drill_interval_months,
    )
    with transaction.atomic():
        team = CrisisTeam.objects.create(
            name=values["name"],
            kind=values["kind"],
            unit=unit,
            lead=lead,
            drill_interval_months=values["drill_interval_months"],
            is_active=bool(is_active),
        )
        team.required_tracks.set(values["required_tracks"])
        added = _set_members(team, values["members"])
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=team,
            request=request,
            detail=f"team created; {len(added)} members",
        )
        _tell_added(team, added)
    return team


def crisis_team_update(
    *,
    actor: User,
    team: CrisisTeam,
    name: str,
    unit: OrgUnit | None,
    kind: str,
    lead: User | None,
    members: Iterable[User],
    required_tracks: Iterable[Track],
    drill_interval_months: int,
    is_active: bool,
    request: HttpRequest | None = None,
) -> CrisisTeam:
    """Change a team: a coordinator over its unit, and over the new unit if
    it moves.  Members left out are removed; new ones are told.  Audited
    with how many came and went."""
    _refuse_unless_manages(actor, team)
    values = _checked(
        actor=actor,
        name=name,
        kind=kind,
        unit=unit,
        lead=lead,
        members=members,
        required_tracks=required_tracks,
        drill_interval_months=drill_interval_months,
    )
    with transaction.atomic():
        row = CrisisTeam.objects.select_for_update(of=("self",)).get(pk=team.pk)
        before = set(row.memberships.values_list("person_id", flat=True))
        row.name = values["name"]
        row.kind = values["kind"]
        row.unit = unit
        row.lead = lead
        row.drill_interval_months = values["drill_interval_months"]
        row.is_active = bool(is_active)
        row.save(
            update_fields=[
                "name",
                "kind",
                "unit",
                "lead",
                "drill_interval_months",
                "is_active",
            ]
        )
        row.required_tracks.set(values["required_tracks"])
        added = _set_members(row, values["members"])
        removed = len(before - {person.pk for person in values["members"]})
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=row,
            request=request,
            detail=f"team changed; {len(added)} added, {removed} removed",
        )
        _tell_added(row, added)
    return row


# --- drills --------------------------------------------------------------------


def _drill_checked(
    *, actor: User, team: CrisisTeam | None, session: OfflineSession | None
) -> None:
    if team is None:
        raise ValidationError({"team": _("Choose the team that drilled.")})
    _refuse_unless_manages(actor, team)
    if session is None:
        raise ValidationError({"session": _("Choose the session that was the drill.")})
    if not sessions_manageable_by(user=actor).filter(pk=session.pk).exists():
        raise ValidationError(
            {"session": _("Choose a session of one of your own units.")}
        )


def _refuse_twice(team: CrisisTeam, session: OfflineSession, *, drill=None) -> None:
    same = TeamDrill.objects.filter(team=team, session=session)
    if drill is not None:
        same = same.exclude(pk=drill.pk)
    if same.exists():
        raise ValidationError(
            {"session": _("This session is already a drill of the team.")}
        )


def team_drill_link(
    *,
    actor: User,
    team: CrisisTeam | None,
    session: OfflineSession | None,
    request: HttpRequest | None = None,
) -> TeamDrill:
    """Count ``session`` as a drill of ``team``: its attendance then counts
    towards the members' readiness.  A coordinator over the team and the
    session's unit; once per team and session.  Audited."""
    _drill_checked(actor=actor, team=team, session=session)
    with transaction.atomic():
        CrisisTeam.objects.select_for_update(of=("self",)).get(pk=team.pk)
        _refuse_twice(team, session)
        drill = TeamDrill.objects.create(team=team, session=session)
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=team,
            request=request,
            detail=f"drill linked: session {session.pk}",
        )
    return drill


def team_drill_update(
    *,
    actor: User,
    drill: TeamDrill,
    team: CrisisTeam | None,
    session: OfflineSession | None,
    request: HttpRequest | None = None,
) -> TeamDrill:
    """Correct which team or session a drill link names; the coordinator
    must manage the old team and the new one.  Audited."""
    _refuse_unless_manages(actor, drill.team)
    _drill_checked(actor=actor, team=team, session=session)
    with transaction.atomic():
        row = TeamDrill.objects.select_for_update(of=("self",)).get(pk=drill.pk)
        _refuse_twice(team, session, drill=row)
        row.team, row.session = team, session
        row.save(update_fields=["team", "session"])
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=team,
            request=request,
            detail=f"drill changed: session {session.pk}",
        )
    return row


def team_drill_unlink(
    *, actor: User, drill: TeamDrill, request: HttpRequest | None = None
) -> None:
    """The session no longer counts as a drill of the team (its attendance
    stays).  Audited."""
    _refuse_unless_manages(actor, drill.team)
    with transaction.atomic():
        team, session_id = drill.team, drill.session_id
        TeamDrill.objects.filter(pk=drill.pk).delete()
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            obj=team,
            request=request,
            detail=f"drill unlinked: session {session_id}",
        )
