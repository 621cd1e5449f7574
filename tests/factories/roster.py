"""Roster files and the cohorts they are imported into."""

import datetime
import io

import openpyxl

from courses.models import Cohort
from courses.roster_files import TEMPLATE_COLUMNS


def roster_cohort(unit, name="2026 新警心理专题训练班") -> Cohort:
    return Cohort.objects.create(
        name=name,
        unit=unit,
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 8, 31),
    )


def roster_csv(rows: list[list[str]], *, encoding: str = "utf-8-sig") -> bytes:
    """A CSV roster with the template's header and ``rows`` (each padded to
    the template's six columns)."""
    lines = [list(TEMPLATE_COLUMNS)] + [
        list(row) + [""] * (6 - len(row)) for row in rows
    ]
    text = "".join(",".join(line) + "\r\n" for line in lines)
    return text.encode(encoding)


def roster_xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(TEMPLATE_COLUMNS))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def many_rows(
    count: int, *, unit_code: str = "", prefix: str = "p", email=True
) -> list:
    """``count`` distinct people: staff numbers, and emails unless told not."""
    return [
        [
            f"测试{prefix}{i:05d}",
            unit_code,
            f"{prefix}{i:05d}@example.com" if email else "",
            f"139{i:08d}",
            f"{prefix.upper()}{i:06d}",
            "学员",
        ]
        for i in range(count)
    ]


def make_roster_import(unit, *, created_by, status="previewed"):
    """A checked (previewed) import row with an empty report, without a
    stored file: for permission tests that only look it up."""
    from courses.models import RosterImport

    return RosterImport.objects.create(
        unit=unit,
        file_name="名单.xlsx",
        file="roster-imports/none/名单.xlsx",
        status=status,
        report={"rows": [], "counts": {"new": 0, "existing": 0, "error": 0}},
        created_by=created_by,
    )
