"""Items 21 and 22 of issue 16: a session's check-in screen and attendance
list are links on the session's admin page and on /manage/, and the screen
for the projector is a kiosk page without the site navigation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.templatetags.session_links import sessions_to_run
from tests.factories.sessions import make_session
from tests.factories.supervision import make_shift


def test_the_manage_home_links_each_session_on_now_to_its_screen_and_attendance(
    org, login
):
    here = make_session(org.east_room, title="今天的讲座")
    beside = make_session(org.west_room, title="西区讲座")
    body = login(org.coordinator).get(reverse("core:coordinator_home")).content.decode()
    assert "今天的讲座" in body
    assert reverse("sessions:screen", args=[here.pk]) in body
    assert reverse("sessions:attendance", args=[here.pk]) in body
    assert "西区讲座" not in body
    assert reverse("sessions:screen", args=[beside.pk]) not in body


def test_the_manage_home_lists_this_weeks_sessions_but_not_past_or_far_ones(org):
    now = timezone.now()
    soon = make_session(org.east, starts_at=now + datetime.timedelta(days=3))
    make_session(org.east, starts_at=now - datetime.timedelta(days=2))
    make_session(org.east, starts_at=now + datetime.timedelta(days=30))
    assert sessions_to_run(user=org.coordinator, now=now) == [soon]


def test_the_manage_home_says_when_there_is_no_session(org, login):
    body = login(org.coordinator).get(reverse("core:coordinator_home")).content.decode()
    assert 'data-testid="sessions-to-run"' in body
    assert reverse("session_admin:index") in body


def test_the_sessions_admin_page_links_its_screen_and_attendance(org, login):
    session = make_session(org.east_room)
    client = login(org.coordinator)
    body = client.get(reverse("session_admin:edit", args=[session.pk])).content.decode()
    assert 'data-testid="session-links"' in body
    assert reverse("sessions:screen", args=[session.pk]) in body
    assert reverse("sessions:attendance", args=[session.pk]) in body


def test_the_check_in_screen_is_a_kiosk_page_without_site_navigation(org, login):
    session = make_session(org.east_room)
    body = login(org.coordinator).get(reverse("sessions:screen", args=[session.pk]))
    html = body.content.decode()
    assert body.status_code == 200
    assert 'data-testid="kiosk"' in html and 'data-testid="short-code"' in html
    assert 'class="topbar"' not in html and 'aria-label="Main"' not in html
    assert reverse("core:my_account") not in html
    assert 'data-testid="logout"' not in html
    assert reverse("sessions:attendance", args=[session.pk]) in html


def test_the_kiosk_screen_is_still_refused_to_a_sibling(org, login):
    session = make_session(org.east_room)
    response = login(org.sibling).get(reverse("sessions:screen", args=[session.pk]))
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "x" * 100_000])
def test_a_hostile_title_is_escaped_on_the_home_card(org, login, hostile):
    make_session(org.east_room, title=hostile[:200])
    body = login(org.coordinator).get(reverse("core:coordinator_home")).content.decode()
    assert "<script>alert(1)</script>" not in body


def test_the_shift_screen_is_a_kiosk_page_too(org, login):
    # The kiosk template is shared by every check-in screen (lms.core).
    shift = make_shift(org.east, supervisor=org.supervisor)
    response = login(org.coordinator).get(
        reverse("supervision:shift_screen", args=[shift.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="kiosk"' in html and 'class="topbar"' not in html
