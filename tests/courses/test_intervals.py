"""The arithmetic of "≥90% actually watched", with property-based tests."""

from hypothesis import given, settings
from hypothesis import strategies as st

from courses import intervals

DURATION = 100.0

span = st.tuples(
    st.floats(min_value=-20, max_value=130, allow_nan=False),
    st.floats(min_value=-20, max_value=130, allow_nan=False),
)


def test_merge_joins_overlapping_and_touching_intervals():
    assert intervals.merge([(5, 10), (0, 3), (3, 4), (9, 12)]) == [(0, 4), (5, 12)]


def test_replaying_the_same_seconds_adds_nothing():
    known = intervals.add_report([], [(0, 30)], duration=DURATION, elapsed_seconds=30)
    again = intervals.add_report(
        known, [(0, 30)], duration=DURATION, elapsed_seconds=30
    )
    assert intervals.length(again) == 30


def test_seeking_to_the_end_alone_does_not_complete():
    known = intervals.add_report([], [(97, 100)], duration=DURATION, elapsed_seconds=3)
    assert not intervals.is_complete(known, duration=DURATION)


def test_a_report_cannot_claim_more_than_the_clock_allows():
    # Page open for 10 s: at most 10 × 2 + 5 = 25 new seconds, not 100.
    known = intervals.add_report([], [(0, 100)], duration=DURATION, elapsed_seconds=10)
    assert intervals.length(known) == 25
    assert not intervals.is_complete(known, duration=DURATION)


def test_watching_at_double_speed_completes_in_half_the_time():
    known = []
    for step in range(5):  # 5 reports 10 s apart, 20 s of video each
        start = step * 20
        known = intervals.add_report(
            known, [(0, start + 20)], duration=DURATION, elapsed_seconds=10
        )
    assert intervals.is_complete(known, duration=DURATION)


def test_exactly_ninety_percent_completes_and_just_under_does_not():
    assert intervals.is_complete([(0, 90)], duration=DURATION)
    assert not intervals.is_complete([(0, 89.9)], duration=DURATION)


@given(st.lists(span, max_size=30))
def test_merged_intervals_are_sorted_disjoint_and_cover_the_same_points(items):
    merged = intervals.merge(intervals.clip(items, duration=DURATION))
    for (_a_start, a_end), (b_start, _b_end) in zip(merged, merged[1:], strict=False):
        assert a_end < b_start
    for start, end in merged:
        assert 0 <= start < end <= DURATION
    assert intervals.length(merged) <= DURATION


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(st.lists(span, max_size=5), st.floats(min_value=0, max_value=1000)),
        max_size=20,
    )
)
def test_no_sequence_of_reports_covering_under_90_percent_completes(reports):
    known = []
    union_of_reports = []
    for reported, elapsed in reports:
        known = intervals.add_report(
            known, reported, duration=DURATION, elapsed_seconds=elapsed
        )
        union_of_reports = intervals.merge(
            union_of_reports + intervals.clip(reported, duration=DURATION)
        )
        # What we credit is always part of what was reported.
        assert intervals.length(known) <= intervals.length(union_of_reports) + 1e-6
    if intervals.length(union_of_reports) < 0.9 * DURATION:
        assert not intervals.is_complete(known, duration=DURATION)


@given(st.lists(st.tuples(st.lists(span, max_size=5), st.floats(0, 60)), max_size=20))
def test_credited_seconds_never_outrun_the_clock(reports):
    known = []
    allowed = 0.0
    for reported, elapsed in reports:
        known = intervals.add_report(
            known, reported, duration=DURATION, elapsed_seconds=elapsed
        )
        allowed += elapsed * intervals.MAX_RATE + intervals.SLACK_SECONDS
        assert intervals.length(known) <= allowed + 1e-6


@given(st.lists(span, max_size=20), st.randoms())
def test_the_order_of_reports_does_not_change_the_union(items, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert intervals.merge(intervals.clip(items, duration=DURATION)) == intervals.merge(
        intervals.clip(shuffled, duration=DURATION)
    )
