"""Roster import, the planning part: checking a file's rows against the
database and writing the row-by-row report.  Writes nothing.

Each row gets its unit (by code, or by a name unique below the import's
unit) and the existing person it matches, or the username a new person
will get; problems and warnings that need the database are added to the
row.  ``courses.services.roster`` (preview, check) and
``courses.services.roster_run`` (the import itself) both plan this way.

Matching: a row is an existing person when their email (any case) or staff
number is already registered.  An existing person is never changed: one in
another unit refuses the row (people are never moved silently), one in the
row's unit is only added to the cohort, and differences between the file
and the record are reported as warnings.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from courses import roster_files
from courses.models import Cohort
from courses.roster_files import RosterRow
from lms.core.models import OrgUnit, User

#: Values per ``IN (…)`` query; below SQLite's oldest limit of 999.
CHUNK = 900

_USERNAME_UNSAFE = re.compile(r"[^a-z0-9._+-]")


@dataclass
class PlannedRow:
    """What will happen to one row: its unit, the existing person it
    matches, or the username a new person will get."""

    row: RosterRow
    unit: OrgUnit | None = None
    person: User | None = None
    username: str = ""

    @property
    def action(self) -> str:
        if self.row.problems:
            return "error"
        return "existing" if self.person is not None else "new"


def chunked(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    """``values`` in lists of at most ``size`` (for ``IN`` queries)."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- checking against the database ------------------------------------------------


class _Lookup:
    """Units below the import's unit and the people the file may mean,
    fetched in bulk (a few queries for the whole file, none per row)."""

    def __init__(self, *, unit: OrgUnit, rows: list[RosterRow]):
        self.default_unit = unit
        self.by_code: dict[str, OrgUnit] = {}
        by_name: dict[str, list[OrgUnit]] = {}
        for item in OrgUnit.objects.filter(unit.subtree_q()):
            self.by_code[item.code.casefold()] = item
            by_name.setdefault(item.name.casefold(), []).append(item)
        # A 单位 column holding names rather than codes: a name unique in
        # the subtree is as good as its code.
        self.by_name = {
            key: units[0] for key, units in by_name.items() if len(units) == 1
        }
        fields = [
            "pk",
            "username",
            "full_name",
            "email",
            "phone",
            "staff_number",
            "home_unit_id",
            "is_active",
            "is_superuser",
        ]
        self.by_email: dict[str, User] = {}
        emails = {row.email for row in rows if row.email}
        for chunk in chunked(emails):
            people = (
                User.objects.annotate(email_key=Lower("email"))
                .filter(email_key__in=chunk)
                .only(*fields)
                .order_by("pk")
            )
            for person in people:
                self.by_email.setdefault(person.email_key, person)
        self.by_staff: dict[str, User] = {}
        numbers = {row.staff_number for row in rows if row.staff_number}
        for chunk in chunked(numbers):
            for person in User.objects.filter(staff_number__in=chunk).only(*fields):
                self.by_staff[person.staff_number] = person

    def unit_for(self, code: str) -> OrgUnit | None:
        if not code:
            return self.default_unit
        key = code.casefold()
        return self.by_code.get(key) or self.by_name.get(key)


def roster_rows_plan(rows: list[RosterRow], *, unit: OrgUnit) -> list[PlannedRow]:
    """Each row with its unit and the existing person it matches; problems
    and warnings that need the database are added to the rows."""
    lookup = _Lookup(unit=unit, rows=rows)
    planned = [_plan_row(row, lookup) for row in rows]
    _refuse_same_person_twice(planned)
    _assign_usernames([item for item in planned if item.action == "new"])
    return planned


def _plan_row(row: RosterRow, lookup: _Lookup) -> PlannedRow:
    item = PlannedRow(row=row, unit=lookup.unit_for(row.unit_code))
    if item.unit is None:
        row.refuse(
            "unknown_unit",
            _("There is no unit with the code %(code)s in %(unit)s.")
            % {"code": row.unit_code, "unit": lookup.default_unit.name},
        )
    elif not item.unit.is_active:
        row.refuse(
            "inactive_unit",
            _("The unit %(unit)s is no longer active.") % {"unit": item.unit.name},
        )
    by_email = lookup.by_email.get(row.email) if row.email else None
    by_staff = lookup.by_staff.get(row.staff_number) if row.staff_number else None
    if by_email and by_staff and by_email.pk != by_staff.pk:
        row.refuse(
            "conflict",
            _(
                "The email and the staff number belong to two different people "
                "who are already registered."
            ),
        )
        return item
    person = by_email or by_staff
    if person is None:
        if not row.email and row.ok:
            row.warn(
                "no_email",
                _("No email: the account is created, but no invitation can be sent."),
            )
        return item
    if item.unit is not None and person.home_unit_id != item.unit.pk:
        row.refuse(
            "other_unit",
            _(
                "This person is already registered in another unit and is not "
                "moved. Ask a coordinator of their unit to move them first."
            ),
        )
        return item
    item.person = person
    _warn_differences(row, person)
    return item


def _differences() -> dict[str, tuple[str, str]]:
    """Per field: the sentence when the record has another value, and the
    one when the record has none."""
    return {
        "phone": (
            _(
                "Already registered with the mobile number %(stored)s; the number "
                "in the file, %(given)s, is not saved."
            ),
            _("The record has no mobile number; the one in the file is not saved."),
        ),
        "email": (
            _(
                "Already registered with the email %(stored)s; the email in the "
                "file, %(given)s, is not saved."
            ),
            _("The record has no email; the one in the file is not saved."),
        ),
        "staff_number": (
            _(
                "Already registered with the staff number %(stored)s; the one in "
                "the file, %(given)s, is not saved."
            ),
            _("The record has no staff number; the one in the file is not saved."),
        ),
    }


def _warn_differences(row: RosterRow, person: User) -> None:
    """An existing person is never overwritten; say what the file would
    have changed."""
    if row.name and row.name != person.full_name:
        row.warn(
            "differs_name",
            _(
                "Already registered under the name %(stored)s; the name in the "
                "file, %(given)s, is not saved."
            )
            % {"stored": person.full_name or person.username, "given": row.name},
        )
    stored_values = {
        "phone": person.phone,
        "email": person.email.lower(),
        "staff_number": person.staff_number,
    }
    for field, (differs, missing) in _differences().items():
        given, stored = getattr(row, field), stored_values[field]
        if given and given != stored:
            message = differs if stored else missing
            row.warn(f"differs_{field}", message % {"stored": stored, "given": given})
    if not person.is_active:
        row.warn(
            "inactive",
            _(
                "This account is deactivated and stays so; it is only added to "
                "the cohort."
            ),
        )


def _refuse_same_person_twice(planned: list[PlannedRow]) -> None:
    first_line: dict[int, int] = {}
    for item in planned:
        if item.person is None:
            continue
        first = first_line.setdefault(item.person.pk, item.row.line)
        if first != item.row.line:
            item.row.refuse(
                "duplicate",
                _("Row %(line)s already refers to the same registered person.")
                % {"line": first},
            )
            item.person = None


def _username_base(row: RosterRow) -> str:
    local = row.email.split("@", 1)[0] if row.email else ""
    for candidate in (local, row.staff_number):
        base = _USERNAME_UNSAFE.sub("", candidate.lower()).strip(".+-")[:30]
        if base:
            return base
    return "u" + roster_files.row_fingerprint(row)


def _taken_usernames(names: set[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in chunked(names):
        taken.update(
            User.objects.annotate(key=Lower("username"))
            .filter(key__in=chunk)
            .values_list("key", flat=True)
        )
    return taken


def _assign_usernames(new: list[PlannedRow]) -> None:
    """Usernames from the email's local part (or the staff number), made
    unique in the file and in the database with a number; the same file and
    database give the same usernames."""
    bases = [_username_base(item.row) for item in new]
    asked = set(bases)
    taken = _taken_usernames(asked)
    while True:
        used: set[str] = set()
        for item, base in zip(new, bases, strict=True):
            candidate, number = base, 1
            while candidate in taken or candidate in used:
                number += 1
                candidate = f"{base}{number}"
            item.username = candidate
            used.add(candidate)
        unasked = used - asked
        asked |= unasked
        more = _taken_usernames(unasked)
        if not more:
            return
        taken |= more


def roster_report(planned: list[PlannedRow], *, cohort: Cohort | None) -> dict:
    """The preview's report: every row with its action, problems and
    warnings, and the counts (kept on the import row)."""
    rows = []
    counts = {"rows": len(planned), "new": 0, "existing": 0, "error": 0, "warning": 0}
    for item in planned:
        row, action = item.row, item.action
        counts[action] += 1
        counts["warning"] += bool(row.warnings)
        rows.append(
            {
                "line": row.line,
                "name": row.name,
                "unit": item.unit.name if item.unit else row.unit_code,
                "email": row.email,
                "staff_number": row.staff_number,
                "action": action,
                "username": item.username if action == "new" else "",
                "problems": [{"code": c, "message": m} for c, m in row.problems],
                "warnings": [{"code": c, "message": m} for c, m in row.warnings],
            }
        )
    return {
        "rows": rows,
        "counts": counts,
        "cohort": cohort.pk if cohort else None,
        "message": "",
    }
