"""Register the admin viewsets of supervision (coordinators: shifts,
exemptions, supervisor assignments, techniques, certification tracks).
Pairing has no admin viewset: coordinators pair people on
/practice/pairs/, which shows the no-contact flag and works on a phone."""

from wagtail import hooks

from lms.core.policies import register_policies

from .policies import POLICIES
from .viewsets import (
    certification,
    entries,
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
    ]


# --- pool ---
from .viewsets import pool  # noqa: E402


@hooks.register("register_admin_viewset")
def register_pool_viewsets():
    return pool.VIEWSETS


# --- end pool ---
