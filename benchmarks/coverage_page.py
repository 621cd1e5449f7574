"""Staffing coverage: the coverage page of a leader over a 5-level tree of
2,000 units (province → city → county → sub-station → grassroots, with
about two people in each grassroots unit, pool places, certificates and
policies at several levels) against a tree of 200 built alike in the same
run: the selector and the whole page, in queries and time.

Run: ``.venv/bin/python benchmarks/coverage_page.py`` (well under a
minute; it makes its own SQLite database in a temporary folder).  The
query counts must not grow with the units; the small tree measured in the
same run is the baseline of each ratio.  Do not raise it past 2,000 units.
"""

import datetime
import os
import statistics
import time

import throwaway  # benchmarks/throwaway.py, beside this script

# A throw-away database and media folder, before Django reads settings.
_VAR = throwaway.start("coverage-bench-")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

REPEATS = 5
TODAY = datetime.date.today()
#: Units per tree: (cities, counties per city, sub-stations per county);
#: the rest of the total are grassroots units spread over the sub-stations.
SHAPES = {200: (2, 3, 3), 2000: (4, 5, 5)}


def tree(total: int, prefix: str):
    """A 5-level tree of ``total`` units, bulk-created; returns the root
    and the grassroots units."""
    from lms.core.models import OrgUnit

    L = OrgUnit.Level
    cities, counties, stations = SHAPES[total]
    root = OrgUnit.add_root(name=f"{prefix}省", code=f"{prefix}", level=L.PROVINCE)
    above = 1 + cities + cities * counties + cities * counties * stations
    rooms = total - above
    levels = [
        (L.CITY, [cities]),
        (L.COUNTY, [counties] * cities),
        (L.COUNTY, [stations] * (cities * counties)),
    ]
    parents = [root]
    for level, fanouts in levels:
        parents = _children(parents, fanouts, level, prefix)
    per = [
        rooms // len(parents) + (i < rooms % len(parents)) for i in range(len(parents))
    ]
    grassroots = _children(parents, per, L.GRASSROOTS, prefix)
    assert OrgUnit.objects.filter(root.subtree_q()).count() == total
    return OrgUnit.objects.get(pk=root.pk), grassroots


def _children(parents, fanouts, level, prefix):
    """Bulk-create ``fanouts[i]`` children under ``parents[i]`` (codes in
    path order, as treebeard's ``node_order_by`` would place them)."""
    from lms.core.models import OrgUnit

    made = []
    for parent, count in zip(parents, fanouts, strict=True):
        depth = parent.depth + 1
        for i in range(count):
            made.append(
                OrgUnit(
                    name=f"{parent.name}-{i + 1}",
                    code=f"{parent.code}-{i + 1:03d}",
                    level=level,
                    path=OrgUnit._get_path(parent.path, depth, i + 1),
                    depth=depth,
                    numchild=0,
                )
            )
        parent.numchild = count
    OrgUnit.objects.bulk_update(parents, ["numchild"], batch_size=500)
    OrgUnit.objects.bulk_create(made, batch_size=500)
    return list(
        OrgUnit.objects.filter(code__in=[u.code for u in made]).order_by("path")
    )


def people(root, grassroots, *, prefix, tiers, track, version):
    """Two people in each grassroots unit (one in three with none): pool
    places of every tier, valid and expired certificates; policies at the
    root and at every fifth sub-station; a leader at the root."""
    from lms.core.models import Role, User, role_group
    from supervision.models import (
        Certificate,
        Enrolment,
        PoolMember,
        UnitPolicy,
    )

    made = []
    for n, unit in enumerate(grassroots):
        for k in range(0 if n % 3 == 0 else 2):
            made.append(
                User(
                    username=f"{prefix}-{n}-{k}",
                    full_name=f"人员{n}-{k}",
                    home_unit=unit,
                )
            )
    User.objects.bulk_create(made, batch_size=1000)
    made = list(User.objects.filter(username__startswith=f"{prefix}-"))
    members, enrolments = [], []
    for i, person in enumerate(made):
        if i % 2 == 0:
            tier = tiers[i % len(tiers)]
            members.append(PoolMember(person=person, scheme=tier.scheme, tier=tier))
        if i % 3 == 0:
            enrolments.append(
                Enrolment(
                    person=person,
                    track=track,
                    version=version,
                    status=Enrolment.Status.APPROVED,
                )
            )
    PoolMember.objects.bulk_create(members, batch_size=1000)
    Enrolment.objects.bulk_create(enrolments, batch_size=1000)
    enrolments = Enrolment.objects.filter(person__username__startswith=f"{prefix}-")
    Certificate.objects.bulk_create(
        (
            Certificate(
                enrolment=e,
                holder_id=e.person_id,
                track=track,
                version=version,
                unit_id=e.person.home_unit_id,
                issued_on=TODAY - datetime.timedelta(days=400),
                expires_on=TODAY + datetime.timedelta(days=(-1) ** i * 30),
            )
            for i, e in enumerate(enrolments.select_related("person"))
        ),
        batch_size=1000,
    )
    UnitPolicy.objects.create(unit=root, coverage_need=1, coverage_tier=tiers[1])
    stations = {unit.ancestor_paths()[-2] for unit in grassroots}
    from lms.core.models import OrgUnit

    for n, station in enumerate(OrgUnit.objects.filter(path__in=stations)):
        if n % 5 == 0:
            UnitPolicy.objects.create(
                unit=station,
                coverage_need=2,
                coverage_tier=tiers[0],
                coverage_track=track,
            )
    leader = User.objects.create_user(
        f"{prefix}-leader", full_name="领导", home_unit=root
    )
    leader.groups.add(role_group(Role.LEADER))
    return leader


def build():
    from lms.core.models import OrgUnit
    from supervision.models import PoolScheme, Tier, Track, TrackVersion

    made = {}
    for total in (200, 2000):
        prefix = f"t{total}"
        root, grassroots = tree(total, prefix)
        scheme = PoolScheme.objects.create(code=prefix, name="人才库", unit=root)
        tiers = [
            Tier.objects.create(scheme=scheme, code=f"r{r}", name=f"级{r}", rank=r)
            for r in (1, 2, 3)
        ]
        track = Track.objects.create(code=f"{prefix}-track", name="团辅", unit=root)
        version = TrackVersion.objects.create(
            track=track, number=1, published_at=timezone.now()
        )
        leader = people(
            root, grassroots, prefix=prefix, tiers=tiers, track=track, version=version
        )
        made[total] = (OrgUnit.objects.get(pk=root.pk), leader)
    return made


def timed(call) -> tuple[int, float]:
    """Queries of one call, and the median time of ``REPEATS`` more."""
    connection.queries_log.clear()  # a full log would hide the count
    with CaptureQueriesContext(connection) as queries:
        call()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return len(queries), statistics.median(times)


def main() -> None:
    from supervision.selectors.coverage import coverage_for

    setup_test_environment()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    made = build()
    print(f"built both trees in {time.perf_counter() - started:.1f}s")
    url = reverse("supervision:coverage")
    results = {}
    for total, (_root, leader) in made.items():
        client = Client()
        client.force_login(leader)
        report = coverage_for(user=leader, today=TODAY)

        def page(client=client):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        results[total] = (
            timed(lambda leader=leader: coverage_for(user=leader, today=TODAY)),
            timed(page),
            report,
        )
    print(
        f"{'units':>6}{'grassroots':>11}{'covered':>9}{'share':>8}"
        f"{'sel q':>7}{'sel ms':>8}{'page q':>8}{'page ms':>9}"
    )
    for total, ((sq, ss), (pq, ps), report) in results.items():
        print(
            f"{total:>6}{report.grassroots_total:>11}{report.grassroots_covered:>9}"
            f"{report.share!s:>7}%{sq:>7}{ss * 1000:>8.1f}{pq:>8}{ps * 1000:>9.1f}"
        )
    (small_sel, small_page, _), (big_sel, big_page, _) = results[200], results[2000]
    for label, small, big in (
        ("selector", small_sel, big_sel),
        ("page", small_page, big_page),
    ):
        verdict = "met" if small[0] == big[0] else "MISSED"
        print(
            f"{label}: queries 2,000 vs 200 units: {big[0]} vs {small[0]} "
            f"({verdict}); time ratio {big[1] / small[1]:.1f}x for 10x the units"
        )
    print(f"(date {datetime.date.today()}, load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
