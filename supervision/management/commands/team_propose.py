"""Print the ranked proposal for a crisis need: the same ``propose`` as
the deployment page, drawn from the whole unit tree (whoever can run
commands on the server is trusted, so no scope is checked).

    python manage.py team_propose --unit CODE --size N [--track CODE]...
        --from YYYY-MM-DD --to YYYY-MM-DD [--tier SCHEME/TIER] [--reserves N]

Bad arguments end with one sentence on stderr and exit status 2.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.models import OrgUnit
from supervision.models import Tier, Track
from supervision.selectors.proposal import propose
from supervision.services.deployments import SIZE_MAX, SIZE_MIN, SPAN_MAX

#: The most reserves listed after the people proposed.
RESERVES_MAX = 1000


def _refuse(message: str):
    return CommandError(message, returncode=2)


def _day(raw: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw.strip())
    except (ValueError, AttributeError):
        raise _refuse(
            _("%(option)s takes a date like 2026-03-31, not “%(raw)s”.")
            % {"option": option, "raw": str(raw)[:40]}
        ) from None


class Command(BaseCommand):
    help = (
        "Print the people proposed for a crisis deployment, best first, with "
        "each person's reasons: free on the dates, holding a valid certificate "
        "of every --track (and, with --tier, in that tier or a more senior one), "
        "ranked by qualification, closeness to --unit and recent load. Exits "
        "with status 2 for bad arguments."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Code of the unit concerned.")
        parser.add_argument(
            "--size", required=True, help="How many people are needed (1–200)."
        )
        parser.add_argument(
            "--track",
            action="append",
            default=[],
            help="Code of a certification track everyone must hold (repeatable).",
        )
        parser.add_argument(
            "--tier", help="SCHEME/TIER codes: that tier or a more senior one."
        )
        parser.add_argument(
            "--from", dest="start", required=True, help="First day, YYYY-MM-DD."
        )
        parser.add_argument(
            "--to", dest="end", required=True, help="Last day, YYYY-MM-DD."
        )
        parser.add_argument(
            "--reserves",
            default="10",
            help="How many more people to list after those proposed (default 10).",
        )

    def handle(self, *args, unit, size, track, tier, start, end, reserves, **options):
        size = self._number(size, "--size", SIZE_MIN, SIZE_MAX)
        reserves = self._number(reserves, "--reserves", 0, RESERVES_MAX)
        first, last = _day(start, "--from"), _day(end, "--to")
        if last < first:
            raise _refuse(_("--to comes before --from."))
        if (last - first).days >= SPAN_MAX:
            raise _refuse(
                _("A deployment lasts at most %(days)s days.") % {"days": SPAN_MAX}
            )
        place = OrgUnit.objects.filter(code=unit).first()
        if place is None:
            raise _refuse(_("No unit has the code %(code)s.") % {"code": unit[:60]})
        tracks = self._tracks(track)
        candidates = propose(
            unit=place,
            size=size,
            start=first,
            end=last,
            tracks=tracks,
            tier=self._tier(tier),
            scope_unit=None,
            today=timezone.localdate(),
            limit=size + reserves,
        )
        self._print(place, size, first, last, tracks, candidates)

    def _number(self, raw: str, option: str, low: int, high: int) -> int:
        text = str(raw).strip()
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            raise _refuse(
                _("%(option)s takes a whole number from %(low)s to %(high)s.")
                % {"option": option, "low": low, "high": high}
            )
        return int(text)

    def _tracks(self, codes) -> list[Track]:
        tracks = []
        for code in dict.fromkeys(codes):
            found = Track.objects.filter(
                code=code, purpose=Track.Purpose.CERTIFICATION
            ).first()
            if found is None:
                raise _refuse(
                    _("No certification track has the code %(code)s.")
                    % {"code": code[:60]}
                )
            tracks.append(found)
        return tracks

    def _tier(self, raw: str | None) -> Tier | None:
        if not raw:
            return None
        scheme, _sep, code = raw.partition("/")
        tier = (
            Tier.objects.select_related("scheme")
            .filter(scheme__code=scheme, code=code)
            .first()
        )
        if tier is None:
            raise _refuse(
                _("No tier has the codes %(codes)s (write SCHEME/TIER).")
                % {"codes": raw[:80]}
            )
        return tier

    def _print(self, place, size, first, last, tracks, candidates) -> None:
        names = "、".join(track.name for track in tracks) or _("none")
        self.stdout.write(
            _(
                "Proposal for %(unit)s, %(start)s to %(end)s: %(size)s people; "
                "certificates needed: %(tracks)s."
            )
            % {
                "unit": place.name,
                "start": first.isoformat(),
                "end": last.isoformat(),
                "size": size,
                "tracks": names,
            }
        )
        if not candidates:
            self.stdout.write(_("Nobody is free on these dates and qualified."))
            return
        proposed = sum(1 for c in candidates if c.proposed)
        if proposed < size:
            self.stdout.write(
                _("Only %(count)s people qualify; %(size)s are needed.")
                % {"count": proposed, "size": size}
            )
        for candidate in candidates:
            if candidate.rank == size + 1:
                self.stdout.write(_("Reserves:"))
            person = candidate.person
            self.stdout.write(
                f"{candidate.rank:>4}. {person.get_full_name()} "
                f"({person.username}, {person.home_unit.name})"
            )
            for reason in candidate.reasons:
                self.stdout.write(f"        - {reason}")
