"""Checking in with the short code (issue 16, item 10): the form starts on
the session open now, not the day's earliest, and a right code finds its
session among those open now."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from courses.models import Attendance
from courses.selectors import sessions as selectors
from tests.factories.sessions import T0, code_now, make_session

MIN = datetime.timedelta(minutes=1)
NOW = T0 + 10 * MIN  # 09:10 in Shanghai


@pytest.fixture(autouse=True)
def _at_ten_past_nine(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    with translation.override("en"):
        yield


@pytest.fixture
def client_en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def day(org):
    """An early session that is over (07:00–08:00) and a lecture on now
    (09:00–10:30), both of the east station."""
    early = make_session(
        org.east, title="早间讲座", starts_at=T0 - 120 * MIN, minutes=60
    )
    lecture = make_session(org.east, title="正在进行的讲座", starts_at=T0)
    return early, lecture


def test_the_session_open_now_is_the_one_that_started_last_among_open_ones(org, day):
    early, lecture = day
    later = make_session(org.east, title="稍后", starts_at=T0 + 20 * MIN)
    assert selectors.session_open_now(sessions=[early, lecture], now=NOW) == lecture
    # check-in opens 30 minutes ahead: the one about to start is meant
    assert selectors.session_open_now(sessions=[early, lecture, later], now=NOW) == (
        later
    )
    # after the end, a session is still open for checking out for a while
    assert selectors.session_open_now(sessions=[early], now=T0 - 50 * MIN) == early
    assert selectors.session_open_now(sessions=[early], now=NOW) is None
    assert selectors.session_open_now(sessions=[], now=NOW) is None


def test_the_code_form_starts_on_the_session_open_now(org, client_en, day):
    early, lecture = day
    client_en.force_login(org.trainee)
    response = client_en.get(reverse("sessions:check_in_code"))
    body = response.content.decode()
    assert f'<option value="{lecture.pk}" selected>' in body
    assert f'<option value="{early.pk}" >' in body
    assert "on now" in body


def test_a_right_code_finds_its_session_when_another_is_chosen(org, client_en, day):
    early, lecture = day
    client_en.force_login(org.trainee)
    response = client_en.post(
        reverse("sessions:check_in_code"),
        {"session": early.pk, "code": code_now(lecture, NOW), "action": "in"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:check_in", args=[lecture.pk])
    attendance = Attendance.objects.get()
    assert attendance.session == lecture and attendance.person == org.trainee


def test_a_code_of_no_session_open_now_is_refused_for_the_chosen_one(
    org, client_en, day
):
    early, lecture = day
    wrong = f"{(int(code_now(lecture, NOW)) + 1) % 10**6:06d}"
    client_en.force_login(org.trainee)
    response = client_en.post(
        reverse("sessions:check_in_code"),
        {"session": lecture.pk, "code": wrong, "action": "in"},
    )
    assert response.status_code == 400
    assert "not right" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_code_finds_no_session_the_person_is_not_on_the_list_of(org, client_en, day):
    _early, lecture = day
    west = make_session(org.west, title="西区讲座", starts_at=T0)
    client_en.force_login(org.trainee)
    response = client_en.post(
        reverse("sessions:check_in_code"),
        {"session": lecture.pk, "code": code_now(west, NOW), "action": "in"},
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_when_two_open_sessions_could_match_the_chosen_one_stands(org, day):
    _early, lecture = day
    other = make_session(org.east, title="另一场", starts_at=T0)
    code = code_now(other, NOW)
    # the chosen session's own code always wins
    assert (
        selectors.session_for_code(
            sessions=[lecture, other], chosen=other, code=code, now=NOW
        )
        == other
    )
    assert (
        selectors.session_for_code(
            sessions=[lecture, other], chosen=lecture, code=code, now=NOW
        )
        == other
    )
    # hostile input matches nothing and leaves the choice alone
    for junk in ("", "<script>", "9" * 100_000):
        assert (
            selectors.session_for_code(
                sessions=[lecture, other], chosen=lecture, code=junk, now=NOW
            )
            == lecture
        )
