"""Leaders' pages: read the hours ledger for the leader's subtree."""

from django.shortcuts import render

from lms.core import selectors
from lms.core.decorators import role_required
from lms.core.models import HoursCategory, Role


@role_required(Role.LEADER)
def leader_home(request):
    unit = request.user.home_unit
    totals = selectors.hours_for_subtree(unit=unit) if unit else {}
    return render(
        request,
        "reports/leader_home.html",
        {
            "unit": unit,
            "hours": selectors.hours_summary(totals),
            "children": selectors.hours_by_child_unit(unit=unit) if unit else [],
            "categories": HoursCategory.choices,
            "counts": selectors.people_counts_by_role(user=request.user),
        },
    )
