"""The demo crisis teams: a city team with members of every colour, a
county squad, and Yuanqu's lockdown pattern as a closed deployment with
accepted call-outs and crisis entries; built once."""

from django.utils import timezone

from lms.core.demo import load_demo_data
from lms.core.models import User
from supervision.demo import load_demo_certification, load_demo_practice
from supervision.demo_crisis import build_crisis
from supervision.models import CallOut, CrisisTeam, Deployment, PracticeEntry
from supervision.permissions import can_sign_off
from supervision.selectors.crisis import readiness


def test_the_demo_crisis_teams_load_once_with_every_colour(db):
    # given the demo organisation, practice and certification
    load_demo_data()
    load_demo_practice()
    load_demo_certification()
    # when
    assert build_crisis() == {"teams": 3, "deployments": 1}
    assert build_crisis() == {"teams": 0, "deployments": 0}
    # then the city team has green, amber and red members
    city = CrisisTeam.objects.get(name="示范市危机干预小组")
    found = readiness(city, timezone.localdate())
    assert len(found.members) == 12
    assert found.counts == {"green": 6, "amber": 3, "red": 3}
    assert city.lead.username == "supervisor"
    squad = CrisisTeam.objects.get(kind=CrisisTeam.Kind.SQUAD)
    assert squad.unit.code == "demo-east"
    assert squad.drills.exists()
    # and the lockdown: 13 accepted call-outs, closed, with crisis work
    lockdown = Deployment.objects.get()
    assert lockdown.status == Deployment.Status.CLOSED
    assert lockdown.callouts.filter(status=CallOut.Status.ACCEPTED).count() == 13
    assert (lockdown.ends_on - lockdown.starts_on).days == 7
    entries = PracticeEntry.objects.filter(kind=PracticeEntry.Kind.CRISIS)
    assert entries.count() == 3
    assert entries.filter(status=PracticeEntry.Status.APPROVED).count() == 1
    lead = User.objects.get(username="west_sup")
    waiting = entries.exclude(status=PracticeEntry.Status.APPROVED)
    assert all(can_sign_off(lead, entry) for entry in waiting)
