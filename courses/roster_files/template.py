"""Roster files (花名册), part three: the template to fill in, as XLSX or
CSV, and making a value safe to write into a spreadsheet cell.  No ORM.
"""

import csv
import io
from collections.abc import Iterable

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill

from lms.core.spreadsheets import safe_cell

from .checks import ROLE_WORDS, TEMPLATE_COLUMNS

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
            "角色: several roles are separated by 、 or a comma; empty means 学员. "
            "Each role may be written in any of these ways:"
        ),
        *[f"    {words[0]}: {'、'.join(words)}" for words in ROLE_WORDS.values()],
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
    would run as a formula (tab and carriage return included) gets a
    leading apostrophe (``lms.core.spreadsheets``)."""
    return safe_cell(str(value))
