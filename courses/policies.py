"""Wagtail permission policies for the admin of courses (see
``lms.core.policies``): coordinators add, change, delete and view the
videos, cohorts and offline sessions of their subtree; superusers all of
them.  Registered by ``courses.wagtail_hooks`` before the viewsets."""

from django.db.models import QuerySet

from lms.core.policies import ScopedPolicy

from .models import Cohort, OfflineSession, Video
from .selectors.cohorts import cohorts_manageable_by
from .selectors.sessions import sessions_manageable_by
from .selectors.videos import videos_manageable_by


class VideoPolicy(ScopedPolicy):
    """The subtree's library and the user's own uploads."""

    def scoped(self, user) -> QuerySet[Video]:
        return videos_manageable_by(user=user)


class CohortPolicy(ScopedPolicy):
    def scoped(self, user) -> QuerySet[Cohort]:
        return cohorts_manageable_by(user=user)


class SessionPolicy(ScopedPolicy):
    def scoped(self, user) -> QuerySet[OfflineSession]:
        return sessions_manageable_by(user=user)


POLICIES = [
    VideoPolicy(Video),
    CohortPolicy(Cohort),
    SessionPolicy(OfflineSession),
]
