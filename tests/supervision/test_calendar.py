"""Issue 16, item 28: a personal calendar feed at a secret URL (shifts,
sessions, cohort deadlines), its page and its reset; and the iCalendar
text itself (CRLF, folding, escaping, UTC times)."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from courses.models import Attendance
from supervision.models import CalendarFeed, ShiftSignup
from supervision.selectors.calendar import Event, feed_events, feed_of
from supervision.views.calendar import escape_text, fold, ical_text
from tests.factories.cohorts import assign, make_cohort
from tests.factories.courses import make_lesson, make_module, make_syllabus
from tests.factories.sessions import make_session
from tests.factories.supervision import make_case, make_shift, make_signup

DAY = datetime.timedelta(days=1)


def feed_url(person):
    return reverse("supervision:calendar_feed", args=[feed_of(person=person).secret])


def unfold(text):
    return text.replace("\r\n ", "")


@pytest.fixture
def rows(org):
    """The east trainee on one shift, off another, a member of a cohort
    with a session and a deadline; a west session and a west shift."""
    now = timezone.now()
    mine = make_shift(org.east, starts_at=now + 2 * DAY, title="周二值班, 夜; 班\\")
    make_signup(mine, org.trainee)
    left = make_shift(org.east, starts_at=now + 3 * DAY, title="已取消的位置")
    make_signup(left, org.trainee, status=ShiftSignup.Status.CANCELLED)
    make_shift(org.west, starts_at=now + 2 * DAY, title="西区值班")
    cohort = make_cohort(org.east, members=[org.trainee])
    session = make_session(
        org.east, title="团辅：情绪", starts_at=now + 4 * DAY, cohort=cohort
    )
    make_session(org.west, title="西区讲座", starts_at=now + 4 * DAY)
    facilitated = make_session(org.west, title="我主持的讲座", starts_at=now + 5 * DAY)
    facilitated.facilitators.set([org.trainee])
    attended = make_session(org.west, title="我参加过的讲座", starts_at=now - 3 * DAY)
    Attendance.objects.create(
        session=attended, person=org.trainee, method=Attendance.Method.MANUAL
    )
    lesson = make_lesson(make_module(make_syllabus()), "危机干预第一课")
    assign(
        cohort,
        lesson,
        release_on=timezone.localdate(),
        due_on=timezone.localdate() + 10 * DAY,
    )
    case = make_case(org.trainee)
    return {"mine": mine, "session": session, "case": case}


def test_the_feed_is_public_with_the_secret_and_carries_my_things(org, client, rows):
    response = client.get(feed_url(org.trainee))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert re.search(r"(?<!\r)\n", text) is None  # every line ends in CRLF
    flat = unfold(text)
    assert "周二值班\\, 夜\\; 班\\\\" in flat
    assert "团辅：情绪" in flat and "我主持的讲座" in flat and "我参加过的讲座" in flat
    assert "危机干预第一课" in flat and "DTSTART;VALUE=DATE:" in flat
    assert "西区值班" not in flat and "西区讲座" not in flat
    assert "已取消的位置" not in flat
    start = rows["mine"].starts_at.astimezone(datetime.UTC)
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in flat
    uids = re.findall(r"^UID:(.+)$", flat, re.M)
    assert len(uids) == len(set(uids)) == 5
    assert f"UID:shift-{rows['mine'].pk}@" in flat


def test_the_feed_never_carries_case_data(org, client, rows):
    text = unfold(client.get(feed_url(org.trainee)).content.decode())
    assert rows["case"].client_code not in text


def test_a_called_off_shift_stays_as_cancelled(org, client, rows):
    rows["mine"].cancelled_at = timezone.now()
    rows["mine"].save()
    text = unfold(client.get(feed_url(org.trainee)).content.decode())
    block = text.split(f"UID:shift-{rows['mine'].pk}@", 1)[1].split("END:VEVENT")[0]
    assert "STATUS:CANCELLED" in block


@pytest.mark.parametrize(
    "secret",
    ["x" * 43, "", "a", "<script>alert(1)</script>", "../../etc/passwd", "z" * 100_000],
)
def test_a_wrong_secret_is_a_404(org, client, rows, secret):
    feed_of(person=org.trainee)
    response = client.get(f"/practice/calendar/{secret}.ics")
    assert response.status_code == 404
    assert b"VCALENDAR" not in response.content


def test_reset_makes_the_old_url_a_404_and_the_new_one_work(org, client, rows):
    old = feed_url(org.trainee)
    client.force_login(org.trainee)
    page = client.post(reverse("supervision:calendar_reset"), follow=True)
    assert page.status_code == 200
    new = feed_url(org.trainee)
    assert new != old
    assert new in page.content.decode()
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_reset_needs_a_post_and_a_login(org, client):
    assert client.post(reverse("supervision:calendar_reset")).status_code == 302
    assert not CalendarFeed.objects.exists()
    client.force_login(org.trainee)
    assert client.get(reverse("supervision:calendar_reset")).status_code == 405


def test_a_deactivated_persons_feed_is_a_404(org, client):
    url = feed_url(org.trainee)
    org.trainee.is_active = False
    org.trainee.save()
    assert client.get(url).status_code == 404


def test_the_page_shows_my_url_and_the_reset_button(org, client):
    client.force_login(org.trainee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("supervision:calendar")).content.decode()
    assert feed_url(org.trainee) in body
    assert 'data-testid="feed-reset"' in body and "webcal://" in body
    assert feed_url(org.supervisor) not in body


def test_secrets_are_long_random_and_per_person(org):
    a, b = feed_of(person=org.trainee), feed_of(person=org.supervisor)
    assert a.secret != b.secret and len(a.secret) >= 40
    assert feed_of(person=org.trainee).secret == a.secret


def test_events_take_three_queries(org, rows, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert len(feed_events(person=org.trainee)) == 5


# --- the text ---------------------------------------------------------------------


def test_escaping():
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    assert escape_text("x\x00y\x1bz") == "xyz"


@hsettings(max_examples=30, deadline=None)
@given(st.text(max_size=400))
def test_folding_keeps_the_text_and_lines_under_75_octets(value):
    line = "SUMMARY:" + escape_text(value)
    folded = fold(line)
    assert folded.replace("\r\n ", "") == line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))


def test_all_day_and_timed_events():
    now = datetime.datetime(2026, 3, 3, 1, 0, tzinfo=datetime.UTC)
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    events = [
        Event(
            uid="shift-1",
            summary="值班",
            starts=datetime.datetime(2026, 3, 4, 9, 0, tzinfo=shanghai),
            ends=datetime.datetime(2026, 3, 4, 13, 0, tzinfo=shanghai),
            location="中心",
        ),
        Event(
            uid="due-2",
            summary="截止",
            starts=datetime.date(2026, 3, 5),
            ends=datetime.date(2026, 3, 6),
        ),
    ]
    text = ical_text(events, name="我的", host="example.org", now=now)
    assert "DTSTART:20260304T010000Z\r\nDTEND:20260304T050000Z\r\n" in text
    assert "DTSTART;VALUE=DATE:20260305\r\nDTEND;VALUE=DATE:20260306\r\n" in text
    assert "DTSTAMP:20260303T010000Z" in text
    assert "UID:shift-1@example.org" in text
