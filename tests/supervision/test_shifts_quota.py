"""The monthly shift quota: the pure calculation, exemptions, month edges
in Asia/Shanghai, excused no-shows, and the counts read from the database."""

import datetime

import pytest

from supervision.models import ShiftSignup
from supervision.selectors import shifts_quota as quota
from tests.factories.shifts import SHANGHAI, make_exemption, make_trainee, set_policy
from tests.factories.supervision import make_shift, make_signup

S = ShiftSignup.Status
MARCH = datetime.date(2026, 3, 1)
FEB = datetime.date(2026, 2, 1)


def d(month, day, year=2026):
    return datetime.date(year, month, day)


# --- the pure calculation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("attended", "upcoming", "status", "to_go"),
    [
        (4, 0, quota.MET, 0),
        (6, 0, quota.MET, 0),
        (2, 2, quota.ON_TRACK, 2),
        (2, 1, quota.BEHIND, 2),
        (0, 0, quota.BEHIND, 4),
    ],
)
def test_the_light_is_green_amber_or_red(attended, upcoming, status, to_go):
    got = quota.quota_status(quota=4, month=MARCH, attended=attended, upcoming=upcoming)
    assert (got.status, got.to_go, got.required) == (status, to_go, 4)


def test_to_go_is_never_negative():
    assert quota.quota_status(quota=4, month=MARCH, attended=9).to_go == 0
    assert quota.quota_status(quota=-3, month=MARCH, attended=0).required == 0


def test_exempt_days_prorate_the_quota_rounding_up():
    # 16 of 31 March days exempt: 4 × 15/31 = 1.94 → 2
    got = quota.quota_status(
        quota=4, month=MARCH, attended=0, exemptions=[(d(3, 1), d(3, 16))]
    )
    assert (got.exempt_days, got.required) == (16, 2)
    # February 2026 has 28 days: 14 exempt → exactly 2
    got = quota.quota_status(
        quota=4, month=FEB, attended=0, exemptions=[(d(2, 15), d(3, 20))]
    )
    assert (got.days, got.exempt_days, got.required) == (28, 14, 2)


def test_overlapping_exemptions_count_each_day_once_and_outside_days_not_at_all():
    got = quota.quota_status(
        quota=4,
        month=MARCH,
        attended=0,
        exemptions=[(d(2, 1), d(3, 10)), (d(3, 5), d(3, 12)), (d(4, 1), d(4, 30))],
    )
    assert got.exempt_days == 12


def test_a_fully_exempt_month_is_exempt_not_met():
    got = quota.quota_status(
        quota=4, month=FEB, attended=0, exemptions=[(d(1, 20), d(3, 2))]
    )
    assert (got.status, got.required, got.to_go) == (quota.EXEMPT, 0, 0)


def test_one_free_day_still_owes_one_shift():
    got = quota.quota_status(
        quota=4, month=MARCH, attended=0, exemptions=[(d(3, 1), d(3, 30))]
    )
    assert (got.required, got.status) == (1, quota.BEHIND)


def test_month_bounds_are_shanghai_midnights():
    start, end = quota.month_bounds(d(12, 1, 2025))
    assert start == datetime.datetime(2025, 12, 1, tzinfo=SHANGHAI)
    assert end == datetime.datetime(2026, 1, 1, tzinfo=SHANGHAI)


# --- counts from the database --------------------------------------------------------


def at(month, day, hour, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def attended(shift, person):
    return make_signup(shift, person, checked_in_at=shift.starts_at)


def row_for(person, month, now):
    return quota.quota_rows([person], month=month, now=now)[0]


def test_a_shift_counts_in_the_month_of_its_start_in_shanghai(org):
    late = make_shift(org.east, starts_at=at(3, 31, 23, 30), hours=2)
    early = make_shift(org.east, starts_at=at(4, 1, 0, 30), hours=2)
    attended(late, org.trainee)
    attended(early, org.trainee)
    now = at(4, 20, 12)
    assert row_for(org.trainee, MARCH, now)["quota"].attended == 1
    assert row_for(org.trainee, d(4, 1), now)["quota"].attended == 1


def test_upcoming_waiting_cancelled_and_swapped_places_count_as_they_should(org):
    now = at(3, 10, 12)
    past = make_shift(org.east, starts_at=at(3, 2, 9))
    coming = make_shift(org.east, starts_at=at(3, 20, 9))
    waiting = make_shift(org.east, starts_at=at(3, 21, 9))
    gone = make_shift(org.east, starts_at=at(3, 22, 9))
    called_off = make_shift(org.east, starts_at=at(3, 23, 9))
    called_off.cancelled_at = now
    called_off.save()
    attended(past, org.trainee)
    make_signup(coming, org.trainee)
    make_signup(waiting, org.trainee, status=S.WAITLISTED)
    make_signup(gone, org.trainee, status=S.SWAPPED_OUT)
    make_signup(called_off, org.trainee)
    got = row_for(org.trainee, MARCH, now)["quota"]
    assert (got.attended, got.upcoming, got.status) == (1, 1, quota.BEHIND)


def test_an_excused_no_show_is_neither_attended_nor_held_against(org):
    now = at(3, 20, 12)
    missed = make_shift(org.east, starts_at=at(3, 2, 9))
    excused = make_shift(org.east, starts_at=at(3, 3, 9))
    make_signup(missed, org.trainee)
    make_signup(
        excused,
        org.trainee,
        excused_at=now,
        excused_by=org.coordinator,
        excused_reason="病假",
    )
    row = row_for(org.trainee, MARCH, now)
    assert row["quota"].attended == 0
    assert (row["no_shows"], row["excused"]) == (1, 1)


def test_the_quota_follows_the_units_policy_and_exemptions(org):
    set_policy(org.east, monthly_shift_quota=2)
    make_exemption(org.trainee, d(3, 1), d(3, 31), by=org.coordinator)
    west = row_for(org.west_trainee, MARCH, at(3, 5, 9))["quota"]
    east = row_for(org.trainee, MARCH, at(3, 5, 9))["quota"]
    assert (west.quota, west.required) == (4, 4)
    assert (east.quota, east.status) == (2, quota.EXEMPT)


def test_quotas_by_unit_takes_the_nearest_policy(org):
    set_policy(org.city, monthly_shift_quota=6)
    set_policy(org.east_room, monthly_shift_quota=1)
    got = quota.quotas_by_unit([org.east, org.east_room, org.west_room])
    assert got == {org.east.pk: 6, org.east_room.pk: 1, org.west_room.pk: 6}


def test_the_compliance_rows_are_the_trainees_of_the_subtree(org):
    make_trainee(org.east_room, "another")
    rows = quota.compliance_rows(unit=org.east, month=MARCH, now=at(3, 5, 9))
    assert {r["person"].username for r in rows} == {"trainee", "another"}
