"""Roster files (花名册), part one: what a row is, and checking one row.

No ORM.  ``RosterRow`` is one person's row as read from the file, with its
own problems and warnings; ``row_check`` checks every cell of a row on
its own (missing or long name, malformed email or mobile number, unknown
role, a cell a spreadsheet would run as a formula) and
``duplicates_mark`` refuses a row that repeats an earlier one.  Reading
the file is ``courses.roster_files.reading``; the template is
``courses.roster_files.template``.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from lms.core.models.org import Role

#: The template's header row, in order.  Only 姓名 is required.
TEMPLATE_COLUMNS = ("姓名", "单位编码", "邮箱", "手机号", "警号/工号", "角色")
FIELDS = ("name", "unit_code", "email", "phone", "staff_number", "roles")
COLUMN_LABELS = dict(zip(FIELDS, TEMPLATE_COLUMNS, strict=True))
#: The words the 角色 column accepts for each role: first the name the
#: product shows (``Role``'s label in Chinese), then the other names people
#: give the role, then the English name.  Compared case-insensitively,
#: full-width letters folded; none may contain a separator (space, 、, /).
#: 管理员 alone is taken as 培训管理员: the roster never makes platform
#: administrators.
ROLE_WORDS = {
    Role.TRAINEE: ("学员", "培训学员", "受训学员", "受训人员", "trainee", "student"),
    Role.SUPERVISOR: ("督导师", "督导", "督导老师", "心理教官", "supervisor"),
    Role.COORDINATOR: (
        "培训管理员",
        "管理员",
        "协调员",
        "培训协调员",
        "培训专管员",
        "coordinator",
    ),
    Role.LEADER: ("领导", "单位领导", "负责人", "leader"),
}
#: Role words in the 角色 column (compared case-insensitively).
ROLE_LABELS = {
    word.casefold(): role for role, words in ROLE_WORDS.items() for word in words
} | {role.value: role for role in Role}


def role_words_text() -> str:
    """The accepted words as one line: 学员（培训学员、…、trainee）；督导师（…）…"""
    return "；".join(
        f"{words[0]}（{'、'.join(words[1:])}）" for words in ROLE_WORDS.values()
    )


NAME_MAX = 80  # User.full_name
EMAIL_MAX = 254
STAFF_NUMBER_MAX = 32  # User.staff_number
FORMULA_STARTS = ("=", "+", "-", "@")

_PHONE = re.compile(r"1[3-9]\d{9}")
_PHONE_LIKE = re.compile(r"\+?[\d\s\-()（）]+")
_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")
_INTEGRAL_FLOAT = re.compile(r"(\d+)\.0+")
_ROLE_SPLIT = re.compile(r"[、,，;；/\s]+")
# str.strip() knows U+3000 and U+00A0 but not the zero-width characters
# that copying from web pages and WeChat leaves behind.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class RosterRow:
    """One person's row as read from the file, with its own problems.

    ``line`` is the row number the spreadsheet shows (the header is row 1
    when it is the first row).  ``problems`` refuse the row; ``warnings``
    do not.  Both are ``(code, sentence)`` pairs.
    """

    line: int
    name: str = ""
    unit_code: str = ""
    email: str = ""
    phone: str = ""
    staff_number: str = ""
    roles: tuple[str, ...] = (Role.TRAINEE,)
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def refuse(self, code: str, message: str) -> None:
        self.problems.append((code, message))

    def warn(self, code: str, message: str) -> None:
        self.warnings.append((code, message))


# --- checking one row -------------------------------------------------------------


def cell_clean(value: str) -> str:
    value = CONTROL_CHARACTERS.sub("", str(value or ""))
    return value.strip().strip(_INVISIBLE).strip()


def _ascii_field(value: str) -> str:
    # Full-width digits and letters (１３８, ＠) typed with a Chinese input
    # method become their ASCII forms.
    return unicodedata.normalize("NFKC", value).strip()


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def row_check(line: int, raw: dict[str, str]) -> RosterRow:
    row = RosterRow(line=line)
    values = {name: cell_clean(raw.get(name, "")) for name in FIELDS}
    for name, value in values.items():
        if _is_formula(name, value):
            row.refuse(
                "formula",
                _(
                    "The %(column)s cell begins with “%(char)s”, which "
                    "spreadsheets run as a formula, so the row is refused. Remove "
                    "the formula or the leading character."
                )
                % {"column": COLUMN_LABELS[name], "char": value[0]},
            )
            values[name] = ""  # never keep it, not even in the report
    row.name = re.sub(r"\s+", " ", values["name"])
    row.unit_code = _ascii_field(values["unit_code"])
    _check_name(row, formula="formula" in {code for code, _m in row.problems})
    _check_email(row, _ascii_field(values["email"]))
    _check_phone(row, _ascii_field(values["phone"]))
    _check_staff_number(row, _ascii_field(values["staff_number"]))
    _check_roles(row, values["roles"])
    if not row.email and not row.staff_number and row.ok:
        row.refuse(
            "no_identifier",
            _(
                "Give an email or a staff number, so that the person is recognised "
                "in later imports."
            ),
        )
    return row


def _is_formula(name: str, value: str) -> bool:
    if not value.startswith(FORMULA_STARTS):
        return False
    # "+86 138 0013 8000" is a phone number, not a formula.
    return not (name == "phone" and _PHONE_LIKE.fullmatch(value))


def _check_name(row: RosterRow, *, formula: bool) -> None:
    if not row.name:
        if not formula:
            row.refuse("missing_name", _("The name is missing."))
    elif len(row.name) > NAME_MAX:
        row.refuse(
            "name_too_long",
            _("The name is longer than %(limit)s characters.") % {"limit": NAME_MAX},
        )
        row.name = _short(row.name, NAME_MAX)


def _check_email(row: RosterRow, email: str) -> None:
    email = email.lower()
    if not email:
        return
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        row.refuse(
            "bad_email",
            _("The email address %(value)s is not valid.") % {"value": _short(email)},
        )
        return
    row.email = email


def normalise_phone(value: str) -> str:
    """Digits only, without a leading +86, 86 or 0086 before 11 digits."""
    integral = _INTEGRAL_FLOAT.fullmatch(value)
    if integral:
        value = integral.group(1)
    value = re.sub(r"[\s\-()（）]", "", value)
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            return value[len(prefix) :]
    return value


def _check_phone(row: RosterRow, phone: str) -> None:
    if not phone:
        return
    if _SCIENTIFIC.fullmatch(phone):
        row.refuse(
            "bad_phone",
            _(
                "Excel shows this phone number as %(value)s and has lost its last "
                "digits. Format the column as text and type the numbers again."
            )
            % {"value": _short(phone)},
        )
        return
    normal = normalise_phone(phone)
    if not _PHONE.fullmatch(normal):
        row.refuse(
            "bad_phone",
            _("The mobile number %(value)s is not 11 digits starting with 1.")
            % {"value": _short(phone)},
        )
        return
    row.phone = normal


def _check_staff_number(row: RosterRow, number: str) -> None:
    if len(number) > STAFF_NUMBER_MAX:
        row.refuse(
            "staff_number_too_long",
            _("The staff number is longer than %(limit)s characters.")
            % {"limit": STAFF_NUMBER_MAX},
        )
        return
    if re.search(r"\s", number):
        row.refuse(
            "bad_staff_number",
            _("The staff number %(value)s contains spaces.") % {"value": number},
        )
        return
    row.staff_number = number


def _check_roles(row: RosterRow, text: str) -> None:
    roles: list[str] = []
    for label in filter(None, _ROLE_SPLIT.split(_ascii_field(text))):
        role = ROLE_LABELS.get(label.casefold())
        if role is None:
            row.refuse(
                "unknown_role",
                _("“%(label)s” is not a role; use one of these: %(roles)s.")
                % {"label": _short(label, 20), "roles": role_words_text()},
            )
        elif role not in roles:
            roles.append(role)
    row.roles = tuple(roles) or (Role.TRAINEE,)


def duplicates_mark(rows: list[RosterRow]) -> None:
    """Refuse a row that repeats an earlier row's email, phone or staff
    number, naming the earlier row."""
    messages = {
        "email": _("This email also appears in row %(line)s."),
        "phone": _("This phone number also appears in row %(line)s."),
        "staff_number": _("This staff number also appears in row %(line)s."),
    }
    seen: dict[str, dict[str, int]] = {key: {} for key in messages}
    for row in rows:
        for key, message in messages.items():
            value = getattr(row, key)
            if not value:
                continue
            value = value.casefold()
            first = seen[key].setdefault(value, row.line)
            if first != row.line:
                row.refuse("duplicate", message % {"line": first})


def row_fingerprint(row: RosterRow) -> str:
    """A short stable hash of the person's details, for usernames that have
    nothing better to be made from."""
    text = "|".join((row.name, row.email, row.phone, row.staff_number))
    return hashlib.sha256(text.encode()).hexdigest()[:10]
