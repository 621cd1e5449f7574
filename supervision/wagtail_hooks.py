"""Register the admin viewsets of supervision (coordinators: shifts,
exemptions, supervisor assignments, techniques, pairings, rules)."""

from wagtail import hooks

from lms.core.policies import register_scoped_policies

from .viewsets import entries, pairing, shifts, supervisions

# The practice log registers its own policy (``viewsets.entries``);
# techniques are one catalogue for everyone.
register_scoped_policies(
    shifts.ShiftViewSet,
    shifts.ExemptionViewSet,
    supervisions.SupervisorAssignmentViewSet,
)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [
        *shifts.VIEWSETS,
        *entries.VIEWSETS,
        *supervisions.VIEWSETS,
        *pairing.VIEWSETS,
    ]
