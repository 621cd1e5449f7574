"""The ranked proposal of people for a crisis deployment: who may go, and
in which order, with the reasons in words.  The deployment page, the
call-out services and ``manage.py team_propose`` all ask ``propose``.

Who is in the pool (every condition in SQL, on the ``User`` table):

1. active, with a home unit in ``scope_unit``'s subtree (the
   coordinator's; ``None``: the whole tree, for the command line and
   platform administrators);
2. free on every day of the range (``availability.busy_q``: no duty
   shift, session or other live deployment); with ``exclude_deployment``
   that deployment's own call-outs do not make anyone busy, and nobody it
   already called (whatever their answer) is proposed again;
3. holding, for each required track, a certificate in force on the later
   of today and the deployment's last day (``certificates.in_force_q``),
   so nobody's certificate lapses before the work ends;
4. with a tier given: a member of that tier's scheme in a tier of its rank
   or a more senior one.

The order, every key computed in the database:

1. ``tier_above`` descending: with a tier given, the rank of the person's
   tier in its scheme minus the tier's rank; without one, the highest rank
   they hold in any scheme (0 outside the pool);
2. ``extra_certificates`` descending: certificates in force (as in 3
   above) of tracks beyond the required ones;
3. ``closeness`` descending: how many levels of the unit concerned's path
   the person's home unit shares (its depth for anyone at or below it,
   its parent's depth for the rest of the parent's subtree, and so on
   outward; 0 for another tree);
4. ``load`` ascending: call-outs the person accepted that were made in the
   last 90 days, plus crisis-intervention practice entries (not drafts)
   dated in the last 90 days;
5. ``full_name``, then ``pk``, so the order is total and repeatable.

The query count does not grow with the pool: one query for the ranked
rows, then one each for the certificates, the pool places and the unit
names the reasons cite.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lms.core.models import OrgUnit, User

from ..models import CallOut, Certificate, Deployment, PoolMember, PracticeEntry, Tier
from .availability import busy_q
from .certificates import in_force_q

#: The window of "recent load", in days.
LOAD_DAYS = 90


@dataclass
class Candidate:
    """One proposed person, the parts of their place in the order, and why."""

    person: User
    rank: int
    tier_above: int
    extra_certificates: int
    closeness: int
    distance: int
    callouts: int
    entries: int
    proposed: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def load(self) -> int:
        return self.callouts + self.entries

    @property
    def order_key(self) -> tuple:
        """The sort key the docstring of this module states, for checks."""
        return (
            -self.tier_above,
            -self.extra_certificates,
            -self.closeness,
            self.load,
            self.person.full_name,
            self.person.pk,
        )


def _ids(items: Iterable) -> list[int]:
    return sorted({getattr(item, "pk", item) for item in items})


def _count(rows: QuerySet, key: str) -> Coalesce:
    """The number of ``rows`` per outer person, as a scalar subquery (no
    join, so counts of two relations do not multiply)."""
    counted = rows.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _closeness(unit: OrgUnit) -> Case:
    """Levels of ``unit``'s path the outer person's home unit shares."""
    paths = unit.ancestor_paths()
    whens = [
        When(home_unit__path__startswith=path, then=Value(level))
        for level, path in reversed(list(enumerate(paths, start=1)))
    ]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def pool(
    *,
    unit: OrgUnit,
    start: datetime.date,
    end: datetime.date,
    tracks: Iterable = (),
    tier: Tier | None = None,
    scope_unit: OrgUnit | None,
    exclude_deployment: Deployment | None = None,
    today: datetime.date | None = None,
) -> QuerySet[User]:
    """Everyone who may be proposed, annotated with the order's keys and
    ordered (see the module docstring).  One query when evaluated."""
    today = today or timezone.localdate()
    valid_on = max(today, end)
    track_ids = _ids(tracks)
    person = OuterRef("pk")
    rows = User.objects.filter(is_active=True, home_unit__isnull=False)
    if scope_unit is not None:
        rows = rows.filter(scope_unit.subtree_q("home_unit__"))
    rows = rows.exclude(busy_q(start, end, exclude_deployment=exclude_deployment))
    if exclude_deployment is not None:
        called = CallOut.objects.filter(deployment=exclude_deployment, person=person)
        rows = rows.exclude(Exists(called))
    valid = Certificate.objects.filter(in_force_q(valid_on))
    for track_id in track_ids:
        # an uncorrelated IN, run once: as a correlated EXISTS, SQLite's
        # planner walks the track's index for every person of the tree
        holders = valid.filter(track_id=track_id).values("holder_id")
        rows = rows.filter(pk__in=holders)
    in_force = valid.filter(holder=person)
    places = PoolMember.objects.filter(person=person)
    if tier is not None:
        places = places.filter(scheme_id=tier.scheme_id)
        rows = rows.filter(Exists(places.filter(tier__rank__gte=tier.rank)))
    held = places.order_by("-tier__rank").values("tier__rank")[:1]
    held_rank = Coalesce(Subquery(held, output_field=IntegerField()), Value(0))
    since = today - datetime.timedelta(days=LOAD_DAYS)
    since_at = datetime.datetime.combine(
        since, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    # distinct tracks: a renewal and the certificate it renews count once
    extra = (
        in_force.exclude(track_id__in=track_ids)
        .order_by()
        .values("holder")
        .annotate(n=Count("track", distinct=True))
        .values("n")
    )
    return rows.annotate(
        tier_above=held_rank - Value(tier.rank) if tier is not None else held_rank,
        extra_certificates=Coalesce(
            Subquery(extra, output_field=IntegerField()), Value(0)
        ),
        closeness=_closeness(unit),
        recent_callouts=_count(
            CallOut.objects.filter(
                person=person,
                status=CallOut.Status.ACCEPTED,
                called_at__gte=since_at,
            ),
            "person",
        ),
        recent_entries=_count(
            PracticeEntry.objects.filter(
                person=person,
                kind=PracticeEntry.Kind.CRISIS,
                occurred_on__gte=since,
            ).exclude(status=PracticeEntry.Status.DRAFT),
            "person",
        ),
    ).order_by(
        F("tier_above").desc(),
        F("extra_certificates").desc(),
        F("closeness").desc(),
        (F("recent_callouts") + F("recent_entries")).asc(),
        "full_name",
        "pk",
    )


def propose(
    *,
    unit: OrgUnit,
    size: int,
    start: datetime.date,
    end: datetime.date,
    tracks: Iterable = (),
    tier: Tier | None = None,
    scope_unit: OrgUnit | None,
    exclude_deployment: Deployment | None = None,
    today: datetime.date | None = None,
    limit: int | None = None,
    among: Iterable[int] | None = None,
) -> list[Candidate]:
    """The ranked proposal for a need: the first ``limit`` people of
    ``pool`` (all without a limit), the first ``size`` of them marked
    ``proposed``, each with the reasons in sentences.  ``among`` keeps
    only those person ids (to check a coordinator's ticks).  Four queries
    (one when nobody qualifies)."""
    today = today or timezone.localdate()
    track_ids = _ids(tracks)
    rows = pool(
        unit=unit,
        start=start,
        end=end,
        tracks=track_ids,
        tier=tier,
        scope_unit=scope_unit,
        exclude_deployment=exclude_deployment,
        today=today,
    ).select_related("home_unit")
    if among is not None:
        rows = rows.filter(pk__in=list(among))
    if limit is not None:
        rows = rows[:limit]
    people = list(rows)
    if not people:
        return []
    candidates = [
        Candidate(
            person=person,
            rank=index,
            tier_above=person.tier_above,
            extra_certificates=person.extra_certificates,
            closeness=person.closeness,
            distance=max(0, unit.depth - person.closeness),
            callouts=person.recent_callouts,
            entries=person.recent_entries,
            proposed=index <= size,
        )
        for index, person in enumerate(people, start=1)
    ]
    _explain(
        candidates,
        unit=unit,
        start=start,
        end=end,
        track_ids=track_ids,
        tier=tier,
        valid_on=max(today, end),
    )
    return candidates


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _explain(candidates, *, unit, start, end, track_ids, tier, valid_on) -> None:
    """Fill each candidate's reasons: certificates, pool place, where they
    work, that they are free, and their recent load.  Three queries."""
    ids = [c.person.pk for c in candidates]
    certificates = defaultdict(list)
    for certificate in (
        Certificate.objects.filter(in_force_q(valid_on), holder_id__in=ids)
        .select_related("track")
        .order_by("track__name", "-expires_on")
    ):
        certificates[certificate.holder_id].append(certificate)
    places = defaultdict(list)
    members = PoolMember.objects.filter(person_id__in=ids).select_related(
        "tier", "scheme"
    )
    if tier is not None:
        members = members.filter(scheme_id=tier.scheme_id)
    for member in members.order_by("-tier__rank"):
        places[member.person_id].append(member)
    names = {
        len(u.path) // u.steplen: u.name
        for u in OrgUnit.objects.filter(unit.ancestors_q()).only("path", "name")
    }
    for candidate in candidates:
        reasons = candidate.reasons
        reasons.extend(
            _certificate_reasons(certificates[candidate.person.pk], track_ids)
        )
        reasons.extend(_place_reasons(places[candidate.person.pk], tier))
        reasons.append(_where(candidate, unit, names))
        reasons.append(
            _(
                "Free from %(start)s to %(end)s: no duty shift, session or other "
                "deployment."
            )
            % {"start": _date(start), "end": _date(end)}
        )
        reasons.append(_load(candidate))


def _certificate_reasons(held, track_ids) -> list[str]:
    seen, reasons = set(), []
    for certificate in held:
        if certificate.track_id in seen:
            continue
        seen.add(certificate.track_id)
        values = {
            "track": certificate.track.name,
            "until": _date(certificate.expires_on) if certificate.expires_on else "",
        }
        if certificate.track_id in track_ids:
            text = (
                _("Holds the required certificate %(track)s, valid until %(until)s.")
                if certificate.expires_on
                else _(
                    "Holds the required certificate %(track)s, which does not expire."
                )
            )
        else:
            text = (
                _("Also holds the certificate %(track)s, valid until %(until)s.")
                if certificate.expires_on
                else _("Also holds the certificate %(track)s, which does not expire.")
            )
        reasons.append(text % values)
    return reasons


def _place_reasons(members, tier) -> list[str]:
    reasons = []
    for member in members[:1] if tier is not None else members:
        reasons.append(
            _("In the talent pool as %(tier)s (%(scheme)s).")
            % {"tier": member.tier, "scheme": member.scheme.name}
        )
        if member.review_reason:
            reasons.append(
                _("Flagged for review: %(reason)s") % {"reason": member.review_reason}
            )
    if tier is not None and members:
        above = members[0].tier.rank - tier.rank
        if above > 0:
            reasons.append(
                _("%(levels)s tier level(s) above the minimum (%(tier)s).")
                % {"levels": above, "tier": tier}
            )
    return reasons


def _where(candidate: Candidate, unit: OrgUnit, names: dict) -> str:
    home = candidate.person.home_unit
    if candidate.distance == 0:
        if home.pk == unit.pk:
            return _("Works at %(unit)s, the unit concerned.") % {"unit": home.name}
        return _("Works at %(unit)s, within the unit concerned.") % {"unit": home.name}
    if candidate.closeness == 0:
        return _("Works at %(unit)s, outside the unit concerned's tree.") % {
            "unit": home.name
        }
    return _(
        "Works at %(unit)s, within %(ancestor)s (%(steps)s level(s) out from "
        "the unit concerned)."
    ) % {
        "unit": home.name,
        "ancestor": names.get(candidate.closeness, ""),
        "steps": candidate.distance,
    }


def _load(candidate: Candidate) -> str:
    if not candidate.load:
        return _("No crisis work in the last %(days)s days.") % {"days": LOAD_DAYS}
    return _(
        "In the last %(days)s days: %(callouts)s call-out(s) accepted, "
        "%(entries)s crisis intervention entry(ies)."
    ) % {
        "days": LOAD_DAYS,
        "callouts": candidate.callouts,
        "entries": candidate.entries,
    }
