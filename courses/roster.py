"""Roster files (花名册): the template, and reading XLSX or CSV into rows.

No ORM here.  ``read_roster`` decides what a file is by its bytes, not its
name, refuses anything that is not a roster with one sentence
(``RosterRefused``), and checks every row on its own: missing or long
name, malformed email or mobile number, unknown role, a duplicate of an
earlier row, a cell a spreadsheet would run as a formula.  What needs the
database (units, people already registered) is checked by
``courses.services.roster``.

XLSX goes through pandas and openpyxl with every cell read as text, and
with formulas read as formulas (``data_only=False``), so ``=HYPERLINK(…)``
is refused rather than replaced by its cached value.  CSV is decoded as
UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), or
GB18030, the superset of the GBK that Excel in China writes; the stdlib
``csv`` reader takes rows of uneven length that pandas' reader refuses.
"""

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from os import PathLike

import openpyxl
import pandas as pd
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill

from lms.core.models.org import Role

#: The template's header row, in order.  Only 姓名 is required.
TEMPLATE_COLUMNS = ("姓名", "单位编码", "邮箱", "手机号", "警号/工号", "角色")
FIELDS = ("name", "unit_code", "email", "phone", "staff_number", "roles")
#: Header spellings accepted for each field, compared after ``_header_key``.
HEADER_ALIASES = {
    "name": ("姓名", "名字", "name", "fullname"),
    "unit_code": ("单位编码", "单位代码", "单位", "unit", "unitcode"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "邮件", "email", "mail"),
    "phone": ("手机号", "手机", "手机号码", "phone", "mobile", "mobilephone"),
    "staff_number": (
        "警号/工号",
        "警号工号",
        "警号",
        "工号",
        "staffnumber",
        "staffno",
        "policenumber",
    ),
    "roles": ("角色", "role", "roles"),
}
_FIELD_OF_HEADER = {
    alias.casefold(): name
    for name, aliases in HEADER_ALIASES.items()
    for alias in aliases
}
COLUMN_LABELS = dict(zip(FIELDS, TEMPLATE_COLUMNS, strict=True))
#: Role words in the 角色 column (compared case-insensitively).
ROLE_LABELS = {
    "学员": Role.TRAINEE,
    "督导": Role.SUPERVISOR,
    "培训管理员": Role.COORDINATOR,
    "领导": Role.LEADER,
    **{role.value: role for role in Role},
}

MAX_ROWS = 20_000
MAX_BYTES = 16 * 1024 * 1024
#: Uncompressed size of a workbook's parts: a guard against ZIP bombs.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
#: A title line or two above the header is common; look this far down.
HEADER_SEARCH_ROWS = 10
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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"%PDF",
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf",
    b"BM",
    b"RIFF",
)


class RosterRefused(Exception):
    """The file as a whole cannot be read as a roster; ``message`` says why
    in a sentence for the person who uploaded it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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


# --- the template ---------------------------------------------------------------

EXAMPLE_ROW = ("张三", "", "zhangsan@example.com", "13800138000", "010203", "学员")


def _template_notes() -> list[str]:
    return [
        _("One person per row. Only 姓名 (name) is required."),
        _(
            "单位编码: the code of the person's unit; leave it empty to use the "
            "unit chosen when uploading."
        ),
        _(
            "Give an email or a 警号/工号 (staff number) for everyone: people "
            "already registered are recognised by them and are never changed."
        ),
        _("New people receive an invitation email to set their password."),
        _(
            "角色: 学员, 督导, 培训管理员 or 领导; several separated by 、 or a "
            "comma. Empty means 学员."
        ),
        _("手机号: an 11-digit mobile number."),
    ]


def template_xlsx(*, units: Iterable[tuple[str, str]] = ()) -> bytes:
    """The roster template as a workbook: the header row in bold, one
    example row, phone and staff number columns formatted as text (so
    Excel keeps leading zeros), a sheet of notes and, if ``units`` (code,
    name) pairs are given, a sheet listing them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append(TEMPLATE_COLUMNS)
    sheet.append(EXAMPLE_ROW)
    header_fill = PatternFill("solid", fgColor="DDEBE6")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    for letter, width in zip("ABCDEF", (14, 16, 30, 16, 14, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    for column in ("B", "D", "E"):
        for row in range(2, 1002):
            sheet[f"{column}{row}"].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    for text in _template_notes():
        notes.append([text])
    unit_rows = list(units)
    if unit_rows:
        codes = book.create_sheet("单位编码")
        codes.append(["单位编码", "单位名称"])
        for cell in codes[1]:
            cell.font = Font(bold=True)
        codes.column_dimensions["A"].width = 20
        codes.column_dimensions["B"].width = 40
        for code, name in unit_rows:
            codes.append([neutralise(code), neutralise(name)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """The roster template as CSV in UTF-8 with a BOM, which Excel needs to
    open it as UTF-8 rather than GBK."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerow(EXAMPLE_ROW)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def neutralise(value: str) -> str:
    """A value safe to write into a spreadsheet cell: text a spreadsheet
    would run as a formula gets a leading apostrophe."""
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


# --- reading --------------------------------------------------------------------


def read_roster(source, *, filename: str = "") -> list[RosterRow]:
    """Read a roster file (bytes, a path or a binary file object) into
    checked rows.

    Raises ``RosterRefused`` for a file that is not a roster at all: empty,
    too large, binary, an old ``.xls``, a workbook that cannot be opened,
    no header row or no 姓名 column, no data rows, more than ``MAX_ROWS``
    rows.  ``filename`` decides nothing: a renamed file is read as what
    its bytes are.
    """
    data = load_bytes(source)
    table = _table_of(data)
    columns, header_index = _find_header(table)
    rows = []
    for index in range(header_index + 1, len(table)):
        cells = table[index]
        values = {
            name: cells[col] if col < len(cells) else ""
            for name, col in columns.items()
        }
        if not any(_clean(value) for value in values.values()):
            continue
        rows.append(_check_row(index + 1, values))
    if not rows:
        raise RosterRefused(_("The file has a header row but no people in it."))
    if len(rows) > MAX_ROWS:
        raise RosterRefused(_too_many_rows())
    _mark_duplicates(rows)
    return rows


def _too_many_rows() -> str:
    return _("The file has more than %(limit)s rows; split it into smaller files.") % {
        "limit": f"{MAX_ROWS:,}"
    }


def load_bytes(source) -> bytes:
    """The content of bytes, a path or a binary file object, refused when it
    is empty or larger than ``MAX_BYTES`` (only that much is read)."""
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | PathLike):
        with open(source, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise RosterRefused(
            _(
                "The file is larger than %(size)s MB; split the roster into smaller files."
            )
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise RosterRefused(_("The file is empty."))
    return data


def _not_a_spreadsheet() -> RosterRefused:
    return RosterRefused(
        _(
            "This file is not a spreadsheet. Upload the roster as an Excel workbook "
            "(.xlsx) or a CSV file; the template shows the columns."
        )
    )


def _table_of(data: bytes) -> list[list[str]]:
    """The file's cells as text, row by row, whatever its format."""
    if data.startswith(_OLE_MAGIC):
        raise RosterRefused(
            _(
                "This looks like an old Excel 97-2003 (.xls) file or a "
                "password-protected workbook. Open it in Excel, save it as an "
                ".xlsx workbook without a password, and upload that."
            )
        )
    if data.startswith(_ZIP_MAGIC):
        return _xlsx_table(data)
    if data.startswith(_BINARY_MAGIC):
        raise _not_a_spreadsheet()
    return _csv_table(_decode(data))


def _xlsx_table(data: bytes) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as error:
        raise _broken_workbook() from error
    if not any(part.filename == "xl/workbook.xml" for part in parts):
        raise RosterRefused(
            _(
                "This ZIP file is not an Excel workbook (a Word or other document, "
                "perhaps). Upload the roster as .xlsx or .csv."
            )
        )
    if sum(part.file_size for part in parts) > MAX_UNZIPPED_BYTES:
        raise RosterRefused(
            _(
                "The workbook is too large to read. Keep only the roster in it, "
                "or split it into smaller files."
            )
        )
    try:
        frame = pd.read_excel(
            io.BytesIO(data),
            sheet_name=0,
            header=None,
            dtype=str,
            na_filter=False,
            keep_default_na=False,
            engine="openpyxl",
            # Formulas as their text, not their cached values, so a formula
            # is refused like any other cell beginning with "=".
            engine_kwargs={"data_only": False},
            nrows=MAX_ROWS + HEADER_SEARCH_ROWS + 1,
        )
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise _broken_workbook() from error
    if len(frame) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise RosterRefused(_too_many_rows())
    return [[_cell_text(value) for value in row] for row in frame.itertuples(False)]


def _broken_workbook() -> RosterRefused:
    return RosterRefused(
        _(
            "The workbook could not be read; it may be damaged. Open it in Excel, "
            "save it again as .xlsx, and upload that."
        )
    )


def _cell_text(value) -> str:
    if not isinstance(value, str):
        return ""  # NaN from an error cell such as #N/A
    # A date typed into a text column comes back as "2024-01-02 00:00:00".
    return value[:-9] if value.endswith(" 00:00:00") else value


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _not_a_spreadsheet() from error
    if b"\x00" in data:
        raise _not_a_spreadsheet()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL.findall(text[:4096])) > 2:
            raise _not_a_spreadsheet()
        return text
    raise RosterRefused(
        _(
            "The file's text is neither UTF-8 nor GBK. Save it from Excel as "
            "“CSV UTF-8” or as .xlsx and upload it again."
        )
    )


def _csv_table(text: str) -> list[list[str]]:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)
    if delimiter not in first_line:
        delimiter = ","
    table = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            table.append(row)
            if len(table) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise RosterRefused(_too_many_rows())
    except csv.Error as error:
        raise _not_a_spreadsheet() from error
    return table


def _header_key(text: str) -> str:
    text = re.sub(r"[（(].*?[）)]", "", _clean(text))
    return re.sub(r"[\s_\-*＊:：]", "", text).casefold()


def _find_header(table: list[list[str]]) -> tuple[dict[str, int], int]:
    """The column of each known field, and the header's index in the table."""
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(cells):
            name = _FIELD_OF_HEADER.get(_header_key(cell))
            if name is None:
                continue
            if name in columns:
                raise RosterRefused(
                    _("The column %(column)s appears twice in the header row.")
                    % {"column": _clean(cell)}
                )
            columns[name] = col
        if "name" in columns:
            return columns, index
        if len(columns) >= 2:
            raise RosterRefused(
                _(
                    "The header row has no 姓名 (name) column. Add it, or start "
                    "from the template."
                )
            )
    raise RosterRefused(
        _(
            "No header row was found. The first row must name the columns, such "
            "as 姓名, 单位编码, 邮箱 and 手机号; download the template to see them."
        )
    )


# --- checking one row -------------------------------------------------------------


def _clean(value: str) -> str:
    value = _CONTROL.sub("", str(value or ""))
    return value.strip().strip(_INVISIBLE).strip()


def _ascii_field(value: str) -> str:
    # Full-width digits and letters (１３８, ＠) typed with a Chinese input
    # method become their ASCII forms.
    return unicodedata.normalize("NFKC", value).strip()


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _check_row(line: int, raw: dict[str, str]) -> RosterRow:
    row = RosterRow(line=line)
    values = {name: _clean(raw.get(name, "")) for name in FIELDS}
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
                _("“%(label)s” is not a role; use 学员, 督导, 培训管理员 or 领导.")
                % {"label": _short(label, 20)},
            )
        elif role not in roles:
            roles.append(role)
    row.roles = tuple(roles) or (Role.TRAINEE,)


def _mark_duplicates(rows: list[RosterRow]) -> None:
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
