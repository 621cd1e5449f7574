"""Certification evaluation: queries for one trainee with 5,000 ledger rows
and 1,000 practice entries against one with 10 and 10; and a progress
table (``evaluate_many``) for 500 members across 3 tracks against 10
members, in queries and time.

Run: ``.venv/bin/python benchmarks/certification_eval.py`` (about a
minute; it makes its own SQLite database in a temporary folder).  The
query counts must not grow with the records or the members; the small
case measured in the same run is the baseline of each ratio.
"""

import datetime
import os
import statistics
import time
from decimal import Decimal

import throwaway  # benchmarks/throwaway.py, beside this script

# A throw-away database and media folder, before Django reads settings.
_VAR = throwaway.start("cert-bench-")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from django.utils import timezone  # noqa: E402

REPEATS = 5
TODAY = datetime.date(2026, 3, 31)


def day(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n % 1500)


def records(people, *, ledger: int, practice: int, approver, unit, start: int) -> int:
    """``ledger`` credits and ``practice`` approved entries for each person
    (half of the entries group-session assistant); returns the next source id."""
    from django.contrib.contenttypes.models import ContentType

    from lms.core.models import HoursCategory, HoursEntry, OrgUnit
    from supervision.models import PracticeEntry

    source_type = ContentType.objects.get_for_model(OrgUnit)
    categories = HoursCategory.values
    rows, source = [], start
    for person in people:
        for i in range(ledger):
            source += 1
            rows.append(
                HoursEntry(
                    person=person,
                    unit=unit,
                    category=categories[i % len(categories)],
                    hours=Decimal("0.5"),
                    kind=HoursEntry.Kind.CREDIT,
                    earned_on=day(i),
                    source_type=source_type,
                    source_id=source,
                    source_label="bench",
                )
            )
    HoursEntry.objects.bulk_create(rows, batch_size=2000)
    now = timezone.now()
    kinds = [PracticeEntry.Kind.GROUP_ASSISTANT, PracticeEntry.Kind.HOTLINE]
    PracticeEntry.objects.bulk_create(
        (
            PracticeEntry(
                person=person,
                unit=unit,
                kind=kinds[i % 2],
                status=PracticeEntry.Status.APPROVED,
                occurred_on=day(i),
                minutes=60,
                submitted_at=now,
                approved_at=now,
                approved_by=approver,
            )
            for person in people
            for i in range(practice)
        ),
        batch_size=2000,
    )
    return source


def build():
    from lms.core.models import HoursCategory, OrgUnit, User
    from supervision.models import (
        PracticeEntry,
        QualificationKind,
        Requirement,
        Rubric,
        SupervisionKind,
        Track,
        TrackVersion,
    )

    K = Requirement.Kind
    unit = OrgUnit.add_root(name="基准市", code="bench")
    supervisor = User.objects.create_user("sup", full_name="督导", home_unit=unit)
    rubric = Rubric.objects.create(name="胜任力")
    qualification = QualificationKind.objects.create(code="l3", name="三级")
    specs = [
        {"kind": K.HOURS, "need": 100, "period_months": 36},
        {
            "kind": K.HOURS,
            "need": 20,
            "hours_categories": [HoursCategory.SUPERVISION],
        },
        {
            "kind": K.PRACTICE,
            "need": 8,
            "practice_kinds": [PracticeEntry.Kind.GROUP_ASSISTANT],
        },
        {"kind": K.PRACTICE, "need": 150, "measure": "hours", "period_months": 24},
        {
            "kind": K.SUPERVISION,
            "need": 10,
            "measure": "hours",
            "supervision_kind": SupervisionKind.PRACTICE,
        },
        {"kind": K.SHIFTS, "need": 4, "period_months": 1},
        {"kind": K.TECHNIQUES, "need": 3},
        {"kind": K.RATINGS, "need": 2, "rubric": rubric, "min_level": 4},
        {"kind": K.QUALIFICATION, "need": 1, "qualification_kind": qualification},
    ]
    versions = []
    for number in range(3):
        track = Track.objects.create(code=f"t{number}", name=f"方向{number}", unit=unit)
        version = TrackVersion.objects.create(
            track=track, number=1, published_at=timezone.now()
        )
        for position, spec in enumerate(specs[number : number + 7]):
            Requirement.objects.create(
                version=version, position=position, title=f"要求{position}", **spec
            )
        versions.append(version)
    big = User.objects.create_user("big", full_name="大量记录", home_unit=unit)
    small = User.objects.create_user("small", full_name="少量记录", home_unit=unit)
    source = records(
        [big], ledger=5000, practice=1000, approver=supervisor, unit=unit, start=0
    )
    source = records(
        [small], ledger=10, practice=10, approver=supervisor, unit=unit, start=source
    )
    groups = {}
    for size in (10, 500):
        people = User.objects.bulk_create(
            User(username=f"m{size}-{i}", full_name=f"学员{i}", home_unit=unit)
            for i in range(size)
        )
        source = records(
            people, ledger=20, practice=6, approver=supervisor, unit=unit, start=source
        )
        groups[size] = people
    return versions, {"big": big, "small": small}, groups


def timed(call) -> tuple[int, float]:
    """Queries of one call, and the median time of ``REPEATS`` more."""
    with CaptureQueriesContext(connection) as queries:
        call()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return len(queries), statistics.median(times)


def main() -> None:
    from supervision.selectors.certification import evaluate, evaluate_many

    setup_test_environment()
    call_command("migrate", verbosity=0)
    versions, people, groups = build()
    version = versions[0]

    def one(person):
        return lambda: evaluate(person, version, today=TODAY)

    small = timed(one(people["small"]))
    big = timed(one(people["big"]))
    counted = sum(len(r.records) for r in evaluate(people["big"], version, today=TODAY))
    print("One trainee, one track (7 requirements):")
    print(f"{'records':>24}{'queries':>9}{'ms':>8}")
    for label, (queries, seconds) in (
        ("10 ledger + 10 practice", small),
        ("5,000 + 1,000", big),
    ):
        print(f"{label:>24}{queries:>9}{seconds * 1000:>8.1f}")
    verdict = "met" if small[0] == big[0] else "MISSED"
    print(
        f"queries 5,000+1,000 vs 10+10: {big[0]} vs {small[0]} ({verdict}); "
        f"time ratio {big[1] / small[1]:.1f}x; {counted} records traced"
    )

    def table(members):
        return lambda: [evaluate_many(members, v, today=TODAY) for v in versions]

    few = timed(table(groups[10]))
    many = timed(table(groups[500]))
    print("\nProgress table, 3 tracks (evaluate_many per track):")
    print(f"{'members':>8}{'queries':>9}{'ms':>8}")
    for size, (queries, seconds) in ((10, few), (500, many)):
        print(f"{size:>8}{queries:>9}{seconds * 1000:>8.0f}")
    verdict = "met" if few[0] == many[0] else "MISSED"
    print(
        f"queries 500 vs 10: {many[0]} vs {few[0]} ({verdict}); "
        f"time ratio {many[1] / few[1]:.1f}x for 50x the members"
    )
    print(f"(date {datetime.date.today()}, load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
