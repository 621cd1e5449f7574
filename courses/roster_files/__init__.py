"""Roster files (花名册): the template, and reading XLSX or CSV into rows.

No ORM here.  ``read_roster`` decides what a file is by its bytes, not its
name, refuses anything that is not a roster with one sentence
(``RosterRefused``), and checks every row on its own: missing or long
name, malformed email or mobile number, unknown role, a duplicate of an
earlier row, a cell a spreadsheet would run as a formula.  What needs the
database (units, people already registered) is checked by
``courses.services.roster``.

The package is split by part: ``checks`` (what a row is and the checks of
one row), ``reading`` (file sniffing, XLSX and CSV reading, the header
row) and ``template`` (the template to download).  Import from
``courses.roster_files``; the names below are its public interface.

XLSX goes through pandas and openpyxl with every cell read as text, and
with formulas read as formulas (``data_only=False``), so ``=HYPERLINK(…)``
is refused rather than replaced by its cached value.  CSV is decoded as
UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), or
GB18030, the superset of the GBK that Excel in China writes; the stdlib
``csv`` reader takes rows of uneven length that pandas' reader refuses.
"""

from .checks import (
    COLUMN_LABELS,
    EMAIL_MAX,
    FIELDS,
    FORMULA_STARTS,
    NAME_MAX,
    ROLE_LABELS,
    ROLE_WORDS,
    STAFF_NUMBER_MAX,
    TEMPLATE_COLUMNS,
    RosterRow,
    normalise_phone,
    role_words_text,
    row_fingerprint,
)
from .reading import (
    HEADER_ALIASES,
    HEADER_SEARCH_ROWS,
    MAX_BYTES,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    RosterRefused,
    load_bytes,
    read_roster,
)
from .template import EXAMPLE_ROW, neutralise, template_csv, template_xlsx

__all__ = [
    "COLUMN_LABELS",
    "EMAIL_MAX",
    "EXAMPLE_ROW",
    "FIELDS",
    "FORMULA_STARTS",
    "HEADER_ALIASES",
    "HEADER_SEARCH_ROWS",
    "MAX_BYTES",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "NAME_MAX",
    "ROLE_LABELS",
    "ROLE_WORDS",
    "STAFF_NUMBER_MAX",
    "TEMPLATE_COLUMNS",
    "RosterRefused",
    "RosterRow",
    "load_bytes",
    "neutralise",
    "normalise_phone",
    "read_roster",
    "role_words_text",
    "row_fingerprint",
    "template_csv",
    "template_xlsx",
]
