"""Navigation shared by every page: one entry per role the user holds."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

ROLE_HOMES = {
    Role.TRAINEE: ("courses:learn", _("My learning")),
    Role.SUPERVISOR: ("supervision:inbox_show", _("Supervision")),
    Role.COORDINATOR: ("core:coordinator_home", _("Management")),
    Role.LEADER: ("reports:leader_home", _("Reports")),
}


def role_homes(user) -> list[dict]:
    return [
        {"role": role, "url": reverse(name), "label": label}
        for role, (name, label) in ROLE_HOMES.items()
        if role in user.roles
    ]


#: Pages every holder of one of the roles reaches from the navigation, after
#: the role homes (named by URL, so core imports no app to its right).
SHARED_PAGES = [
    ("supervision:home", _("Practice"), set(Role.values)),
    (
        "cohort_grid:list",
        _("Cohorts"),
        {Role.COORDINATOR, Role.LEADER, Role.SUPERVISOR},
    ),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = role_homes(user)
    items += [
        {"role": "", "url": reverse(name), "label": label}
        for name, label, roles in SHARED_PAGES
        if user.roles & roles
    ]
    return {"nav_items": items}
