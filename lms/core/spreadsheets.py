"""Spreadsheet cells that cannot run as formulas (CSV/formula injection).

Excel and WPS run a cell beginning with ``=``, ``+``, ``-`` or ``@`` (and
tab or carriage return) as a formula; a name like ``=HYPERLINK(...)`` in an
export would then act.  Such text gets a leading apostrophe.

Every CSV and XLSX the application writes passes its cells through
``safe_cell``: our own writers call it per cell, and Wagtail's listing and
report exports get it from ``SafeSpreadsheetExport``.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` unchanged unless it is text Excel would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeSpreadsheetExport:
    """For views built on Wagtail's ``SpreadsheetExportMixin`` (every admin
    listing and report): each cell and heading, CSV or XLSX, goes through
    ``safe_cell``.

    Wagtail writes CSV cells bare; in XLSX it stores would-be formulas as
    text, which a reader who re-enters the cell still runs, so XLSX text
    gets the apostrophe too.  Numbers and dates are left as they are.
    """

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(super().preprocess_field_value(field, value, export_format))

    def get_heading(self, queryset, field):
        return safe_cell(super().get_heading(queryset, field))
