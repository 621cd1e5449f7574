"""Issue 16, item 28: the shifts page shows my upcoming shifts first, then
one week (Monday to Sunday) of the centre's shifts with a date filter
and previous/next links, instead of one flat list."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from supervision.models import ShiftSignup
from supervision.selectors.shifts import parse_week, week_shifts_for
from tests.factories.supervision import make_shift, make_signup

DAY = datetime.timedelta(days=1)
URL = reverse("supervision:shift_list")


def at(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def next_monday():
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday()) + 7 * DAY


@pytest.fixture
def login_en(client):
    def _login(user):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(user)
        return client

    return _login


def body(response):
    assert response.status_code == 200
    return response.content.decode()


def test_the_week_runs_monday_to_sunday_with_each_shift_on_its_day(org, next_monday):
    monday = make_shift(org.east, starts_at=at(next_monday, 9), title="周一")
    sunday = make_shift(org.east, starts_at=at(next_monday + 6 * DAY, 22), title="周日")
    make_shift(org.east, starts_at=at(next_monday + 7 * DAY, 0), title="下周一")
    make_shift(org.east, starts_at=at(next_monday - DAY, 23), title="上周日")
    days = week_shifts_for(user=org.trainee, monday=next_monday)
    assert [d["day"] for d in days] == [next_monday + i * DAY for i in range(7)]
    assert [s.pk for s in days[0]["shifts"]] == [monday.pk]
    assert [s.pk for s in days[6]["shifts"]] == [sunday.pk]
    assert sum(len(d["shifts"]) for d in days) == 2


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-03-05", datetime.date(2026, 3, 2)),
        ("2026-03-02", datetime.date(2026, 3, 2)),
        ("2026-03-08", datetime.date(2026, 3, 2)),
        ("", None),
        ("not a date", None),
        ("2026-02-30", None),
        ("<script>alert(1)</script>", None),
        ("9" * 100_000, None),
        ("1900-01-01", None),
    ],
)
def test_the_week_parameter(value, expected):
    today = datetime.date(2026, 3, 4)
    this_monday = datetime.date(2026, 3, 2)
    assert parse_week(value, today=today) == (expected or this_monday)


def test_the_page_filters_by_week_and_links_both_ways(org, login_en, next_monday):
    make_shift(org.east, starts_at=at(next_monday + 2 * DAY), title="下周三值班")
    client = login_en(org.trainee)
    page = body(client.get(URL + f"?week={next_monday + 2 * DAY}"))
    assert "下周三值班" in page
    assert f"?week={next_monday - 7 * DAY}" in page
    assert f"?week={next_monday + 7 * DAY}" in page
    assert page.count('data-testid="day"') == 7
    assert 'data-testid="this-week"' in page
    other = body(client.get(URL + f"?week={next_monday + 7 * DAY}"))
    assert "下周三值班" not in other and 'data-testid="no-shifts"' in other


@pytest.mark.parametrize("value", ["x", "<b>bold</b>", "2026-13-01", "1" * 100_000])
def test_a_bad_week_shows_this_week(org, login_en, value):
    page = body(login_en(org.trainee).get(URL, {"week": value}))
    assert page.count('data-testid="day"') == 7
    assert "<b>bold</b>" not in page
    monday = timezone.localdate() - datetime.timedelta(
        days=timezone.localdate().weekday()
    )
    assert f'data-day="{monday}"' in page


def test_my_upcoming_shifts_come_first_and_only_mine(org, login_en, next_monday):
    far = make_shift(org.east, starts_at=at(next_monday + 21 * DAY), title="三周后值班")
    make_signup(far, org.trainee)
    waiting = make_shift(org.east, starts_at=at(next_monday + 1 * DAY), title="候补")
    make_signup(waiting, org.trainee, status=ShiftSignup.Status.WAITLISTED)
    gone = make_shift(org.east, starts_at=at(next_monday + 2 * DAY), title="已放弃")
    make_signup(gone, org.trainee, status=ShiftSignup.Status.CANCELLED)
    make_shift(org.east, starts_at=at(next_monday + 3 * DAY), title="别人的")
    page = body(login_en(org.trainee).get(URL))
    mine = page.split('data-testid="my-shifts"', 1)[1].split("</section>", 1)[0]
    assert page.index('data-testid="my-shifts"') < page.index('data-testid="week"')
    assert "三周后值班" in mine and "候补" in mine
    assert 'data-testid="my-shift-waiting"' in mine
    assert "已放弃" not in mine and "别人的" not in mine
    assert mine.index("候补") < mine.index("三周后值班")
    assert f"?week={timezone.localdate(far.starts_at)}#shift-{far.pk}" in mine


def test_no_upcoming_shifts_says_so(org, login_en):
    page = body(login_en(org.trainee).get(URL))
    assert 'data-testid="no-my-shifts"' in page


def test_the_page_links_the_calendar(org, login_en):
    page = body(login_en(org.trainee).get(URL))
    assert reverse("supervision:calendar") in page


def test_the_week_takes_a_fixed_number_of_queries(org, login_en, next_monday):
    client = login_en(org.trainee)
    make_signup(make_shift(org.east, starts_at=at(next_monday)), org.trainee)
    with CaptureQueriesContext(connection) as few:
        client.get(URL + f"?week={next_monday}")
    for i in range(6):
        shift = make_shift(org.east, starts_at=at(next_monday + i * DAY, 14))
        make_signup(shift, org.trainee)
    with CaptureQueriesContext(connection) as many:
        client.get(URL + f"?week={next_monday}")
    assert len(many) == len(few)
