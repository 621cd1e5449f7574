"""A trainee's own practice log as a file (CSV, XLSX or PDF), as practicum
tools allow: one row per entry with its status and supervisor as words a
reader understands (labels in the reader's language, never stored values).

Every cell goes through ``lms.core.spreadsheets.safe_cell`` so text a
trainee typed cannot run as a formula; the download is audited as an
export by the view.
"""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from lms.core.spreadsheets import safe_cell

from ..models import PracticeEntry
from ..selectors.entries import reviewers_of
from .entries import entry_hours

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _name(person) -> str:
    return (person.full_name or person.get_username()) if person else ""


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def header() -> list[str]:
    return [
        _("Date"),
        _("Kind"),
        _("Minutes"),
        _("Hours"),
        _("Title"),
        _("Technique"),
        _("Client code"),
        _("Status"),
        _("Supervisor"),
        _("Signed off at"),
        _("Supervisor's comment"),
        _("Amends the entry of"),
        _("Reflection"),
    ]


def _supervisor_and_comment(entry: PracticeEntry) -> tuple[str, str, str]:
    """(who, when, comment) of the entry's sign-off: who approved it, who
    returned it last, or who will review it while it waits."""
    Status = PracticeEntry.Status
    steps = sorted(entry.transitions.all(), key=lambda s: (s.created_at, s.pk))
    signed = [s for s in steps if s.to_status in (Status.APPROVED, Status.RETURNED)]
    last = signed[-1] if signed else None
    comment = last.comment if last else ""
    if entry.status == Status.APPROVED:
        when = _local(entry.approved_at) if entry.approved_at else ""
        return _name(entry.approved_by), when, comment
    if entry.status == Status.RETURNED and last is not None:
        return _name(last.actor), _local(last.created_at), comment
    if entry.status in PracticeEntry.PENDING:
        names = "、".join(_name(p) for p in reviewers_of(entry))
        return names or _("No supervisor assigned yet"), "", comment
    return "", "", ""


def row(entry: PracticeEntry) -> list:
    who, when, comment = _supervisor_and_comment(entry)
    return [
        entry.occurred_on.strftime("%Y-%m-%d"),
        entry.get_kind_display(),
        entry.minutes,
        float(entry_hours(entry)),
        entry.title,
        str(entry.technique) if entry.technique_id else "",
        entry.case.client_code if entry.case_id else "",
        entry.get_status_display(),
        who,
        when,
        comment,
        entry.amends.occurred_on.strftime("%Y-%m-%d") if entry.amends_id else "",
        entry.reflection,
    ]


def practice_log_csv(entries, *, person=None) -> bytes:
    """UTF-8 with a byte-order mark, so Excel and WPS read the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(v) for v in header()])
    for entry in entries:
        writer.writerow([safe_cell(v) for v in row(entry)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(value):
    """``safe_cell``, less the control characters XLSX cannot hold."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return safe_cell(value)


def practice_log_xlsx(entries, *, person=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Practice log")[:31]
    sheet.append([safe_cell(v) for v in header()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in entries:
        sheet.append([_xlsx_cell(v) for v in row(entry)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


PDF_TYPE = "application/pdf"


def _markup(text) -> str:
    """``text`` as Paragraph markup, each run in a font that has its glyphs
    (the certificate's pair: Vera for Latin, Droid for Chinese)."""
    from xml.sax.saxutils import escape

    from ..certificate_pdf import _runs

    text = ILLEGAL_CHARACTERS_RE.sub("", str(text if text is not None else ""))
    return "".join(
        f'<font name="{font}">{escape(piece)}</font>'.replace("\n", "<br/>")
        for font, piece in _runs(text)
    )


def practice_log_pdf(entries, *, person) -> bytes:
    """The log as an A4 landscape table (the reflection left out: it is
    long free text, and the spreadsheet carries it)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        LongTable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )

    from ..certificate_pdf import CJK_FONT, _register_fonts

    _register_fonts()
    cell = ParagraphStyle("cell", fontName=CJK_FONT, fontSize=8, leading=10)
    title = ParagraphStyle("title", fontName=CJK_FONT, fontSize=14, leading=18)
    columns = header()[:-1]
    data = [[Paragraph(_markup(h), cell) for h in columns]]
    for entry in entries:
        data.append([Paragraph(_markup(v), cell) for v in row(entry)[:-1]])
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Practice log"),
    )
    heading = f"{_('Practice log')} · {_name(person)}"
    table = LongTable(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef0f5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    document.build([Paragraph(_markup(heading), title), Spacer(1, 4 * mm), table])
    return buffer.getvalue()
