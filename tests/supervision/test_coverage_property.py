"""Property test of staffing coverage: over random small trees, people,
pool places, certificates and policies, every grassroots unit's have and
need agree with a direct count in Python, and every unit's roll-up and
the share agree with counting the covered grassroots units below it."""

import datetime
import functools
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lms.core.models import OrgUnit
from supervision.models import Certificate
from supervision.rules import policy_for
from supervision.selectors.coverage import coverage_for
from tests.factories.certificates import make_certificate, make_track
from tests.factories.core import UserFactory, make_unit
from tests.factories.directory import coverage_policy, make_scheme, place

examples = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

#: Each unit below the random root: (parent's index, is grassroots); the
#: root is index 0 and a unit's parent comes before it.
units_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20), st.sampled_from([True, True, False])
    ),
    min_size=1,
    max_size=7,
)
#: Tiers: 0–2 are ranks 1–3 of the main scheme, 3 is rank 3 of another.
TIERS = 4
people_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20),  # home unit index
        st.booleans(),  # active
        st.one_of(st.none(), st.integers(min_value=0, max_value=TIERS - 1)),
        st.one_of(
            st.none(),
            st.tuples(
                st.integers(min_value=0, max_value=1),  # track
                st.sampled_from(["valid", "expired", "revoked", "forever"]),
            ),
        ),
    ),
    min_size=2,
    max_size=14,
)
policies_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20),  # unit index
        st.integers(min_value=0, max_value=3),  # need
        st.one_of(st.none(), st.integers(min_value=0, max_value=TIERS - 1)),
        st.one_of(st.none(), st.integers(min_value=0, max_value=1)),
    ),
    max_size=4,
)


def rolled_back(check):
    """Each example starts from the fixture's rows."""

    @functools.wraps(check)
    def run(*args, **kwargs):
        with transaction.atomic():
            check(*args, **kwargs)
            transaction.set_rollback(True)

    return run


def _tree(org, shape):
    root = make_unit(name="随机县", code="random-root", parent=org.city)
    units = [root]
    for i, (parent, grassroots) in enumerate(shape):
        level = OrgUnit.Level.GRASSROOTS if grassroots else OrgUnit.Level.COUNTY
        units.append(
            make_unit(
                name=f"单位{i}",
                code=f"random-{i}",
                parent=units[parent % len(units)],
                level=level,
            )
        )
    return [OrgUnit.objects.get(pk=unit.pk) for unit in units]


def _certificate(person, track, standing):
    today = timezone.localdate()
    if standing == "valid":
        make_certificate(person, track)
    elif standing == "forever":
        make_certificate(person, track, expires_on=None)
    elif standing == "expired":
        make_certificate(
            person,
            track,
            issued_on=today - datetime.timedelta(days=900),
            expires_on=today - datetime.timedelta(days=1),
        )
    else:
        make_certificate(person, track, status=Certificate.Status.REVOKED)


def test_coverage_agrees_with_a_direct_count(org):
    @examples
    @given(units_strategy, people_strategy, policies_strategy)
    # another scheme's senior tier does not count under this scheme's rule
    @example([(0, True)], [(1, True, 3, None)], [(0, 1, 0, None)])
    # an expired certificate, or one of another track, does not count
    @example(
        [(0, True)],
        [(1, True, None, (0, "expired")), (1, True, None, (1, "valid"))],
        [(0, 1, 2, 0)],
    )
    @rolled_back
    def check(shape, people, policies):
        # given
        units = _tree(org, shape)
        _main, main = make_scheme(org.city, tiers=(("r1", 1), ("r2", 2), ("r3", 3)))
        _other, other = make_scheme(org.city, name="另一方案", tiers=(("o3", 3),))
        tiers = [main["r1"], main["r2"], main["r3"], other["o3"]]
        tracks = [make_track(org.city, name="甲"), make_track(org.city, name="乙")]
        held = []  # (unit pk, active, tier or None, (track, standing) or None)
        for unit_index, active, tier, certificate in people:
            unit = units[unit_index % len(units)]
            person = UserFactory(home_unit=unit, is_active=active)
            if tier is not None:
                place(person, tiers[tier])
            if certificate is not None:
                _certificate(person, tracks[certificate[0]], certificate[1])
            held.append((unit.pk, active, tier, certificate))
        for unit_index, need, tier, track in policies:
            coverage_policy(
                units[unit_index % len(units)],
                need=need,
                tier=None if tier is None else tiers[tier],
                track=None if track is None else tracks[track],
            )

        # when
        report = coverage_for(
            user=org.city_leader, unit=units[0], today=timezone.localdate()
        )

        # then: have and need of each grassroots unit, counted directly
        rows = {row.unit.pk: row for row in report.rows}
        assert set(rows) == {unit.pk for unit in units}
        covered = {}
        for unit in units:
            if unit.level != OrgUnit.Level.GRASSROOTS:
                assert rows[unit.pk].need is None
                continue
            policy = policy_for(unit)
            need = policy.coverage_need if policy else 1
            rule_tier = policy.coverage_tier if policy else None
            rule_track = policy.coverage_track_id if policy else None
            have = 0
            for home, active, tier, certificate in held:
                if home != unit.pk or not active:
                    continue
                if tier is not None:
                    mine = tiers[tier]
                    if rule_tier is None or (
                        mine.scheme_id == rule_tier.scheme_id
                        and mine.rank >= rule_tier.rank
                    ):
                        have += 1
                        continue
                if (
                    certificate is not None
                    and rule_track == tracks[certificate[0]].pk
                    and certificate[1] in ("valid", "forever")
                ):
                    have += 1
            assert (rows[unit.pk].have, rows[unit.pk].need) == (have, need)
            covered[unit.pk] = have >= need
        # the roll-up and the share
        for unit in units:
            below = [pk for pk in covered if unit.contains(_unit(units, pk))]
            assert rows[unit.pk].grassroots_total == len(below)
            assert rows[unit.pk].grassroots_covered == sum(covered[p] for p in below)
        if covered:
            share = Decimal(sum(covered.values()) * 100) / len(covered)
            assert report.share == share.quantize(Decimal("0.1"), ROUND_HALF_UP)
        else:
            assert report.share is None
        # uncovered first
        flags = [row.covered is False for row in report.rows]
        assert flags == sorted(flags, reverse=True)

    check()


def _unit(units, pk):
    return next(unit for unit in units if unit.pk == pk)
