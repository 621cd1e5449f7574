"""The demo's practice data loads through the services, once."""

from lms.core.demo import load_demo_data
from lms.core.models import HoursEntry, User
from supervision.demo import load_demo_practice
from supervision.models import DutyShift, Pairing, PracticeEntry
from supervision.selectors.inbox import inbox_for


def test_the_demo_practice_loads_once_and_fills_the_supervisors_inbox(db):
    load_demo_data()
    first = load_demo_practice()
    assert first["shifts"] > 40
    assert load_demo_practice() == {"shifts": 0}
    trainee = User.objects.get(username="trainee")
    assert PracticeEntry.objects.filter(person=trainee, status="approved").count() == 1
    assert HoursEntry.objects.filter(person=trainee, category="practice").count() == 1
    assert Pairing.objects.filter(ends_on__isnull=True).count() == 2
    assert DutyShift.objects.filter(unit__code="demo-east").count() == first["shifts"]
    inbox = inbox_for(user=User.objects.get(username="supervisor"))
    assert inbox["signoffs"].total >= 1
