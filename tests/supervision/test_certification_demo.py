"""The demo's certification tracks load through the services, once."""

from lms.core.demo import load_demo_data
from lms.core.models import User
from supervision.demo import load_demo_certification, load_demo_practice
from supervision.models import Enrolment, Rubric, Track
from supervision.selectors.enrolments import applications_waiting_for


def test_the_demo_tracks_load_once_with_enrolments_and_an_application(db):
    load_demo_data()
    load_demo_practice()
    assert load_demo_certification() == {"tracks": 4}
    assert load_demo_certification() == {"tracks": 0}
    assert Track.objects.count() == 4
    for track in Track.objects.all():
        assert track.versions.filter(published_at__isnull=False).count() == 1
        assert track.versions.get().requirements.exists()
    assert Rubric.objects.get().items.count() == 5
    trainee = User.objects.get(username="trainee")
    assert Enrolment.objects.filter(person=trainee).count() == 2
    waiting = applications_waiting_for(user=User.objects.get(username="coordinator"))
    assert [e.person.username for e in waiting] == ["ep_huang"]
    assert "50 小时" in " ".join(
        Track.objects.get(code="csp-assistant")
        .versions.get()
        .requirements.values_list("title", flat=True)
    )
