from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from lms.core.policies import register_policies

from .policies import POLICIES
from .viewsets import sessions  # noqa: F401 - registers its own viewset
from .viewsets.cohorts import CohortViewSet
from .viewsets.videos import VideoViewSet

# Before the viewsets register: every one finds its rows through its policy.
register_policies(*POLICIES)


@hooks.register("register_admin_viewset")
def register_videos():
    return VideoViewSet("videos")


@hooks.register("register_admin_viewset")
def register_cohorts():
    return CohortViewSet("cohorts")


@hooks.register("insert_global_admin_js")
def video_status_js():
    return format_html(
        '<script src="{}" defer></script>', static("courses/admin-status.js")
    )
