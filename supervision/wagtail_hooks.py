"""Register the admin viewsets of supervision (coordinators: shifts,
exemptions, supervisor assignments, techniques).  Pairing has no admin
viewset: coordinators pair people on /practice/pairs/, which shows the
no-contact flag and works on a phone."""

from wagtail import hooks

from lms.core.policies import register_scoped_policies

from .viewsets import entries, shifts, supervisions

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
    ]
