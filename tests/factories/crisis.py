"""Standing crisis teams, drills, deployments and call-outs for tests.  Made
directly with the ORM (not through the services) so a test can set up any
state; tests of a service call the service."""

import datetime

from django.utils import timezone

from courses.models import Attendance
from supervision.models import (
    CallOut,
    CrisisTeam,
    CrisisTeamMember,
    Deployment,
    IncidentType,
    TeamDrill,
)
from tests.factories.sessions import make_session


def make_team(
    unit,
    *,
    name="危机干预小组",
    lead=None,
    members=(),
    tracks=(),
    interval=12,
    kind=CrisisTeam.Kind.INTERVENTION,
) -> CrisisTeam:
    """A team of ``unit``; the lead is made a member too."""
    team = CrisisTeam.objects.create(
        name=name, unit=unit, lead=lead, drill_interval_months=interval, kind=kind
    )
    people = {person.pk: person for person in members}
    if lead is not None:
        people[lead.pk] = lead
    for person in people.values():
        CrisisTeamMember.objects.create(team=team, person=person)
    team.required_tracks.set(tracks)
    return team


def local_noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def make_drill(team, day: datetime.date, *, present=(), absent=(), unit=None):
    """A drill session of the team held at noon on ``day``, with who was
    present and who was marked absent."""
    session = make_session(
        unit or team.unit, title=f"演练 {day.isoformat()}", starts_at=local_noon(day)
    )
    for person, status in [(p, "present") for p in present] + [
        (p, "absent") for p in absent
    ]:
        Attendance.objects.create(
            session=session,
            person=person,
            status=status,
            checked_in_at=local_noon(day) if status == "present" else None,
            method=Attendance.Method.MANUAL,
        )
    return TeamDrill.objects.create(team=team, session=session)


def make_deployment(
    unit,
    *,
    created_by,
    team=None,
    title="疫情静默期心理支援",
    starts_on=None,
    days=8,
    status=Deployment.Status.CALLED,
    size=13,
) -> Deployment:
    """A deployment of ``unit`` that began ten days ago (by default) and
    lasted ``days`` days, in ``status``."""
    starts_on = starts_on or timezone.localdate() - datetime.timedelta(days=10)
    return Deployment.objects.create(
        title=title,
        incident_type=IncidentType.LOCKDOWN,
        unit=unit,
        team=team,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=days - 1),
        size=size,
        status=status,
        created_by=created_by,
    )


def call_out(deployment, person, *, status=CallOut.Status.ACCEPTED) -> CallOut:
    answered = None if status == CallOut.Status.CALLED else timezone.now()
    return CallOut.objects.create(
        deployment=deployment, person=person, status=status, answered_at=answered
    )
