"""Team proposal: queries and time of ``propose`` over a pool of 20,000
people in a 5-level tree of 2,000 units, against a pool of 200 people in
a tree of the same shape, in the same run.

Each pool has what makes the proposal work: a required certificate held
by about 60% (some expired, some lapsing before the last day), a tier
scheme with members in three ranks, people busy with a duty shift, a
session or another deployment, and recent crisis load.  Two calls are
measured: the page's (the first 20) and the full ranking.

Run: ``.venv/bin/python benchmarks/team_proposal.py`` (a minute or two;
it makes its own SQLite database in a temporary folder).  The query
counts must not grow with the pool; the small pool, measured in the same
run, is the baseline of each ratio.
"""

import datetime
import statistics
import time

import throwaway  # benchmarks/throwaway.py, beside this script

_VAR = throwaway.start("proposal-bench-")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from django.utils import timezone  # noqa: E402

REPEATS = 5
UNITS = 2000
STEP = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Units per level below the root: 4 cities, 9 stations each, 10 rooms
#: each, and the rest as sub-rooms (5 levels, 2,000 units).
FANOUT = (4, 9, 10)


def step(n: int) -> str:
    out = ""
    for _ in range(STEP):
        n, digit = divmod(n, len(ALPHABET))
        out = ALPHABET[digit] + out
    return out


def tree(prefix: str, root_index: int):
    """A 5-level tree of ``UNITS`` units, bulk-created with treebeard's
    materialised paths; returns the units by level."""
    from lms.core.models import OrgUnit

    L = OrgUnit.Level
    levels = [[(step(root_index), L.PROVINCE)]]
    for fan, level in zip(FANOUT, (L.CITY, L.COUNTY, L.GRASSROOTS), strict=True):
        levels.append(
            [(p + step(i + 1), level) for p, _l in levels[-1] for i in range(fan)]
        )
    made = sum(len(rows) for rows in levels)
    rooms = levels[-1]
    levels.append(
        [
            (rooms[i % len(rooms)][0] + step(i // len(rooms) + 1), L.GRASSROOTS)
            for i in range(UNITS - made)
        ]
    )
    children = {}
    for rows in levels[1:]:
        for path, _level in rows:
            children[path[:-STEP]] = children.get(path[:-STEP], 0) + 1
    units = [
        OrgUnit(
            path=path,
            depth=len(path) // STEP,
            numchild=children.get(path, 0),
            name=f"{prefix}单位{n}",
            code=f"{prefix}-{n}",
            level=level,
        )
        for n, (path, level) in enumerate(
            (row for rows in levels for row in rows), start=1
        )
    ]
    OrgUnit.objects.bulk_create(units, batch_size=1000)
    by_path = {
        u.path: u for u in OrgUnit.objects.filter(path__startswith=units[0].path)
    }
    return [[by_path[path] for path, _l in rows] for rows in levels]


def pool(prefix: str, levels, size: int, *, track, version, tiers, coordinator):
    """``size`` people spread over the tree (most in the lowest two
    levels), with certificates, pool places, clashes and recent load."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from courses.models import OfflineSession
    from lms.core.models import User
    from supervision.models import (
        CallOut,
        Certificate,
        Deployment,
        DutyShift,
        Enrolment,
        IncidentType,
        PoolMember,
        PracticeEntry,
        ShiftSignup,
    )

    today = timezone.localdate()
    units = levels[3] + levels[4] + levels[4] + levels[2]
    people = User.objects.bulk_create(
        (
            User(
                username=f"{prefix}{i}",
                full_name=f"{prefix}队员{i:05d}",
                home_unit=units[i % len(units)],
                password=UNUSABLE_PASSWORD_PREFIX,
            )
            for i in range(size)
        ),
        batch_size=2000,
    )
    certified = [p for i, p in enumerate(people) if i % 5 < 3]
    enrolments = Enrolment.objects.bulk_create(
        (
            Enrolment(
                person=p, track=track, version=version, status=Enrolment.Status.APPROVED
            )
            for p in certified
        ),
        batch_size=2000,
    )
    expiries = [today + datetime.timedelta(days=400), today - datetime.timedelta(1)]
    expiries.append(today + datetime.timedelta(days=2))  # lapses before the end
    Certificate.objects.bulk_create(
        (
            Certificate(
                enrolment=e,
                holder=e.person,
                track=track,
                version=version,
                unit=e.person.home_unit,
                issued_on=today - datetime.timedelta(days=300),
                expires_on=expiries[0] if i % 7 else expiries[1 + i % 2],
            )
            for i, e in enumerate(enrolments)
        ),
        batch_size=2000,
    )
    PoolMember.objects.bulk_create(
        (
            PoolMember(person=p, scheme=tiers[0].scheme, tier=tiers[i % 3])
            for i, p in enumerate(people)
            if i % 2 == 0
        ),
        batch_size=2000,
    )
    start = timezone.now() + datetime.timedelta(days=2)
    on_shift = people[1::20]
    signups = []
    for first in range(0, len(on_shift), 200):  # a shift holds at most 200
        shift = DutyShift.objects.create(
            unit=levels[0][0],
            title="值班",
            place="中心",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=4),
            capacity=200,
        )
        signups += [
            ShiftSignup(shift=shift, person=p, queued_at=start)
            for p in on_shift[first : first + 200]
        ]
    ShiftSignup.objects.bulk_create(signups, batch_size=2000)
    session = OfflineSession.objects.create(
        title="讲座",
        unit=levels[0][0],
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        credit_hours=1,
    )
    session.facilitators.set(people[3::50])
    other = Deployment.objects.create(
        title="另一次部署",
        incident_type=IncidentType.LOCKDOWN,
        unit=levels[0][0],
        starts_on=today + datetime.timedelta(days=2),
        ends_on=today + datetime.timedelta(days=5),
        size=200,
        status=Deployment.Status.CALLED,
        created_by=coordinator,
    )
    past = Deployment.objects.create(
        title="上月部署",
        incident_type=IncidentType.HARROWING_SCENE,
        unit=levels[0][0],
        starts_on=today - datetime.timedelta(days=40),
        ends_on=today - datetime.timedelta(days=35),
        size=200,
        status=Deployment.Status.CLOSED,
        created_by=coordinator,
    )
    CallOut.objects.bulk_create(
        [CallOut(deployment=other, person=p) for p in people[5::40][:200]]
        + [
            CallOut(
                deployment=past,
                person=p,
                status=CallOut.Status.ACCEPTED,
                called_at=timezone.now() - datetime.timedelta(days=41),
            )
            for p in people[7::30][:200]
        ],
        batch_size=2000,
    )
    PracticeEntry.objects.bulk_create(
        (
            PracticeEntry(
                person=p,
                unit=p.home_unit,
                kind=PracticeEntry.Kind.CRISIS,
                status=PracticeEntry.Status.SUBMITTED,
                occurred_on=today - datetime.timedelta(days=10),
                minutes=90,
                submitted_at=timezone.now(),
                deployment=past,
            )
            for p in people[2::25]
        ),
        batch_size=2000,
    )


def build():
    from lms.core.models import User
    from supervision.models import PoolScheme, Tier, Track, TrackVersion

    coordinator = User.objects.create_user("coordinator", full_name="协调员")
    trees = {"big": tree("B", 1), "small": tree("S", 2)}
    track = Track.objects.create(
        code="crisis", name="危机干预", unit=trees["big"][0][0]
    )
    version = TrackVersion.objects.create(
        track=track, number=1, published_at=timezone.now()
    )
    for name, levels in trees.items():
        scheme = PoolScheme.objects.create(
            code=f"pool-{name}", name="人才库", unit=levels[0][0]
        )
        tiers = [
            Tier.objects.create(scheme=scheme, code=f"t{r}", name=f"层级{r}", rank=r)
            for r in (1, 2, 3)
        ]
        size = 20_000 if name == "big" else 200
        pool(
            name[0],
            levels,
            size,
            track=track,
            version=version,
            tiers=tiers,
            coordinator=coordinator,
        )
        trees[name] = (levels, tiers)
    return track, trees


def timed(call) -> tuple[int, float, int]:
    """Queries of one call, the median time of ``REPEATS`` more, and the
    number of people it returned."""
    with CaptureQueriesContext(connection) as queries:
        found = call()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return len(queries), statistics.median(times), len(found)


def main() -> None:
    from supervision.selectors.proposal import propose

    setup_test_environment()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    track, trees = build()
    print(
        f"built two trees of {UNITS:,} units in {time.perf_counter() - started:.0f} s"
    )
    today = timezone.localdate()

    def ask(name, limit):
        levels, tiers = trees[name]
        return lambda: propose(
            unit=levels[4][17],
            size=10,
            start=today + datetime.timedelta(days=1),
            end=today + datetime.timedelta(days=3),
            tracks=[track],
            tier=tiers[0],
            scope_unit=levels[0][0],
            limit=limit,
        )

    print(f"{'call':>22}{'pool':>8}{'found':>8}{'queries':>9}{'ms':>9}")
    for label, limit in (("the page (first 20)", 20), ("full ranking", None)):
        small = timed(ask("small", limit))
        big = timed(ask("big", limit))
        for pool_size, (queries, seconds, found) in ((200, small), (20_000, big)):
            print(
                f"{label:>22}{pool_size:>8,}{found:>8,}{queries:>9}"
                f"{seconds * 1000:>9.1f}"
            )
        verdict = "met" if small[0] == big[0] else "MISSED"
        print(
            f"{label}: queries 20,000 vs 200: {big[0]} vs {small[0]} ({verdict}); "
            f"time ratio {big[1] / small[1]:.1f}x"
        )


if __name__ == "__main__":
    main()
