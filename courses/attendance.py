"""The rotating check-in token and short code for offline sessions.

No ORM here: pure functions of a session's id, its random ``secret`` and
the clock.  The coordinator's screen shows a QR code of a URL carrying
``current_token``; it changes every ``TOKEN_WINDOW`` and is accepted in
its own window and the next, so a token lives between 30 and 60 seconds.
Phones that cannot scan type ``short_code`` instead: six digits that
change every ``CODE_WINDOW`` (longer, for typing), likewise accepted in
their own window and the next.

A token is ``<session id>.<window number>.<MAC>``, the MAC being an HMAC
(SHA-256, truncated to 120 bits) of the session id and window keyed by
the session's secret.  It names its session and window in the clear so a
refusal can say *why* (another session's code, an old code) rather than
just "invalid".

Lateness and early leave are also decided here, from the times alone.
"""

import base64
import datetime
import hmac
import re
import unicodedata

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

#: A QR token changes this often; the screen polls faster than this.
TOKEN_WINDOW = 30
#: A short code changes this often (typing takes longer than scanning).
CODE_WINDOW = 60
#: An old short code is recognised as "expired" (rather than "wrong") for
#: this many windows, so the message can tell the two apart.
CODE_EXPIRED_LOOKBACK = 30
#: Arriving or leaving within this of the start or end is on time.
LATENESS_TOLERANCE = datetime.timedelta(minutes=5)

_TOKEN_SALT = "courses.attendance.token"  # noqa: S105 - a salt, not a secret
_CODE_SALT = "courses.attendance.code"
_MAX_TOKEN_LENGTH = 100
_TOKEN_PATTERN = re.compile(r"([0-9]{1,18})\.([0-9]{1,18})\.([A-Za-z0-9_-]{20})")


class CheckInRefused(Exception):
    """A token or code that does not let the person in.

    ``code`` is a short slug for programs; ``message`` a whole sentence in
    the active language for the person holding the phone.
    """

    code = "refused"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TokenInvalid(CheckInRefused):
    """Malformed, cut short, or forged (its MAC does not match)."""

    code = "token_invalid"


class TokenForAnotherSession(CheckInRefused):
    code = "token_other_session"


class TokenExpired(CheckInRefused):
    code = "token_expired"


class CodeInvalid(CheckInRefused):
    """Not six digits."""

    code = "code_invalid"


class CodeWrong(CheckInRefused):
    code = "code_wrong"


class CodeExpired(CheckInRefused):
    code = "code_expired"


def _window(now: datetime.datetime, size: int) -> int:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("aware datetimes only")
    return int(now.timestamp()) // size


def _mac(*, session_id: int, secret: str, window: int) -> str:
    digest = salted_hmac(
        _TOKEN_SALT, f"{session_id}:{window}", secret=secret, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest[:15]).decode("ascii")


def token_for_window(*, session_id: int, secret: str, window: int) -> str:
    return f"{session_id}.{window}.{_mac(session_id=session_id, secret=secret, window=window)}"


def current_token(*, session_id: int, secret: str, now: datetime.datetime) -> str:
    """The token the screen shows at ``now``."""
    return token_for_window(
        session_id=session_id, secret=secret, window=_window(now, TOKEN_WINDOW)
    )


def check_token(
    token: str, *, session_id: int, secret: str, now: datetime.datetime
) -> None:
    """Accept a token of this session from the current or previous window.

    Raises ``TokenInvalid`` (malformed or forged), ``TokenForAnotherSession``
    or ``TokenExpired``; returns nothing when the token is good.
    """
    token = token if isinstance(token, str) else ""
    match = _TOKEN_PATTERN.fullmatch(token) if len(token) <= _MAX_TOKEN_LENGTH else None
    if match is None:
        raise TokenInvalid(
            _("This check-in link is damaged. Scan the code on the screen again.")
        )
    token_session, window = int(match[1]), int(match[2])
    if token_session != session_id:
        raise TokenForAnotherSession(
            _("This code belongs to another session. Scan the code for this one.")
        )
    expected = _mac(session_id=session_id, secret=secret, window=window)
    if not hmac.compare_digest(expected, match[3]):
        raise TokenInvalid(
            _("This check-in link is not valid. Scan the code on the screen again.")
        )
    current = _window(now, TOKEN_WINDOW)
    if window > current:
        # Only the server makes tokens, so one from the future is not ours.
        raise TokenInvalid(
            _("This check-in link is not valid. Scan the code on the screen again.")
        )
    if window < current - 1:
        raise TokenExpired(
            _(
                "This code has expired. Scan the code on the screen again; it changes every half minute."
            )
        )


def _code(*, session_id: int, secret: str, window: int) -> str:
    digest = salted_hmac(
        _CODE_SALT, f"{session_id}:{window}", secret=secret, algorithm="sha256"
    ).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def short_code(*, session_id: int, secret: str, now: datetime.datetime) -> str:
    """The six digits the screen shows at ``now``."""
    return _code(session_id=session_id, secret=secret, window=_window(now, CODE_WINDOW))


def normalise_code(code: str) -> str:
    """Full-width digits (a Chinese input method's) and spaces are fine."""
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", code or ""))[:32]


def check_short_code(
    code: str, *, session_id: int, secret: str, now: datetime.datetime
) -> None:
    """Accept this session's code of the current or previous window.

    Raises ``CodeInvalid`` (not six digits), ``CodeExpired`` (a code this
    session showed a little earlier) or ``CodeWrong``.  Six digits can
    collide, so the caller limits wrong guesses.
    """
    code = normalise_code(code)
    if not re.fullmatch(r"[0-9]{6}", code):
        raise CodeInvalid(_("Enter the six digits shown on the screen."))
    current = _window(now, CODE_WINDOW)
    for window in (current, current - 1):
        expected = _code(session_id=session_id, secret=secret, window=window)
        if hmac.compare_digest(expected, code):
            return
    for window in range(current - 2, current - 2 - CODE_EXPIRED_LOOKBACK, -1):
        if _code(session_id=session_id, secret=secret, window=window) == code:
            raise CodeExpired(
                _("This code has expired. Enter the code the screen shows now.")
            )
    raise CodeWrong(
        _(
            "This code is not right. Check the session you chose and the digits on the screen."
        )
    )


def minutes_late(
    *, checked_in_at: datetime.datetime | None, starts_at: datetime.datetime
) -> int:
    """Whole minutes after the start, or 0 when on time (within tolerance)."""
    if checked_in_at is None or checked_in_at <= starts_at + LATENESS_TOLERANCE:
        return 0
    return int((checked_in_at - starts_at).total_seconds() // 60)


def minutes_early(
    *, checked_out_at: datetime.datetime | None, ends_at: datetime.datetime
) -> int:
    """Whole minutes before the end, or 0 when not early (within tolerance)."""
    if checked_out_at is None or checked_out_at >= ends_at - LATENESS_TOLERANCE:
        return 0
    return int((ends_at - checked_out_at).total_seconds() // 60)
