"""Property test of the proposal over random pools: it never holds a
person with a clash, without a required certificate in force to the last
day, below the tier or outside the coordinator's subtree; it holds
everyone else; and its order is the one ``selectors.proposal`` states,
recomputed here in Python from the rows made."""

import datetime
import functools

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.core.models import OrgUnit
from supervision.models import CallOut, Certificate, Deployment, PracticeEntry
from supervision.selectors.availability import clashes
from supervision.selectors.proposal import propose
from tests.factories.certificates import make_track
from tests.factories.core import make_unit
from tests.factories.deployments import (
    certify,
    days,
    make_callout,
    make_deployment,
    make_person,
    make_scheme,
    place,
)
from tests.factories.supervision import make_entry, make_shift, make_signup

examples = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

UNITS = ["city", "east", "east_room", "east_child", "west", "west_room"]
CERTS = ["none", "valid", "lapsing", "expired", "revoked", "forever"]
BUSY = ["free", "shift_in", "shift_after", "deployed", "deployed_before"]

people = st.lists(
    st.fixed_dictionaries(
        {
            "unit": st.sampled_from(UNITS),
            "cert": st.sampled_from(CERTS),
            "extra": st.booleans(),
            "busy": st.sampled_from(BUSY),
            "rank": st.integers(min_value=0, max_value=3),
            "callouts": st.integers(min_value=0, max_value=2),
            "entries": st.integers(min_value=0, max_value=2),
            "name": st.sampled_from(["甲", "乙", "丙"]),
        }
    ),
    min_size=1,
    max_size=7,
)


def rolled_back(check):
    @functools.wraps(check)
    def run(*args, **kwargs):
        with transaction.atomic():
            check(*args, **kwargs)
            transaction.set_rollback(True)

    return run


def _depth_shared(a: OrgUnit, b: OrgUnit) -> int:
    shared = 0
    for level in range(1, min(a.depth, b.depth) + 1):
        end = level * a.steplen
        if a.path[:end] != b.path[:end]:
            break
        shared = level
    return shared


def _make(org, spec, units, track, extra, tiers, past):
    person = make_person(units[spec["unit"]], full_name=spec["name"])
    cert = spec["cert"]
    if cert == "valid":
        certify(person, track)
    elif cert == "lapsing":
        certify(person, track, expires_on=days(2))
    elif cert == "expired":
        certify(person, track, expires_on=days(-1))
    elif cert == "revoked":
        certify(person, track, status=Certificate.Status.REVOKED)
    elif cert == "forever":
        certify(person, track, expires_on=None)
    if spec["extra"]:
        certify(person, extra)
    busy = spec["busy"]
    if busy in ("shift_in", "shift_after"):
        offset = 2 if busy == "shift_in" else 5
        start = timezone.now() + datetime.timedelta(days=offset)
        make_signup(make_shift(org.city, starts_at=start), person)
    elif busy in ("deployed", "deployed_before"):
        other = make_deployment(
            org.city,
            created_by=org.coordinator,
            starts_on=days(3 if busy == "deployed" else -5),
            ends_on=days(4 if busy == "deployed" else 0),
        )
        make_callout(other, person)
    if spec["rank"]:
        place(person, tiers[spec["rank"] - 1])
    for _ in range(spec["callouts"]):
        old = make_deployment(
            org.city,
            created_by=org.coordinator,
            starts_on=days(-40),
            ends_on=days(-35),
            status=Deployment.Status.CLOSED,
        )
        make_callout(
            old,
            person,
            status=CallOut.Status.ACCEPTED,
            called_at=timezone.now() - datetime.timedelta(days=41),
        )
    for _ in range(spec["entries"]):
        make_entry(
            person,
            kind=PracticeEntry.Kind.CRISIS,
            status=PracticeEntry.Status.SUBMITTED,
            occurred_on=days(-10),
            deployment=past,
        )
    return person


def test_the_proposal_keeps_the_rules_and_the_stated_order(org):
    child = make_unit(
        name="东区一室分组",
        code="east-child",
        parent=org.east_room,
        level=OrgUnit.Level.GRASSROOTS,
    )
    units = {
        "city": org.city,
        "east": org.east,
        "east_room": org.east_room,
        "east_child": OrgUnit.objects.get(pk=child.pk),
        "west": org.west,
        "west_room": org.west_room,
    }
    track = make_track(org.city, code="req")
    extra = make_track(org.city, code="extra")
    tiers = make_scheme(org.city)
    past = make_deployment(
        org.city,
        created_by=org.coordinator,
        starts_on=days(-20),
        ends_on=days(-15),
        status=Deployment.Status.CLOSED,
    )

    @examples
    @given(
        specs=people,
        target=st.sampled_from(["east", "east_room", "east_child"]),
        scope=st.sampled_from(["east", "city"]),
        need_track=st.booleans(),
        need_tier=st.sampled_from([None, 1, 2]),
    )
    @rolled_back
    def check(specs, target, scope, need_track, need_tier):
        made = [_make(org, s, units, track, extra, tiers, past) for s in specs]
        unit, scope_unit = units[target], units[scope]
        tier = tiers[need_tier - 1] if need_tier else None
        found = propose(
            unit=unit,
            size=3,
            start=days(1),
            end=days(3),
            tracks=[track] if need_track else [],
            tier=tier,
            scope_unit=scope_unit,
        )
        ours = {p.pk for p in made}
        got = [c for c in found if c.person.pk in ours]
        busy = clashes([p.pk for p in made], days(1), days(3))
        expected = []
        for person, spec in zip(made, specs, strict=True):
            ok = (
                scope_unit.contains(person.home_unit)
                and person.pk not in busy
                and (not need_track or spec["cert"] in ("valid", "forever"))
                and (tier is None or spec["rank"] >= tier.rank)
            )
            assert (spec["busy"] in ("shift_in", "deployed")) == (person.pk in busy)
            if not ok:
                continue
            extras = int(spec["extra"])
            if not need_track and spec["cert"] in ("valid", "forever"):
                extras += 1  # the track itself is then an extra certificate
            expected.append(
                (
                    -(spec["rank"] - (tier.rank if tier else 0)),
                    -extras,
                    -_depth_shared(person.home_unit, unit),
                    spec["callouts"] + spec["entries"],
                    person.full_name,
                    person.pk,
                )
            )
        expected.sort()
        # then nobody is proposed who should not be, nobody missing, in order
        assert [key[-1] for key in expected] == [c.person.pk for c in got]
        for candidate in got:
            assert scope_unit.contains(candidate.person.home_unit)
            assert candidate.person.pk not in busy

    check()
