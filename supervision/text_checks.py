"""Spot personal data in free text: Chinese resident ID numbers and mobile
numbers.  Pure functions, no ORM.

Cases identify clients by a code only; these checks catch a name's
companions (an ID or phone number) typed into a note by habit.  They warn
rather than refuse outright: a form shows the warning and saves only when
the writer confirms the text holds no personal data.
"""

import datetime
import re
import unicodedata

from django.utils.translation import gettext as _

_ID = re.compile(
    r"(?<![0-9])([1-9][0-9]{5})((?:18|19|20)[0-9]{2})([0-9]{2})([0-9]{2})([0-9]{3}[0-9Xx])(?![0-9])"
)
# First-generation numbers: 15 digits with a YYMMDD birth date (19YY).
_ID15 = re.compile(
    r"(?<![0-9])([1-9][0-9]{5})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{3})(?![0-9])"
)
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86)?1[3-9][0-9]{9}(?![0-9])")
_SEPARATORS = re.compile(r"(?<=[0-9])[\s-](?=[0-9])")


def _normalise(text: str) -> str:
    # Full-width digits from a Chinese input method, and 138-1234-5678.
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))


def _is_date(year: str, month: str, day: str) -> bool:
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def looks_like_id_number(text: str) -> bool:
    """A resident ID number with a real birth date: 18 characters, or the
    first generation's 15 digits."""
    text = _normalise(text)
    if any(_is_date(m[2], m[3], m[4]) for m in _ID.finditer(text)):
        return True
    return any(_is_date("19" + m[2], m[3], m[4]) for m in _ID15.finditer(text))


def looks_like_mobile(text: str) -> bool:
    """An 11-digit mainland mobile number (optionally +86)."""
    return bool(_MOBILE.search(_normalise(text)))


def personal_data_warnings(text: str) -> list[str]:
    """Whole sentences for each kind of personal data the text seems to hold."""
    warnings = []
    if looks_like_id_number(text):
        warnings.append(
            _(
                "This text seems to contain an ID card number. Clients are known by their code only; remove the number."
            )
        )
    if looks_like_mobile(text):
        warnings.append(
            _(
                "This text seems to contain a mobile phone number. Clients are known by their code only; remove the number."
            )
        )
    return warnings
