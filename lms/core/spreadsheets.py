"""Spreadsheet cells that cannot run as formulas (CSV/formula injection).

Excel and WPS run a cell beginning with ``=``, ``+``, ``-`` or ``@`` (and
tab or carriage return) as a formula; a name like ``=HYPERLINK(...)`` in an
export would then act.  Such text gets a leading apostrophe.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` unchanged unless it is text Excel would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
