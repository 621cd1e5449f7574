"""Who may do what in courses: videos and offline sessions.

Predicates over the rows given and their foreign keys; a few need one
small ``exists()`` on the given objects, and their docstrings say so.
Where a list needs the same rule, its queryset twin is in ``selectors``
and ``tests/test_rule_twins.py`` checks that both agree."""

from lms.core.models import User
from lms.core.permissions import (
    can_manage_unit,
    can_manage_units,
    is_scoped_manager,
    unit_in_scope,
)

from .models import Cohort, CohortMember, OfflineSession, Video


def can_manage_video(user: User, video: Video) -> bool:
    """Coordinators manage the videos of their subtree; uploaders their own."""
    if not user.is_authenticated:
        return False
    if video.uploaded_by_id == user.pk:
        return True
    return can_manage_units(user) and unit_in_scope(user, video.unit)


def can_manage_session(user: User, session: OfflineSession) -> bool:
    """Coordinators of the session's unit or above it; no query.  Row form
    of ``selectors.sessions.sessions_manageable_by``."""
    return can_manage_unit(user, session.unit)


def can_run_session_screen(user: User, session: OfflineSession) -> bool:
    """Those who manage the session, and its facilitators (one
    ``exists()`` on the session's facilitators)."""
    if can_manage_session(user, session):
        return True
    return user.is_authenticated and session.facilitators.filter(pk=user.pk).exists()


def may_attend(person: User, session: OfflineSession) -> bool:
    """Whether ``person`` is on the session's list (may check in or be
    marked): people whose home unit is the session's unit or below it, and
    members of the session's cohort (one ``exists()`` on the cohort).  Row
    form of ``selectors.sessions.people_on_list``."""
    if not person.is_authenticated or not person.is_active:
        return False
    home = person.home_unit
    if home is not None and session.unit.contains(home):
        return True
    return (
        session.cohort_id is not None
        and CohortMember.objects.filter(
            cohort_id=session.cohort_id, person=person
        ).exists()
    )


def can_read_cohort(user: User, cohort: Cohort) -> bool:
    """Read a cohort's page and progress grid (never change it):
    coordinators and leaders of its unit or above, and supervisors of one
    of its members (one ``exists()``; who supervises whom comes from
    ``selectors.cohorts.supervisees_of``).  Row form of
    ``selectors.cohorts.cohorts_readable_by``."""
    from .selectors.cohorts import supervisees_of

    if not user.is_authenticated:
        return False
    if is_scoped_manager(user) and unit_in_scope(user, cohort.unit):
        return True
    return CohortMember.objects.filter(
        cohort=cohort, person__in=supervisees_of(user=user).values("pk")
    ).exists()
