"""Property tests of certification evaluation: over random records, the
figure agrees with a direct count in Python, no record counts twice, and
records outside the period, of other people, not approved, unverified or
expired, not checked out, or superseded by a newer rating never count;
``evaluate_many`` agrees with ``evaluate`` for each person."""

import datetime
import functools
import itertools
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.core.models import HoursCategory, HoursEntry, OrgUnit, Role
from supervision.models import PracticeEntry, Qualification, Requirement
from supervision.selectors.certification import (
    evaluate,
    evaluate_many,
    months_before,
)
from tests.factories.certification import (
    make_qualification,
    make_qualification_kind,
    make_rating,
    make_requirement,
    make_rubric,
    make_track,
)
from tests.factories.core import UserFactory
from tests.factories.supervision import make_entry, make_shift, make_signup

K = Requirement.Kind
TODAY = datetime.date(2026, 3, 31)
_sources = itertools.count(1)

examples = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
offsets = st.integers(min_value=-5, max_value=1300)  # days before TODAY
periods = st.one_of(st.none(), st.integers(min_value=1, max_value=36))


def in_period(day: datetime.date, period) -> bool:
    since = months_before(TODAY, period) if period else datetime.date.min
    return since <= day <= TODAY


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def rolled_back(check):
    """Run ``check`` in a transaction that is rolled back, so each example
    starts from the fixture's rows."""

    @functools.wraps(check)
    def run(*args, **kwargs):
        with transaction.atomic():
            check(*args, **kwargs)
            transaction.set_rollback(True)

    return run


def only(person, version):
    (result,) = evaluate(person, version, today=TODAY)
    assert len(set(result.records)) == len(result.records)
    return result


def test_hours_agree_with_a_direct_sum(org):
    rows = st.lists(
        st.tuples(
            st.booleans(),  # the trainee's (else someone else's)
            st.sampled_from(HoursCategory.values),
            st.decimals("0.25", "12", places=2),
            offsets,
            st.booleans(),  # reversed
        ),
        max_size=15,
    )
    categories = st.lists(st.sampled_from(HoursCategory.values), unique=True)

    @examples
    @given(rows, categories, periods)
    @rolled_back
    def check(rows, wanted, period):
        _track, version = make_track(org.city)
        make_requirement(
            version, K.HOURS, 1, hours_categories=wanted, period_months=period
        )
        expected, total = set(), Decimal("0")
        for mine, category, hours, offset, is_reversed in rows:
            day = TODAY - datetime.timedelta(days=offset)
            credit = HoursEntry.objects.create(
                person=org.trainee if mine else org.west_trainee,
                unit=org.east,
                category=category,
                hours=hours,
                kind=HoursEntry.Kind.CREDIT,
                earned_on=day,
                source_type=ContentType.objects.get_for_model(OrgUnit),
                source_id=next(_sources),
                source_label="p",
            )
            if is_reversed:
                HoursEntry.objects.create(
                    person=credit.person,
                    unit=credit.unit,
                    category=category,
                    hours=-hours,
                    kind=HoursEntry.Kind.REVERSAL,
                    earned_on=day,
                    source_type=credit.source_type,
                    source_id=credit.source_id,
                    source_label="p",
                    reverses=credit,
                )
            elif mine and (not wanted or category in wanted) and in_period(day, period):
                expected.add(credit.pk)
                total += hours
        result = only(org.trainee, version)
        assert result.have == total
        assert {pk for _label, pk in result.records} == expected

    check()


def test_practice_agrees_with_a_direct_count_of_approved_entries(org):
    rows = st.lists(
        st.tuples(
            st.booleans(),
            st.sampled_from(
                [PracticeEntry.Kind.GROUP_ASSISTANT, PracticeEntry.Kind.HOTLINE]
            ),
            st.sampled_from(
                [PracticeEntry.Status.APPROVED, PracticeEntry.Status.SUBMITTED]
            ),
            st.integers(min_value=1, max_value=600),
            offsets,
        ),
        max_size=12,
    )

    @examples
    @given(rows, st.sampled_from(["count", "hours"]), periods)
    @rolled_back
    def check(rows, measure, period):
        _track, version = make_track(org.city)
        make_requirement(
            version,
            K.PRACTICE,
            1,
            practice_kinds=[PracticeEntry.Kind.GROUP_ASSISTANT],
            measure=measure,
            period_months=period,
        )
        expected, minutes = set(), 0
        for mine, kind, status, length, offset in rows:
            day = TODAY - datetime.timedelta(days=offset)
            approved = status == PracticeEntry.Status.APPROVED
            entry = make_entry(
                org.trainee if mine else org.west_trainee,
                kind=kind,
                status=status,
                minutes=length,
                occurred_on=day,
                **({"approved_by": org.supervisor} if approved else {}),
            )
            if (
                mine
                and approved
                and kind == "group_assistant"
                and in_period(day, period)
            ):
                expected.add(entry.pk)
                minutes += length
        result = only(org.trainee, version)
        if measure == "count":
            assert result.have == len(expected)
        else:
            assert result.have == (Decimal(minutes) / 60).quantize(Decimal("0.01"))
        assert {pk for _label, pk in result.records} == expected

    check()


def test_shifts_agree_with_a_direct_count_of_shifts_worked(org):
    rows = st.lists(
        st.tuples(
            st.booleans(),  # the trainee's
            st.booleans(),  # checked in
            st.booleans(),  # checked out
            st.booleans(),  # shift cancelled
            offsets,
        ),
        max_size=10,
    )

    @examples
    @given(rows, periods)
    @rolled_back
    def check(rows, period):
        _track, version = make_track(org.city)
        make_requirement(version, K.SHIFTS, 1, period_months=period)
        expected = set()
        for mine, checked_in, checked_out, cancelled, offset in rows:
            day = TODAY - datetime.timedelta(days=offset)
            shift = make_shift(org.east, starts_at=moment(day))
            if cancelled:
                shift.cancelled_at = moment(day)
                shift.save()
            signup = make_signup(
                shift,
                org.trainee if mine else org.west_trainee,
                checked_in_at=moment(day) if checked_in else None,
                checked_out_at=moment(day) if checked_out else None,
            )
            worked = checked_in and checked_out and not cancelled
            if mine and worked and in_period(day, period):
                expected.add(signup.pk)
        result = only(org.trainee, version)
        assert result.have == len(expected)
        assert {pk for _label, pk in result.records} == expected

    check()


def test_qualifications_count_only_verified_and_unexpired(org):
    kind = make_qualification_kind()
    rows = st.lists(
        st.tuples(
            st.booleans(),
            st.sampled_from(Qualification.Status.values),
            st.one_of(st.none(), st.integers(min_value=-30, max_value=30)),
        ),
        max_size=6,
    )

    @examples
    @given(rows)
    @rolled_back
    def check(rows):
        _track, version = make_track(org.city)
        make_requirement(version, K.QUALIFICATION, 1, qualification_kind=kind)
        expected = set()
        for mine, status, expires_in in rows:
            expires_on = (
                None if expires_in is None else TODAY + datetime.timedelta(expires_in)
            )
            row = make_qualification(
                org.trainee if mine else org.west_trainee,
                kind,
                status,
                expires_on,
                issued_on=TODAY - datetime.timedelta(days=60),
            )
            valid = expires_on is None or expires_on >= TODAY
            if mine and status == Qualification.Status.VERIFIED and valid:
                expected.add(row.pk)
        result = only(org.trainee, version)
        assert {pk for _label, pk in result.records} == expected
        assert result.met == bool(expected)

    check()


def test_ratings_count_raters_whose_latest_rating_is_high_enough(org):
    raters = [org.supervisor] + [
        UserFactory(home_unit=org.east, roles=[Role.SUPERVISOR]) for _ in range(2)
    ]
    rubric = make_rubric()
    rows = st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=2),  # which rater
            st.booleans(),  # of the trainee (else of someone else)
            st.integers(min_value=1, max_value=5),  # score
            st.integers(min_value=0, max_value=200),  # days ago
        ),
        max_size=10,
    )

    @examples
    @given(rows, st.integers(min_value=1, max_value=5))
    @rolled_back
    def check(rows, level):
        _track, version = make_track(org.city)
        make_requirement(version, K.RATINGS, 2, rubric=rubric, min_level=level)
        latest = {}
        for who, mine, score, ago in rows:
            rated_at = moment(TODAY - datetime.timedelta(days=ago))
            person = org.trainee if mine else org.west_trainee
            rating = make_rating(person, raters[who], rubric, score, rated_at=rated_at)
            if mine:
                key = (rated_at, rating.pk)
                if who not in latest or key > latest[who][0]:
                    latest[who] = (key, rating.pk, score)
        expected = {pk for _key, pk, score in latest.values() if score >= level}
        result = only(org.trainee, version)
        assert result.have == len(expected)
        assert {pk for _label, pk in result.records} == expected

    check()


def test_evaluate_many_agrees_with_evaluate_for_each_person(org):
    people = [org.trainee, org.west_trainee, org.supervisor]
    rows = st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=2),
            st.sampled_from(HoursCategory.values),
            st.decimals("0.5", "8", places=1),
            offsets,
        ),
        max_size=12,
    )

    @examples
    @given(rows, periods)
    @rolled_back
    def check(rows, period):
        _track, version = make_track(org.city)
        make_requirement(version, K.HOURS, 5, period_months=period)
        make_requirement(
            version,
            K.HOURS,
            3,
            hours_categories=[HoursCategory.PRACTICE],
        )
        make_requirement(version, K.SHIFTS, 1)
        for who, category, hours, offset in rows:
            HoursEntry.objects.create(
                person=people[who],
                unit=org.east,
                category=category,
                hours=hours,
                kind=HoursEntry.Kind.CREDIT,
                earned_on=TODAY - datetime.timedelta(days=offset),
                source_type=ContentType.objects.get_for_model(OrgUnit),
                source_id=next(_sources),
                source_label="p",
            )
        table = evaluate_many(people, version, today=TODAY)
        assert set(table) == {person.pk for person in people}
        for person in people:
            assert table[person.pk] == evaluate(person, version, today=TODAY)

    check()
