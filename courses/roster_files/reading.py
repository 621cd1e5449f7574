"""Roster files (花名册), part two: reading XLSX or CSV into checked rows.

No ORM.  ``read_roster`` decides what a file is by its bytes, not its
name, refuses anything that is not a roster with one sentence
(``RosterRefused``), finds the header row, and hands each data row to the
row checks in ``courses.roster_files.checks``.

XLSX goes through pandas and openpyxl with every cell read as text, and
with formulas read as formulas (``data_only=False``), so ``=HYPERLINK(…)``
is refused rather than replaced by its cached value.  CSV is decoded as
UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), or
GB18030, the superset of the GBK that Excel in China writes; the stdlib
``csv`` reader takes rows of uneven length that pandas' reader refuses.
"""

import csv
import io
import re
import zipfile
from os import PathLike

import pandas as pd
from django.utils.translation import gettext as _

from .checks import (
    CONTROL_CHARACTERS,
    RosterRow,
    cell_clean,
    duplicates_mark,
    row_check,
)

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

MAX_ROWS = 20_000
MAX_BYTES = 16 * 1024 * 1024
#: Uncompressed size of a workbook's parts: a guard against ZIP bombs.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
#: A title line or two above the header is common; look this far down.
HEADER_SEARCH_ROWS = 10

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
        if not any(cell_clean(value) for value in values.values()):
            continue
        rows.append(row_check(index + 1, values))
    if not rows:
        raise RosterRefused(_("The file has a header row but no people in it."))
    if len(rows) > MAX_ROWS:
        raise RosterRefused(_too_many_rows())
    duplicates_mark(rows)
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
        if len(CONTROL_CHARACTERS.findall(text[:4096])) > 2:
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
    text = re.sub(r"[（(].*?[）)]", "", cell_clean(text))
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
                    % {"column": cell_clean(cell)}
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
