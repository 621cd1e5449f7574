"""The rotating check-in token and short code (``lms.core.checkin``): pure
functions, tested without a database, with examples and with hypothesis."""

import datetime

import pytest
from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lms.core import checkin

UTC = datetime.UTC
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
SECRET = "0f" * 16
OTHER_SECRET = "a1" * 16
#: The start of a token window (and of a code window: 60 divides it too).
W0 = datetime.datetime(2026, 3, 3, 1, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english():
    # The sentences are asserted in English, their msgids.
    with translation.override("en"):
        yield


def keys(session_id=7, secret=SECRET, salt="courses.attendance"):
    return checkin.Keys(subject_id=session_id, secret=secret, salt=salt)


def at(seconds: float) -> datetime.datetime:
    return W0 + datetime.timedelta(seconds=seconds)


def token(now=W0, session_id=7, secret=SECRET):
    return checkin.current_token(keys(session_id, secret), now)


def check(value, now=W0, session_id=7, secret=SECRET):
    checkin.check_token(value, keys(session_id, secret), now)


# --- tokens: examples -------------------------------------------------------------


def test_a_token_is_accepted_in_its_window_and_the_next_only():
    value = token(at(0))
    for seconds in (0, 29.9, 30, 59.9):
        check(value, at(seconds))
    with pytest.raises(checkin.TokenExpired) as refused:
        check(value, at(60))
    assert "expired" in refused.value.message


def test_the_token_changes_every_thirty_seconds_and_names_its_session():
    assert token(at(0)) == token(at(29))
    assert token(at(29)) != token(at(30))
    assert token(at(0)).startswith("7.")


def test_a_token_of_another_session_is_refused_as_such():
    with pytest.raises(checkin.TokenForAnotherSession) as refused:
        check(token(session_id=8), session_id=7)
    assert "another session" in refused.value.message


def test_a_token_made_with_another_secret_is_refused_as_forged():
    with pytest.raises(checkin.TokenInvalid):
        check(token(secret=OTHER_SECRET))


def test_a_token_with_its_window_moved_forward_is_refused():
    # An old token whose window number was edited to look current.
    sid, _window, mac = token(at(0)).split(".")
    moved = f"{sid}.{int(_window) + 2}.{mac}"
    with pytest.raises(checkin.TokenInvalid):
        check(moved, at(60))


def test_a_token_from_the_future_is_refused():
    with pytest.raises(checkin.TokenInvalid):
        check(token(at(60)), at(0))


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        12,
        "abc",
        "7.1.2",
        "7..",
        "7.123.<script>alert(1)</script>",
        "x" * 10_000,
        "7.5907128." + "A" * 19,
        "７.５９０.AAAAAAAAAAAAAAAAAAAA",  # full-width digits
        "٧.590.AAAAAAAAAAAAAAAAAAAA",  # Arabic-Indic digits
    ],
)
def test_malformed_tokens_are_refused_with_a_sentence(value):
    with pytest.raises(checkin.TokenInvalid) as refused:
        check(value)
    assert refused.value.message.endswith(".")


def test_a_token_with_a_trailing_newline_is_refused():
    with pytest.raises(checkin.TokenInvalid):
        check(token() + "\n")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        token(datetime.datetime(2026, 3, 3, 9, 0))


# --- tokens: properties -----------------------------------------------------------

moments = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1),
    max_value=datetime.datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, SHANGHAI]),
)
session_ids = st.integers(min_value=1, max_value=2**53)
secrets = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)


@settings(max_examples=300, deadline=None)
@given(
    session_id=session_ids,
    secret=secrets,
    made=moments,
    later=st.integers(min_value=0, max_value=300),
)
@example(session_id=1, secret=SECRET, made=at(29.999), later=31)
def test_a_token_is_valid_for_exactly_its_window_and_the_next(
    session_id, secret, made, later
):
    value = checkin.current_token(keys(session_id, secret), made)
    checked = made + datetime.timedelta(seconds=later)
    windows_apart = (
        int(checked.timestamp()) // checkin.TOKEN_WINDOW
        - int(made.timestamp()) // checkin.TOKEN_WINDOW
    )
    try:
        checkin.check_token(value, keys(session_id, secret), checked)
        accepted = True
    except checkin.TokenExpired:
        accepted = False
    assert accepted == (windows_apart in (0, 1))


@settings(max_examples=300, deadline=None)
@given(
    session_id=session_ids,
    other_id=session_ids,
    secret=secrets,
    other_secret=secrets,
    now=moments,
)
def test_a_token_is_never_valid_for_another_session_or_secret(
    session_id, other_id, secret, other_secret, now
):
    value = checkin.current_token(keys(session_id, secret), now)
    if other_id != session_id:
        with pytest.raises(checkin.TokenForAnotherSession):
            checkin.check_token(value, keys(other_id, secret), now)
    if other_secret != secret:
        with pytest.raises(checkin.TokenInvalid):
            checkin.check_token(value, keys(session_id, other_secret), now)


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=200), now=moments)
def test_any_text_is_either_refused_or_a_real_token(value, now):
    try:
        checkin.check_token(value, keys(7, SECRET), now)
    except checkin.CheckInRefused as refused:
        assert refused.message
    else:
        # Hypothesis cannot forge a MAC: only a genuine token gets here.
        assert value == checkin.current_token(keys(7, SECRET), now)


# --- short codes ------------------------------------------------------------------


def code(now=W0, session_id=7, secret=SECRET):
    return checkin.short_code(keys(session_id, secret), now)


def check_code(value, now=W0, session_id=7, secret=SECRET):
    checkin.check_short_code(value, keys(session_id, secret), now)


def test_a_short_code_is_six_digits_and_changes_every_minute():
    assert len(code()) == 6 and code().isdigit()
    assert code(at(0)) == code(at(59))
    assert code(at(59)) != code(at(60))


def test_a_short_code_is_accepted_in_its_minute_and_the_next():
    value = code(at(0))
    check_code(value, at(0))
    check_code(value, at(119))
    with pytest.raises(checkin.CodeExpired) as refused:
        check_code(value, at(120))
    assert "expired" in refused.value.message


def test_a_short_code_typed_with_a_chinese_input_method_is_accepted():
    value = code()
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in value)
    check_code(full_width)
    check_code(f" {value[:3]} {value[3:]} ")


def test_a_wrong_short_code_is_refused_as_wrong():
    wrong = f"{(int(code()) + 1) % 1_000_000:06d}"
    with pytest.raises(checkin.CodeWrong) as refused:
        check_code(wrong)
    assert "not right" in refused.value.message


@pytest.mark.parametrize(
    "value", ["", "12345", "1234567", "abcdef", "12345x", "<script>", "9" * 10_000]
)
def test_a_short_code_that_is_not_six_digits_is_refused_with_a_sentence(value):
    with pytest.raises(checkin.CodeInvalid) as refused:
        check_code(value)
    assert refused.value.message == "Enter the six digits shown on the screen."


def test_short_codes_of_different_sessions_and_secrets_differ():
    # Six digits can collide (one in a million), which is why wrong codes
    # are rate-limited; across a few hundred sessions they do not.
    by_session = {code(session_id=n) for n in range(1, 301)}
    by_secret = {code(secret=f"{n:032x}") for n in range(300)}
    assert len(by_session) >= 299 and len(by_secret) >= 299


@settings(max_examples=300, deadline=None)
@given(session_id=session_ids, secret=secrets, made=moments, later=st.integers(0, 600))
def test_a_short_code_is_accepted_in_its_window_and_the_next(
    session_id, secret, made, later
):
    value = checkin.short_code(keys(session_id, secret), made)
    assert len(value) == 6 and value.isascii() and value.isdigit()
    checked = made + datetime.timedelta(seconds=later)
    windows_apart = (
        int(checked.timestamp()) // checkin.CODE_WINDOW
        - int(made.timestamp()) // checkin.CODE_WINDOW
    )
    if windows_apart in (0, 1):
        checkin.check_short_code(value, keys(session_id, secret), checked)


# --- lateness ------------------------------------------------------------------------


def test_lateness_counts_only_beyond_the_tolerance():
    start = at(0)
    minutes = datetime.timedelta(minutes=1)
    assert checkin.minutes_late(checked_in_at=None, starts_at=start) == 0
    assert (
        checkin.minutes_late(checked_in_at=start - 20 * minutes, starts_at=start) == 0
    )
    assert checkin.minutes_late(checked_in_at=start + 5 * minutes, starts_at=start) == 0
    assert (
        checkin.minutes_late(checked_in_at=start + 12 * minutes, starts_at=start) == 12
    )


def test_early_leave_counts_only_beyond_the_tolerance():
    end = at(0)
    minutes = datetime.timedelta(minutes=1)
    assert checkin.minutes_early(checked_out_at=None, ends_at=end) == 0
    assert checkin.minutes_early(checked_out_at=end - 5 * minutes, ends_at=end) == 0
    assert checkin.minutes_early(checked_out_at=end + 9 * minutes, ends_at=end) == 0
    assert checkin.minutes_early(checked_out_at=end - 30 * minutes, ends_at=end) == 30


# --- kinds of subject ----------------------------------------------------------------


def test_a_session_and_a_shift_with_the_same_id_and_secret_share_no_code():
    session, shift = keys(salt="courses.attendance"), keys(salt="supervision.shifts")
    with pytest.raises(checkin.TokenInvalid):
        checkin.check_token(checkin.current_token(session, W0), shift, W0)
    assert checkin.short_code(session, W0) != checkin.short_code(shift, W0)


def test_a_scan_pass_is_for_one_person_one_subject_and_one_kind():
    from django.core import signing

    session, shift = keys(salt="courses.attendance"), keys(salt="supervision.shifts")
    value = checkin.scan_pass(session, user_id=3, token="t", now=W0)
    assert checkin.scan_pass_read(value, session, user_id=3) == ("t", W0)
    for other, user_id in [(session, 4), (shift, 3), (keys(session_id=8), 3)]:
        with pytest.raises(signing.BadSignature):
            checkin.scan_pass_read(value, other, user_id=user_id)
    for hostile in ["", None, "x" * 501, 12, "a.b.c"]:
        with pytest.raises(signing.BadSignature):
            checkin.scan_pass_read(hostile, session, user_id=3)
