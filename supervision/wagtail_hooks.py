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
