"""Duty-shift rows and helpers for tests (``make_shift`` and
``make_signup`` live in ``tests.factories.supervision``)."""

import datetime

from django.utils import timezone

from lms.core import checkin
from lms.core.models import Role
from supervision.models import QuotaExemption, UnitPolicy
from tests.factories.core import UserFactory

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
#: A fixed moment for service tests (a Tuesday, 09:00 in Shanghai).
T0 = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI)


def token_for(shift, now=None) -> str:
    return checkin.current_token(shift.check_in_keys, now or timezone.now())


def code_for(shift, now=None) -> str:
    return checkin.short_code(shift.check_in_keys, now or timezone.now())


def make_trainee(unit, username, **fields):
    return UserFactory(
        username=username, home_unit=unit, roles=[Role.TRAINEE], **fields
    )


def make_exemption(person, starts_on, ends_on, *, by, reason="病假"):
    return QuotaExemption.objects.create(
        person=person,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        created_by=by,
    )


def set_policy(unit, **fields):
    return UnitPolicy.objects.update_or_create(unit=unit, defaults=fields)[0]
