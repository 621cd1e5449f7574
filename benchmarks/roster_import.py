"""How long a 10,000-row roster takes to check and to import.

Run: ``.venv/bin/python benchmarks/roster_import.py`` (about a minute; it
makes its own SQLite database, media and broker folders in a temporary
folder).  A generated XLSX roster of 10,000 new people (name, unit code,
email, mobile, staff number, role) over five units is

- previewed: ``roster_preview`` (read, row checks, database checks, the
  file stored, the report saved);
- imported: ``roster_import_run`` in this process, as the Celery task runs
  it (file read and checked again, 10,000 ``person_create`` calls in one
  transaction, and after the commit 10,000 invitation tasks sent to the
  broker).

Baselines in the same run: ``pandas.read_excel`` of the same file (for
the preview), and that plus one ``User.objects.bulk_create`` of the same
people (for the import).  Goal: preview + import <= 30 s.

Peak memory is measured in a second pass on a second file of as many
different people, under ``tracemalloc`` (which slows Python down, so the
times of that pass are not the figures); ``ru_maxrss`` is the process's
high-water mark.
"""

import cProfile
import io
import os
import pstats
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import throwaway  # benchmarks/throwaway.py, beside this script

# A throw-away database and media folder, before Django reads settings.
_VAR = throwaway.start("roster-bench-var-")

import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

ROWS = 10_000
GOAL_SECONDS = 30.0
UNITS = ("bench-a", "bench-b", "bench-c", "bench-d")


def make_roster(path: Path, *, prefix: str) -> Path:
    # A normal (not write-only) workbook, so the sheet carries its
    # dimension as Excel writes it; without one openpyxl reads the sheet
    # an extra time to find its size.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append(["姓名", "单位编码", "邮箱", "手机号", "警号/工号", "角色"])
    for i in range(ROWS):
        sheet.append(
            [
                f"测试{prefix}{i:05d}",
                UNITS[i % len(UNITS)] if i % 5 else "",
                f"{prefix}{i:05d}@example.com",
                f"1{3 + i % 7}{i:09d}",
                f"{prefix.upper()}{i:06d}",
                "学员" if i % 10 else "学员、督导",
            ]
        )
    book.save(path)
    return path


def maxrss_mib() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_org():
    from lms.core.models import OrgUnit, User

    root = OrgUnit.add_root(name="基准市中心", code="bench", level=OrgUnit.Level.CITY)
    for code in UNITS:
        OrgUnit.objects.get(pk=root.pk).add_child(
            name=f"基准{code[-1]}站", code=code, level=OrgUnit.Level.COUNTY
        )
    admin = User(username="bench-admin", is_superuser=True, is_staff=True)
    admin.set_unusable_password()
    admin.save()
    return OrgUnit.objects.get(pk=root.pk), admin


def preview(path: Path, unit, admin):
    from courses.services.roster import roster_preview

    with open(path, "rb") as handle:
        return roster_preview(
            actor=admin,
            upload=File(handle, name=path.name),
            filename=path.name,
            unit=unit,
        )


def run(item):
    from courses.services.roster import roster_import_run

    return roster_import_run(roster_import_id=item.pk, progress_every=500)


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def baseline(path: Path, unit) -> tuple[float, float]:
    """Seconds for ``pandas.read_excel`` alone, and for a bulk insert of
    the same people (into a unit of their own, so nothing collides)."""
    from lms.core.models import OrgUnit, User

    frame, read = timed(lambda: pd.read_excel(path, dtype=str, na_filter=False))
    other = OrgUnit.objects.get(pk=unit.pk).add_child(
        name="基准对照", code="bench-baseline", level=OrgUnit.Level.COUNTY
    )

    def insert():
        people = []
        for i, row in enumerate(frame.itertuples(index=False)):
            person = User(
                username=f"base{i:05d}",
                full_name=row[0],
                email=f"base-{row[2]}",
                phone=row[3],
                staff_number=f"BASE-{row[4]}",
                home_unit=other,
            )
            person.set_unusable_password()
            people.append(person)
        User.objects.bulk_create(people, batch_size=500)

    _result, inserted = timed(insert)
    return read, inserted


def profile_import(unit, admin, folder: Path, prefix: str) -> None:
    """Where the import's time goes (top functions by own time)."""
    item = preview(make_roster(folder / f"{prefix}.xlsx", prefix=prefix), unit, admin)
    profiler = cProfile.Profile()
    profiler.enable()
    run(item)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue())


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    unit, admin = setup_org()
    from lms.core.models import User

    print("load average at start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as tmp:
        folder = Path(tmp)
        path, made = timed(lambda: make_roster(folder / "roster.xlsx", prefix="p"))
        print(
            f"{ROWS:,}-row roster made in {made:.1f} s ({path.stat().st_size / 1e6:.2f} MB)"
        )

        item, t_preview = timed(lambda: preview(path, unit, admin))
        assert item.error_rows == 0, item.report["rows"][:3]
        rss_preview = maxrss_mib()
        run_started = timezone.now()
        done, t_import = timed(lambda: run(item))
        assert done.status == "done", done.report.get("message")
        # finished_at is written just before the commit: what follows it
        # is person_create's invitation tasks being sent to the broker.
        t_committed = (done.finished_at - run_started).total_seconds()
        rss_import = maxrss_mib()
        created = User.objects.filter(email__startswith="p").count()
        assert created == ROWS, created
        queued = sum(1 for _ in Path(_VAR, "celery", "queue").iterdir())

        t_read, t_insert = baseline(path, unit)

        # Second pass, under tracemalloc, on different people.
        second = make_roster(folder / "second.xlsx", prefix="q")
        tracemalloc.start()
        item2 = preview(second, unit, admin)
        _current, peak_preview = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        assert run(item2).status == "done"
        _current, peak_import = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        if "--profile" in sys.argv:
            profile_import(unit, admin, folder, "r")

    total = t_preview + t_import
    print()
    print(f"{'step':<34}{'seconds':>9}{'rows/s':>9}{'baseline s':>12}{'ratio':>7}")
    print(
        f"{'preview (check, store, report)':<34}{t_preview:>9.2f}"
        f"{ROWS / t_preview:>9.0f}{t_read:>12.2f}{t_preview / t_read:>7.1f}"
    )
    print(
        f"{'import (recheck + create + queue)':<34}{t_import:>9.2f}"
        f"{ROWS / t_import:>9.0f}{t_read + t_insert:>12.2f}"
        f"{t_import / (t_read + t_insert):>7.1f}"
    )
    print(f"{'  of which until committed (done)':<34}{t_committed:>9.2f}")
    print(f"{'  then invitations sent to broker':<34}{t_import - t_committed:>9.2f}")
    print(f"{'  baseline: read_excel':<34}{t_read:>9.2f}")
    print(f"{'  baseline: bulk_create':<34}{t_insert:>9.2f}")
    print(
        f"preview + import: {total:.1f} s for {ROWS:,} rows "
        f"({ROWS / total:.0f} rows/s); goal <= {GOAL_SECONDS:.0f} s: "
        + ("met" if total <= GOAL_SECONDS else "MISSED")
    )
    print(f"invitation tasks queued: {queued:,}")
    print(
        f"peak memory (tracemalloc, second pass): preview {peak_preview / 2**20:.0f} MiB, "
        f"import {peak_import / 2**20:.0f} MiB"
    )
    print(
        f"ru_maxrss: after preview {rss_preview:.0f} MiB, after import {rss_import:.0f} "
        f"MiB, at end {maxrss_mib():.0f} MiB"
    )
    print(
        "load average at end: {:.1f} {:.1f} {:.1f}; took {:.0f} s".format(
            *os.getloadavg(), time.perf_counter() - started
        )
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        # The broker folder holds 20,000 invitation messages by now.
        shutil.rmtree(_VAR, ignore_errors=True)
