"""Which practice rules apply to a unit: its own policy row, else its
nearest ancestor's, else the deployment's defaults."""

from lms.core.models import OrgUnit

from .models import Rules, UnitPolicy


def rules_for(unit: OrgUnit | None) -> Rules:
    """The rules in force for ``unit`` (one query)."""
    if unit is None:
        return Rules()
    paths = [
        unit.path[:end] for end in range(unit.steplen, len(unit.path) + 1, unit.steplen)
    ]
    policy = (
        UnitPolicy.objects.filter(unit__path__in=paths)
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )
    return policy.rules() if policy else Rules()
