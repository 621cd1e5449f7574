"""The certificate PDF (``supervision.certificate_pdf``): its text, its
QR code as a phone would read it, and the embedded fonts."""

import datetime
import io
import subprocess

from pypdf import PdfReader

from supervision.certificate_pdf import certificate_pdf

URL = "https://xinxun.example.cn/verify/ABCD-EFGH-JKMN-PQRS/"


def make(**overrides) -> bytes:
    fields = {
        "holder_name": "欧阳晓雯",
        "track_name": "团辅带领",
        "version_number": 2,
        "unit_name": "东区一室",
        "issued_on": datetime.date(2026, 3, 1),
        "expires_on": datetime.date(2029, 3, 1),
        "serial": "ABCD-EFGH-JKMN-PQRS",
        "verify_url": URL,
    }
    return certificate_pdf(**{**fields, **overrides})


def text_of(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def fonts_of(pdf: bytes) -> list:
    resources = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]
    return [font.get_object() for font in resources["/Font"].values()]


def decode_qr(pdf: bytes, tmp_path) -> str:
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", "c.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    found = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip()


def test_the_text_holds_the_holders_chinese_name_track_unit_dates_and_serial():
    text = text_of(make())
    assert "欧阳晓雯" in text
    assert "团辅带领" in text
    assert "第 2 版" in text
    assert "东区一室" in text
    assert "2026-03-01" in text
    assert "2029-03-01" in text
    assert "ABCD-EFGH-JKMN-PQRS" in text
    assert "认证证书" in text


def test_a_certificate_without_expiry_says_so():
    text = text_of(make(expires_on=None))
    assert "长期有效" in text
    assert "2029" not in text


def test_the_qr_code_read_from_the_rendered_page_is_the_verification_url(tmp_path):
    assert decode_qr(make(), tmp_path) == URL


def test_every_font_is_embedded_so_a_phone_without_chinese_fonts_reads_it():
    fonts = fonts_of(make())
    assert fonts, "the page uses fonts"
    for font in fonts:
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]
    names = " ".join(str(font["/BaseFont"]) for font in fonts)
    assert "DroidSansFallback" in names


def test_the_same_fields_make_the_same_bytes():
    assert make() == make()


def test_a_huge_or_hostile_name_still_makes_one_readable_page(tmp_path):
    name = "<script>alert(1)</script>" + "王" * 300 + "\u202e😀"
    pdf = make(holder_name=name, track_name='=HYPERLINK("x")' * 20)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert "<script>alert(1)</script>" in reader.pages[0].extract_text()
    assert decode_qr(pdf, tmp_path) == URL
