"""Reads of standing crisis-response teams: which teams a user manages or
sees, each member's readiness, and the deployments a person may log
crisis-intervention practice against.

Readiness (``readiness``, ``readiness_many``) is computed, never stored.
For ``today``, a member is

- **green** when they hold a certificate in force (``in_force_q``) of
  every track the team requires, and attended (``Attendance`` present) a
  drill of the team held on a day from ``drill_interval_months`` calendar
  months before today up to today;
- **amber** when all of that holds today but one of it lapses within
  ``WARN_DAYS`` days: a certificate's last valid day (``expires_on``) or
  the last drill's last counting day (the drill's day plus the interval)
  is on or before today + 30 days;
- **red** otherwise (a certificate missing, expired or revoked; no drill
  attended, or the last one too long ago; an account no longer active).

A drill held exactly ``drill_interval_months`` before today still counts
today (its last counting day); a certificate expiring today is valid
today (as the public check says) and so amber.  Sessions later than today
are not drills yet.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from courses.models import Attendance
from lms.core.models import User
from lms.core.permissions import can_manage_units, is_scoped_manager

from ..models import (
    CallOut,
    Certificate,
    CrisisTeam,
    CrisisTeamMember,
    Deployment,
    TeamDrill,
    Track,
)
from .certificates import in_force_q

#: How many days ahead a lapse turns a member amber.
WARN_DAYS = 30
GREEN, AMBER, RED = "green", "amber", "red"
COLOURS = (GREEN, AMBER, RED)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by calendar months (negative: earlier), on the
    month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "Y-m-d")


# --- which teams ---------------------------------------------------------------


def _teams() -> QuerySet[CrisisTeam]:
    return CrisisTeam.objects.select_related("unit", "lead")


def teams_manageable_by(*, user: User) -> QuerySet[CrisisTeam]:
    """Teams of the coordinator's unit and below (all for platform
    administrators, none for anyone else).  Queryset form of
    ``permissions.can_manage_crisis_team``."""
    if not can_manage_units(user):
        return CrisisTeam.objects.none()
    if user.is_superuser:
        return _teams()
    if user.home_unit_id is None:
        return CrisisTeam.objects.none()
    return _teams().filter(user.home_unit.subtree_q("unit__"))


def teams_visible_to(*, user: User) -> QuerySet[CrisisTeam]:
    """Teams whose readiness ``user`` may open: coordinators and leaders
    over the team's unit, the team's lead and its members (platform
    administrators: all).  Queryset form of
    ``permissions.can_see_crisis_team``."""
    if not user.is_authenticated:
        return CrisisTeam.objects.none()
    if user.is_superuser:
        return _teams()
    member = CrisisTeamMember.objects.filter(team=OuterRef("pk"), person=user)
    reach = Q(lead=user) | Q(Exists(member))
    if is_scoped_manager(user) and user.home_unit_id is not None:
        reach |= user.home_unit.subtree_q("unit__")
    return _teams().filter(reach)


# --- readiness -----------------------------------------------------------------


@dataclass
class MemberReadiness:
    """One member's colour on a day, and why."""

    person: User
    colour: str
    reasons: list[str]
    last_drill: datetime.date | None = None
    drill_counts_until: datetime.date | None = None


@dataclass
class TeamReadiness:
    """A team's members' readiness on a day, red first, then amber."""

    team: CrisisTeam
    members: list[MemberReadiness] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        found = {colour: 0 for colour in COLOURS}
        for member in self.members:
            found[member.colour] += 1
        return found

    def member(self, person_id: int) -> MemberReadiness | None:
        return next((m for m in self.members if m.person.pk == person_id), None)


def _required_tracks(team_ids) -> dict[int, list[Track]]:
    through = CrisisTeam.required_tracks.through
    found: dict[int, list[Track]] = {pk: [] for pk in team_ids}
    rows = (
        through.objects.filter(crisisteam_id__in=team_ids)
        .select_related("track")
        .order_by("track__name", "track_id")
    )
    for row in rows:
        found[row.crisisteam_id].append(row.track)
    return found


def _certificates_until(person_ids, track_ids, today) -> dict:
    """(person id, track id) → the last day the best certificate in force
    is valid (``None``: it never expires).  Pairs without one are absent."""
    found: dict = {}
    rows = Certificate.objects.filter(
        in_force_q(today), holder_id__in=person_ids, track_id__in=track_ids
    ).values_list("holder_id", "track_id", "expires_on")
    for holder_id, track_id, expires_on in rows:
        key = (holder_id, track_id)
        if key in found and (found[key] is None or expires_on is None):
            found[key] = None
        elif key in found:
            found[key] = max(found[key], expires_on)
        else:
            found[key] = expires_on
    return found


def _end_of(today: datetime.date) -> datetime.datetime:
    tz = timezone.get_current_timezone()
    return datetime.datetime.combine(
        today + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )


def _last_drills(team_ids, person_ids, today) -> dict:
    """(team id, person id) → the day of the latest drill of the team the
    person attended (present), on or before ``today``."""
    present = Attendance.objects.filter(
        session=OuterRef("session"),
        person_id__in=person_ids,
        status=Attendance.Status.PRESENT,
    )
    drills = TeamDrill.objects.filter(
        Exists(present),
        team_id__in=team_ids,
        session__starts_at__lt=_end_of(today),
    ).values("team_id", "session_id", "session__starts_at")
    held = {row["session_id"]: row for row in drills}
    attended = Attendance.objects.filter(
        session_id__in=list(held),
        person_id__in=person_ids,
        status=Attendance.Status.PRESENT,
    ).values_list("session_id", "person_id")
    sessions_of: dict[int, list[int]] = {}
    for session_id, person_id in attended:
        sessions_of.setdefault(session_id, []).append(person_id)
    found: dict = {}
    for row in drills:
        day = timezone.localdate(row["session__starts_at"])
        for person_id in sessions_of.get(row["session_id"], []):
            key = (row["team_id"], person_id)
            if key not in found or found[key] < day:
                found[key] = day
    return found


def _member_readiness(
    person, *, team, tracks, certificates, last_drill, today
) -> MemberReadiness:
    warn = today + datetime.timedelta(days=WARN_DAYS)
    red, amber = [], []
    if not person.is_active:
        red.append(_("The account is no longer active."))
    for track in tracks:
        key = (person.pk, track.pk)
        if key not in certificates:
            red.append(_("No valid certificate of %(track)s.") % {"track": track.name})
            continue
        until = certificates[key]
        if until is not None and until <= warn:
            amber.append(
                _("The certificate of %(track)s expires on %(date)s.")
                % {"track": track.name, "date": _date(until)}
            )
    counts_until = None
    if last_drill is None:
        red.append(_("No drill of the team attended."))
    else:
        counts_until = add_months(last_drill, team.drill_interval_months)
        values = {
            "date": _date(last_drill),
            "until": _date(counts_until),
            "months": team.drill_interval_months,
        }
        if counts_until < today:
            red.append(
                _(
                    "The last drill attended (%(date)s) is more than %(months)s "
                    "months ago."
                )
                % values
            )
        elif counts_until <= warn:
            amber.append(
                _("The last drill attended (%(date)s) counts only until %(until)s.")
                % values
            )
    colour = RED if red else AMBER if amber else GREEN
    return MemberReadiness(
        person=person,
        colour=colour,
        reasons=red + amber,
        last_drill=last_drill,
        drill_counts_until=counts_until,
    )


_ORDER = {RED: 0, AMBER: 1, GREEN: 2}


def readiness_many(teams, today: datetime.date) -> dict[int, TeamReadiness]:
    """Team id → its members' readiness on ``today``, worst first.  At
    most five queries however many teams and members: memberships,
    required tracks, certificates (none when no track is required), drills
    held, attendance at them."""
    teams = list(teams)
    team_ids = [team.pk for team in teams]
    memberships = list(
        CrisisTeamMember.objects.filter(team_id__in=team_ids)
        .select_related("person__home_unit")
        .order_by("person__full_name", "person_id")
    )
    person_ids = {m.person_id for m in memberships}
    tracks = _required_tracks(team_ids)
    track_ids = {track.pk for found in tracks.values() for track in found}
    certificates = (
        _certificates_until(person_ids, track_ids, today) if track_ids else {}
    )
    drills = _last_drills(team_ids, person_ids, today)
    result = {
        team.pk: TeamReadiness(team=team, tracks=tracks[team.pk]) for team in teams
    }
    for membership in memberships:
        team = result[membership.team_id]
        team.members.append(
            _member_readiness(
                membership.person,
                team=team.team,
                tracks=team.tracks,
                certificates=certificates,
                last_drill=drills.get((membership.team_id, membership.person_id)),
                today=today,
            )
        )
    for team in result.values():
        team.members.sort(key=lambda m: _ORDER[m.colour])
    return result


def readiness(team: CrisisTeam, today: datetime.date) -> TeamReadiness:
    """One team's readiness on ``today`` (``readiness_many`` of one)."""
    return readiness_many([team], today)[team.pk]


def team_drills(team: CrisisTeam) -> QuerySet[TeamDrill]:
    """The team's drills, latest first, with how many were present."""
    return (
        TeamDrill.objects.filter(team=team)
        .select_related("session__unit")
        .annotate(
            present=Count(
                "session__attendances",
                filter=Q(session__attendances__status=Attendance.Status.PRESENT),
            )
        )
        .order_by("-session__starts_at")
    )


# --- crisis practice -----------------------------------------------------------

#: Deployments a member may log crisis work against.
LOGGABLE = frozenset({Deployment.Status.CALLED, Deployment.Status.CLOSED})


def deployments_accepted_by(*, person: User) -> QuerySet[Deployment]:
    """Deployments ``person`` accepted the call-out of, called out or
    closed (not cancelled or still being assembled): what a crisis
    intervention entry of theirs may link, latest first."""
    if not person.is_authenticated:
        return Deployment.objects.none()
    accepted = CallOut.objects.filter(
        deployment=OuterRef("pk"), person=person, status=CallOut.Status.ACCEPTED
    )
    return (
        Deployment.objects.filter(Exists(accepted), status__in=LOGGABLE)
        .select_related("unit", "team")
        .order_by("-starts_on", "-id")
    )


def crisis_tracks_offered_to(*, user: User) -> QuerySet[Track]:
    """Certification tracks (never tier rules) a coordinator may require of
    a team: those of their units and of the units above their home unit
    (all of them for platform administrators)."""
    tracks = Track.objects.filter(purpose=Track.Purpose.CERTIFICATION).select_related(
        "unit"
    )
    if user.is_superuser:
        return tracks
    if not can_manage_units(user) or user.home_unit_id is None:
        return tracks.none()
    home = user.home_unit
    return tracks.filter(home.subtree_q("unit__") | home.ancestors_q("unit__"))
