"""The certificate as a PDF: a pure function of its fields, no ORM.

One A4 landscape page with a Chinese title, the holder, the track and its
version, the unit, the dates, the serial and a QR code of the public
verification URL.  The Chinese font is embedded (a subset of the glyphs
used), so the page reads the same on a phone without Chinese fonts.

The wording is fixed and bilingual (Chinese first, English under it)
rather than translated per request: a certificate is a document whose
text must not depend on who downloads it or in which language.
"""

import datetime
import io
import threading

import qrcode
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

#: A TrueType font with the CJK glyphs (Debian's fonts-droid-fallback); it
#: has no Latin letters or digits, which come from Bitstream Vera (shipped
#: inside reportlab).  Both are embedded as subsets.
CJK_FONT_PATH = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
CJK_FONT = "CertificateCJK"
LATIN_FONT_PATH = "Vera.ttf"
LATIN_FONT = "CertificateLatin"

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
INK = colors.HexColor("#1f2a44")
ACCENT = colors.HexColor("#9a2a2a")
MUTED = colors.HexColor("#5b6275")

_font_lock = threading.Lock()


def _register_fonts() -> None:
    """Register the two fonts once per process (reportlab keeps a registry)."""
    with _font_lock:
        registered = pdfmetrics.getRegisteredFontNames()
        if CJK_FONT not in registered:
            pdfmetrics.registerFont(TTFont(CJK_FONT, CJK_FONT_PATH))
        if LATIN_FONT not in registered:
            pdfmetrics.registerFont(TTFont(LATIN_FONT, LATIN_FONT_PATH))


def _runs(text: str) -> list[tuple[str, str]]:
    """``text`` cut into (font, piece) runs: Latin where Vera has the
    glyph, the CJK font for everything else."""
    latin = pdfmetrics.getFont(LATIN_FONT).face.charToGlyph
    runs: list[tuple[str, str]] = []
    for char in text:
        font = LATIN_FONT if ord(char) in latin else CJK_FONT
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def _width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in _runs(text))


def _fit(text: str, *, size: float, width: float, smallest: float = 4) -> float:
    """The largest size up to ``size`` at which ``text`` fits ``width``."""
    while size > smallest and _width(text, size) > width:
        size -= 0.5
    return size


def _write(page, text: str, *, x: float, y: float, size: float, colour=INK) -> None:
    """``text`` from ``x`` on the baseline ``y``, each run in its font."""
    page.setFillColor(colour)
    line = page.beginText(x, y)
    for font, piece in _runs(text):
        line.setFont(font, size)
        line.textOut(piece)
    page.drawText(line)


def _centred(page, text: str, *, y: float, size: float, width: float, colour=INK):
    size = _fit(text, size=size, width=width)
    x = (PAGE_WIDTH - _width(text, size)) / 2
    _write(page, text, x=x, y=y, size=size, colour=colour)


def _qr(page, url: str, *, x: float, y: float, side: float) -> None:
    """A QR code of ``url`` as filled squares, ``side`` wide, its quiet
    zone of four modules inside ``side``."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = side / len(matrix)
    page.setFillColor(colors.white)
    page.rect(x, y, side, side, stroke=0, fill=1)
    page.setFillColor(colors.black)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                top = y + side - (row + 1) * module
                page.rect(x + column * module, top, module, module, stroke=0, fill=1)


def _date(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日 ({value:%Y-%m-%d})"


def certificate_pdf(
    *,
    holder_name: str,
    track_name: str,
    version_number: int,
    unit_name: str,
    issued_on: datetime.date,
    expires_on: datetime.date | None,
    serial: str,
    verify_url: str,
) -> bytes:
    """The certificate's one-page PDF, as bytes."""
    _register_fonts()
    buffer = io.BytesIO()
    width, height = PAGE_WIDTH, PAGE_HEIGHT
    page = canvas.Canvas(
        buffer,
        pagesize=(width, height),
        pageCompression=1,
        invariant=1,  # the same bytes for the same fields
        initialFontName=LATIN_FONT,
    )
    page.setTitle(f"认证证书 {serial}")
    page.setAuthor(unit_name)
    page.setSubject(track_name)

    # a double frame
    page.setStrokeColor(ACCENT)
    page.setLineWidth(3)
    page.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    page.setLineWidth(0.8)
    page.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    text_width = width - 60 * mm
    lines = [
        ("认证证书", 50, 40, ACCENT),
        ("Certificate of Certification", 60, 13, MUTED),
        (holder_name, 84, 30, INK),
        (
            f"已达到「{track_name}」认证方向（第 {version_number} 版）的全部要求，"
            "特发此证。",
            98,
            15,
            INK,
        ),
        (
            f"has met every requirement of the track “{track_name}” "
            f"(version {version_number}).",
            106,
            10,
            MUTED,
        ),
    ]
    for text, from_top, size, colour in lines:
        _centred(
            page,
            text,
            y=height - from_top * mm,
            size=size,
            width=text_width,
            colour=colour,
        )

    rows = [
        ("所属单位 Unit", unit_name),
        ("发证日期 Issued on", _date(issued_on)),
        (
            "有效期至 Valid until",
            _date(expires_on) if expires_on else "长期有效 Does not expire",
        ),
        ("证书编号 Serial", serial),
    ]
    y = height - 128 * mm
    for label, value in rows:
        _write(page, label, x=34 * mm, y=y, size=10, colour=MUTED)
        size = _fit(value, size=13, width=125 * mm)
        _write(page, value, x=80 * mm, y=y, size=size)
        y -= 10 * mm

    side = 42 * mm
    qr_x, qr_y = width - 34 * mm - side, 30 * mm
    _qr(page, verify_url, x=qr_x, y=qr_y, side=side)
    caption = "扫码核验 Scan to verify"
    caption_x = qr_x + (side - _width(caption, 9)) / 2
    _write(page, caption, x=caption_x, y=qr_y - 4 * mm, size=9, colour=MUTED)
    url_size = _fit(verify_url, size=7, width=width - 68 * mm - side)
    _write(page, verify_url, x=34 * mm, y=22 * mm, size=url_size, colour=MUTED)

    page.showPage()
    page.save()
    return buffer.getvalue()
