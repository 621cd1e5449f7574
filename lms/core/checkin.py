"""Checking in at a screen: the rotating QR token, the six-digit code, the
wrong-code limiter, the signed scan pass and the QR picture.

Anything people check in to (an offline session, a duty shift) has a
screen at the place showing a QR code of a URL carrying ``current_token``
and, under it, ``short_code`` for phones that cannot scan.  No ORM here
and no knowledge of sessions or shifts: each caller passes ``Keys`` (its
own subject id, its random secret, and a salt naming the kind of subject,
so a session and a shift with the same id never share a code).

- The **token** changes every ``TOKEN_WINDOW`` and is accepted in its own
  window and the next, so it lives between 30 and 60 seconds.  It is
  ``<subject id>.<window number>.<MAC>``, the MAC an HMAC (SHA-256,
  truncated to 120 bits) of the id and window keyed by the secret; it names
  its subject and window in the clear so a refusal can say *why* (another
  session's code, an old code) rather than just "invalid".
- The **short code** is six digits that change every ``CODE_WINDOW``
  (longer, for typing), likewise accepted in their own window and the
  next.  Six digits can be guessed by a script, so ``verify`` pauses a
  person after ``MAX_WRONG_CODES`` wrong ones (the cache counts them).
- The **scan pass** is what the check-in page carries from the scan to
  the tap on its button: the token and the moment of the scan, signed for
  this person and subject, valid ``SCAN_MAX_AGE`` seconds.  Hours count
  from the scan, not the tap.

Lateness and early leave are decided here too, from the times alone.
"""

import base64
import datetime
import hmac
import re
import unicodedata
from dataclasses import dataclass

import qrcode
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from qrcode.image.svg import SvgPathImage

#: A QR token changes this often; the screen polls faster than this.
TOKEN_WINDOW = 30
#: A short code changes this often (typing takes longer than scanning).
CODE_WINDOW = 60
#: An old short code is recognised as "expired" (rather than "wrong") for
#: this many windows, so the message can tell the two apart.
CODE_EXPIRED_LOOKBACK = 30
#: Arriving or leaving within this of the start or end is on time.
LATENESS_TOLERANCE = datetime.timedelta(minutes=5)
#: Check-in opens this long before the start and closes at the end.
CHECK_IN_OPENS_BEFORE = datetime.timedelta(minutes=30)
#: Check-out stays open this long after the end.
CHECK_OUT_CLOSES_AFTER = datetime.timedelta(minutes=30)
#: Wrong short codes one person may try per subject before a pause; this
#: makes guessing six digits one chance in 100,000.
MAX_WRONG_CODES = 5
WRONG_CODES_PAUSE = 10 * 60  # seconds
#: Seconds from opening the QR link to tapping the button.
SCAN_MAX_AGE = 120
#: The screen asks for a new QR code this often (a token is accepted in
#: its window of 30 s and the next).
SCREEN_REFRESH_SECONDS = 20

#: How a person got in, as ``verify`` reports it (the values of the
#: attendance models' method choices).
BY_QR = "qr"
BY_CODE = "code"

_MAX_TOKEN_LENGTH = 100
_MAX_PASS_LENGTH = 500
_TOKEN_PATTERN = re.compile(r"([0-9]{1,18})\.([0-9]{1,18})\.([A-Za-z0-9_-]{20})")


@dataclass(frozen=True)
class Keys:
    """What one subject's codes are made from.

    ``salt`` names the kind of subject (``"courses.attendance"``,
    ``"supervision.shifts"``); the token, code and scan pass each derive
    their own salt from it.
    """

    subject_id: int
    secret: str
    salt: str


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


# --- the token and the code -------------------------------------------------------


def _window(now: datetime.datetime, size: int) -> int:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("aware datetimes only")
    return int(now.timestamp()) // size


def _digest(keys: Keys, kind: str, window: int) -> bytes:
    """An HMAC-SHA256 of the subject and window keyed by the subject's
    secret, under the salt ``<keys.salt>.<kind>``."""
    return salted_hmac(
        f"{keys.salt}.{kind}",
        f"{keys.subject_id}:{window}",
        secret=keys.secret,
        algorithm="sha256",
    ).digest()


def token_for_window(keys: Keys, window: int) -> str:
    mac = base64.urlsafe_b64encode(_digest(keys, "token", window)[:15]).decode("ascii")
    return f"{keys.subject_id}.{window}.{mac}"


def current_token(keys: Keys, now: datetime.datetime) -> str:
    """The token the screen shows at ``now``."""
    return token_for_window(keys, _window(now, TOKEN_WINDOW))


def check_token(token: str, keys: Keys, now: datetime.datetime) -> None:
    """Accept a token of this subject from the current or previous window.

    Raises ``TokenInvalid`` (malformed or forged), ``TokenForAnotherSession``
    or ``TokenExpired``; returns nothing when the token is good.
    """
    token = token if isinstance(token, str) else ""
    match = _TOKEN_PATTERN.fullmatch(token) if len(token) <= _MAX_TOKEN_LENGTH else None
    if match is None:
        raise TokenInvalid(
            _("This check-in link is damaged. Scan the code on the screen again.")
        )
    token_subject, window = int(match[1]), int(match[2])
    if token_subject != keys.subject_id:
        raise TokenForAnotherSession(
            _("This code belongs to another session. Scan the code for this one.")
        )
    if not hmac.compare_digest(token_for_window(keys, window), token):
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


def _code(keys: Keys, window: int) -> str:
    digest = _digest(keys, "code", window)
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def short_code(keys: Keys, now: datetime.datetime) -> str:
    """The six digits the screen shows at ``now``."""
    return _code(keys, _window(now, CODE_WINDOW))


def normalise_code(code: str) -> str:
    """Full-width digits (a Chinese input method's) and spaces are fine."""
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", code or ""))[:32]


def check_short_code(code: str, keys: Keys, now: datetime.datetime) -> None:
    """Accept this subject's code of the current or previous window.

    Raises ``CodeInvalid`` (not six digits), ``CodeExpired`` (a code this
    subject showed a little earlier) or ``CodeWrong``.  Six digits can
    collide, so ``verify`` limits wrong guesses.
    """
    code = normalise_code(code)
    if not re.fullmatch(r"[0-9]{6}", code):
        raise CodeInvalid(_("Enter the six digits shown on the screen."))
    current = _window(now, CODE_WINDOW)
    for window in (current, current - 1):
        if hmac.compare_digest(_code(keys, window), code):
            return
    for window in range(current - 2, current - 2 - CODE_EXPIRED_LOOKBACK, -1):
        if _code(keys, window) == code:
            raise CodeExpired(
                _("This code has expired. Enter the code the screen shows now.")
            )
    raise CodeWrong(
        _(
            "This code is not right. Check the session you chose and the digits on the screen."
        )
    )


# --- one check for both, with the wrong-code limiter ----------------------------


def _count_wrong(key: str) -> None:
    cache.add(key, 0, WRONG_CODES_PAUSE)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WRONG_CODES_PAUSE)


def verify(
    keys: Keys,
    *,
    person_id: int,
    token: str | None,
    code: str | None,
    now: datetime.datetime,
    too_many: str,
) -> str:
    """Check a QR token or, failing that, a short code; ``BY_QR`` or
    ``BY_CODE`` for the one that let the person in.

    Wrong codes are counted per subject kind, subject and person, and
    refused with ``too_many`` (a sentence with ``%(minutes)s``) after
    ``MAX_WRONG_CODES``.  Every refusal is a ``ValidationError`` carrying
    the sentence for the person and the refusal's ``code``.
    """
    if token is not None:
        try:
            check_token(token, keys, now)
        except CheckInRefused as refused:
            raise ValidationError(refused.message, code=refused.code) from refused
        return BY_QR
    if code is None:
        raise ValidationError(
            _("Scan the code on the screen, or enter the six digits shown under it."),
            code="missing",
        )
    key = f"{keys.salt}:wrong-codes:{keys.subject_id}:{person_id}"
    if (cache.get(key) or 0) >= MAX_WRONG_CODES:
        raise ValidationError(
            too_many % {"minutes": WRONG_CODES_PAUSE // 60}, code="too_many"
        )
    try:
        check_short_code(code, keys, now)
    except CheckInRefused as refused:
        if not isinstance(refused, CodeInvalid):
            _count_wrong(key)
        raise ValidationError(refused.message, code=refused.code) from refused
    return BY_CODE


# --- the scan pass ----------------------------------------------------------------


def scan_pass(keys: Keys, *, user_id: int, token: str, now: datetime.datetime) -> str:
    """The signed pass a check-in page carries from the scan to the tap."""
    return signing.dumps(
        {"u": user_id, "s": keys.subject_id, "t": token, "at": now.timestamp()},
        salt=f"{keys.salt}.scan",
    )


def scan_pass_read(value, keys: Keys, *, user_id: int) -> tuple[str, datetime.datetime]:
    """The token and the moment of the scan; ``signing.BadSignature`` for a
    pass that is forged, too old (``SignatureExpired``), or another
    person's or subject's."""
    if not isinstance(value, str) or not value or len(value) > _MAX_PASS_LENGTH:
        raise signing.BadSignature("no pass")
    data = signing.loads(value, salt=f"{keys.salt}.scan", max_age=SCAN_MAX_AGE)
    if data.get("u") != user_id or data.get("s") != keys.subject_id:
        raise signing.BadSignature("another person's or subject's pass")
    scanned_at = datetime.datetime.fromtimestamp(float(data["at"]), tz=datetime.UTC)
    return str(data["t"]), scanned_at


def scan_pass_refusal(error: signing.BadSignature) -> str:
    """The sentence for a pass ``scan_pass_read`` refused."""
    if isinstance(error, signing.SignatureExpired):
        return _("This page has been open too long. Scan the code on the screen again.")
    return _("This check-in link is not valid. Scan the code on the screen again.")


# --- times ------------------------------------------------------------------------


def phase(
    *, starts_at: datetime.datetime, ends_at: datetime.datetime, now: datetime.datetime
) -> str:
    """Where ``now`` falls: ``not_open``, ``open`` (check in or out),
    ``check_out_only`` or ``closed``."""
    if now < starts_at - CHECK_IN_OPENS_BEFORE:
        return "not_open"
    if now <= ends_at:
        return "open"
    if now <= ends_at + CHECK_OUT_CLOSES_AFTER:
        return "check_out_only"
    return "closed"


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


# --- the screen -------------------------------------------------------------------


def qr_svg(data: str) -> str:
    """An inline SVG of a QR code of ``data`` (sized by the page's CSS)."""
    image = qrcode.make(
        data,
        image_factory=SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=2,
    )
    return image.to_string(encoding="unicode")


def screen_state(
    keys: Keys, *, check_in_url: str, present: int, capacity, now: datetime.datetime
) -> dict:
    """What a screen shows at ``now`` (and its poll returns as JSON): the
    check-in URL with the current token, its QR code, the short code and
    the number present.  ``check_in_url`` is absolute, without a query."""
    url = f"{check_in_url}?t={current_token(keys, now)}"
    return {
        "url": url,
        "svg": qr_svg(url),
        "code": short_code(keys, now),
        "present": present,
        "capacity": capacity,
        "refresh_seconds": SCREEN_REFRESH_SECONDS,
    }
