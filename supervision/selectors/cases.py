"""Reads of cases, consent and referrals."""

import datetime

from ..models import Case, Consent


def observation_consent_on(*, case: Case, on: datetime.date) -> Consent | None:
    """The consent that lets a trainee observe ``case`` on ``on``: signed
    on or before that day, covering observation, not withdrawn (a
    withdrawal blocks every observation entry made after it, whatever
    date the entry names)."""
    return (
        Consent.objects.filter(
            case=case,
            covers_observation=True,
            signed_on__lte=on,
            withdrawn_on__isnull=True,
        )
        .order_by("-signed_on", "-id")
        .first()
    )
