"""Crisis deployments, call-outs, pool places and certificates for the
proposal and call-out tests.  Rows are made directly (not through the
services), so a test can set up any state, including ones the services
would refuse."""

import datetime
import itertools
import secrets

from django.utils import timezone

from lms.core.models import Role
from supervision.models import (
    CallOut,
    Certificate,
    Deployment,
    IncidentType,
    PoolMember,
    PoolScheme,
    Tier,
)
from supervision.services.deployments import token_hash
from tests.factories.certificates import make_certificate
from tests.factories.core import UserFactory

_seq = itertools.count(1)


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def make_person(unit, username=None, *, full_name=None, roles=(Role.TRAINEE,)):
    n = next(_seq)
    return UserFactory(
        username=username or f"p{n}",
        full_name=full_name or f"队员{n:03d}",
        home_unit=unit,
        roles=list(roles),
    )


def certify(person, track, *, expires_on="auto", status=Certificate.Status.ISSUED):
    """A certificate of ``track`` held by ``person`` (issued a year ago)."""
    issued = today() - datetime.timedelta(days=365)
    if expires_on == "auto":
        expires_on = days(700)
    return make_certificate(
        person, track, issued_on=issued, expires_on=expires_on, status=status
    )


def make_scheme(unit, *, code=None, ranks=(1, 2, 3)) -> list[Tier]:
    """A pool scheme of ``unit`` with one tier per rank; the tiers, rank 1
    first."""
    code = code or f"scheme-{next(_seq)}"
    scheme = PoolScheme.objects.create(code=code, name=f"人才库{code}", unit=unit)
    return [
        Tier.objects.create(
            scheme=scheme, code=f"t{rank}", name=f"层级{rank}", rank=rank
        )
        for rank in ranks
    ]


def place(person, tier, *, review_reason="") -> PoolMember:
    return PoolMember.objects.create(
        person=person, scheme=tier.scheme, tier=tier, review_reason=review_reason
    )


def make_deployment(
    unit,
    *,
    created_by,
    size=5,
    starts_on=None,
    ends_on=None,
    tracks=(),
    tier=None,
    status=Deployment.Status.ASSEMBLING,
    title="突发事件心理援助",
) -> Deployment:
    deployment = Deployment.objects.create(
        title=title,
        incident_type=IncidentType.HARROWING_SCENE,
        unit=unit,
        starts_on=starts_on or days(1),
        ends_on=ends_on or days(3),
        size=size,
        required_tier=tier,
        status=status,
        created_by=created_by,
    )
    deployment.required_tracks.set(tracks)
    return deployment


def make_callout(
    deployment,
    person,
    *,
    status=CallOut.Status.CALLED,
    expires_in=datetime.timedelta(hours=24),
    called_at=None,
    rank=1,
) -> tuple[CallOut, str]:
    """A call-out and the token of its link (cleared unless it waits)."""
    token = secrets.token_urlsafe(32)
    waiting = status == CallOut.Status.CALLED
    callout = CallOut.objects.create(
        deployment=deployment,
        person=person,
        rank=rank,
        status=status,
        token_hash=token_hash(token) if waiting else "",
        token_expires_at=timezone.now() + expires_in,
        called_at=called_at or timezone.now(),
        answered_at=None if waiting else timezone.now(),
    )
    return callout, token
