"""The "awaiting supervision" flag: per-unit N, the local day boundary,
cleared by coverage, and the queryset and row forms agreeing."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from supervision.models import PracticeEntry
from supervision.selectors.supervisions import (
    entries_awaiting_supervision,
    is_awaiting_supervision,
)
from tests.factories.core import UserFactory
from tests.factories.supervision import make_entry
from tests.factories.supervisions import make_session, set_policy

S = PracticeEntry.Status
TODAY = datetime.date(2025, 3, 20)


def _entry(person, *, days_ago, status=S.SUBMITTED, **fields):
    return make_entry(
        person,
        status=status,
        occurred_on=TODAY - datetime.timedelta(days=days_ago),
        **fields,
    )


def _awaiting(today=TODAY):
    rows = entries_awaiting_supervision(
        entries=PracticeEntry.objects.all(), today=today
    )
    return set(rows.values_list("pk", flat=True))


def test_entry_older_than_seven_days_awaits_supervision(org):
    # given
    old = _entry(org.trainee, days_ago=8)
    boundary = _entry(org.trainee, days_ago=7)
    # when / then
    assert _awaiting() == {old.pk}
    assert is_awaiting_supervision(old, today=TODAY)
    assert not is_awaiting_supervision(boundary, today=TODAY)


def test_only_submitted_resubmitted_and_approved_entries_await(org):
    # given
    rows = {
        status: _entry(org.trainee, days_ago=30, status=status)
        for status in (S.DRAFT, S.SUBMITTED, S.RETURNED, S.RESUBMITTED)
    }
    approved = _entry(
        org.trainee, days_ago=30, status=S.APPROVED, approved_by=org.supervisor
    )
    # when / then
    expected = {rows[S.SUBMITTED].pk, rows[S.RESUBMITTED].pk, approved.pk}
    assert _awaiting() == expected
    for entry in [*rows.values(), approved]:
        assert is_awaiting_supervision(entry, today=TODAY) == (entry.pk in expected)


def test_coverage_by_a_supervision_clears_the_flag(org):
    # given
    entry = _entry(org.trainee, days_ago=20)
    assert is_awaiting_supervision(entry, today=TODAY)
    # when
    make_session(org.supervisor, [org.trainee], entries=[entry])
    # then
    assert _awaiting() == set()
    assert not is_awaiting_supervision(entry, today=TODAY)


def test_an_amendment_of_a_covered_entry_is_covered(org):
    # given
    original = _entry(
        org.trainee, days_ago=20, status=S.APPROVED, approved_by=org.supervisor
    )
    make_session(org.supervisor, [org.trainee], entries=[original])
    amendment = _entry(org.trainee, days_ago=20, amends=original, amendment_reason="x")
    # when / then
    assert _awaiting() == set()
    assert not is_awaiting_supervision(amendment, today=TODAY)


def test_each_unit_follows_its_nearest_policy(org):
    # given: the city says 3 days, the west station 10; east follows the city
    set_policy(org.city, supervision_due_days=3)
    set_policy(org.west, supervision_due_days=10)
    east_four = _entry(org.trainee, days_ago=4)
    west_four = _entry(org.west_trainee, days_ago=4)
    west_eleven = _entry(org.west_trainee, days_ago=11)
    # when / then
    assert _awaiting() == {east_four.pk, west_eleven.pk}
    assert is_awaiting_supervision(east_four, today=TODAY)
    assert not is_awaiting_supervision(west_four, today=TODAY)
    assert is_awaiting_supervision(west_eleven, today=TODAY)


def test_a_unit_policy_of_a_room_overrides_its_station(org):
    # given
    set_policy(org.east, supervision_due_days=2)
    set_policy(org.east_room, supervision_due_days=14)
    _entry(org.trainee, days_ago=5)
    station_person = UserFactory(username="east_person", home_unit=org.east)
    station = _entry(station_person, days_ago=5)
    # when / then
    assert _awaiting() == {station.pk}


def test_awaiting_queries_are_fixed_whatever_the_number_of_units(org):
    # given
    for days in (2, 3, 4, 5):
        set_policy(org.city if days == 2 else org.east, supervision_due_days=days)
    for days_ago in range(1, 30):
        _entry(org.trainee, days_ago=days_ago)
        _entry(org.west_trainee, days_ago=days_ago)
    # when
    with CaptureQueriesContext(connection) as ctx:
        count = len(_awaiting())
    # then
    assert len(ctx.captured_queries) == 2
    assert count == (29 - 5) + (29 - 2)


def test_the_local_day_boundary_is_shanghai_midnight(org, monkeypatch):
    # given: an entry dated eight days before 21 March, Shanghai time
    entry = _entry(org.trainee, days_ago=8 - 1)  # 13 March
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    before = datetime.datetime(2025, 3, 20, 23, 59, tzinfo=shanghai)
    after = datetime.datetime(2025, 3, 21, 0, 1, tzinfo=shanghai)
    # when: 23:59 on 20 March (15:59 UTC)
    monkeypatch.setattr(timezone, "now", lambda: before.astimezone(datetime.UTC))
    # then: seven days ago is not yet "more than seven"
    assert not is_awaiting_supervision(entry)
    assert _awaiting(today=None) == set()
    # when: one minute past midnight in Shanghai, still 20 March in UTC
    monkeypatch.setattr(timezone, "now", lambda: after.astimezone(datetime.UTC))
    # then
    assert is_awaiting_supervision(entry)
    assert _awaiting(today=None) == {entry.pk}


@pytest.mark.parametrize("days_ago", [0, 6, 7, 8, 365])
def test_row_and_queryset_forms_agree(org, days_ago):
    # given
    set_policy(org.west, supervision_due_days=1)
    entries = [_entry(org.trainee, days_ago=days_ago)]
    entries.append(_entry(org.west_trainee, days_ago=days_ago))
    # when
    awaiting = _awaiting()
    # then
    for entry in entries:
        assert is_awaiting_supervision(entry, today=TODAY) == (entry.pk in awaiting)


def test_the_given_queryset_limits_the_result(org):
    # given
    mine = _entry(org.trainee, days_ago=30)
    _entry(org.west_trainee, days_ago=30)
    # when
    rows = entries_awaiting_supervision(
        entries=PracticeEntry.objects.filter(person=org.trainee), today=TODAY
    )
    # then
    assert list(rows) == [mine]
