"""Register the admin viewsets of supervision (coordinators: shifts,
exemptions, supervisor assignments, techniques, certification tracks).
Pairing has no admin viewset: coordinators pair people on
/practice/pairs/, which shows the no-contact flag and works on a phone."""

from wagtail import hooks

from lms.core.policies import register_policies

from .policies import POLICIES
from .selectors.people import supervisees_of
from .viewsets import (
    certification,
    crisis,
    entries,
    pool,
    qualifications,
    ratings,
    shifts,
    supervisions,
)

# Before the viewsets register: every one finds its rows through its policy.
register_policies(*POLICIES)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [
        *shifts.VIEWSETS,
        *entries.VIEWSETS,
        *supervisions.VIEWSETS,
        *ratings.VIEWSETS,
        *qualifications.VIEWSETS,
        *certification.VIEWSETS,
        *pool.VIEWSETS,
        *crisis.VIEWSETS,
    ]


@hooks.register("courses_supervisees")
def courses_supervisees(user):
    """Answers courses' "whose practice does this user supervise?", so a
    supervisor reads the cohorts and sessions of their supervisees without
    courses importing the practice app."""
    return supervisees_of(user=user)


# --- entries16 ---
@hooks.register("courses_learn_attention")
def courses_learn_attention(user):
    """Answers courses' "what waits for this learner?": each practice entry
    a supervisor returned, linked to its edit form (which shows the
    comment)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .selectors.entries import returned_entries_of

    return [
        {
            "text": _("Practice entry returned: %(date)s %(kind)s — read the comment")
            % {
                "date": f"{entry.occurred_on:%Y-%m-%d}",
                "kind": entry.get_kind_display(),
            },
            "url": reverse("supervision:entry_edit", args=[entry.pk]),
        }
        for entry in returned_entries_of(person=user)[:10]
    ]


@hooks.register("courses_pending_hours")
def courses_pending_hours(user):
    """Answers courses' "which hours wait for sign-off?": the practice
    submitted and not yet approved."""
    from django.urls import reverse

    from lms.core.models import HoursCategory

    from .selectors.entries import pending_practice_hours

    pending = pending_practice_hours(person=user)
    if not pending["count"]:
        return []
    return [
        {
            "label": HoursCategory.PRACTICE.label,
            "hours": pending["hours"],
            "count": pending["count"],
            "url": reverse("supervision:entry_list"),
        }
    ]


# --- /entries16 ---
