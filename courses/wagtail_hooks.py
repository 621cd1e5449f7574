from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from lms.core.policies import register_scoped_policies

from .viewsets.cohorts import CohortViewSet
from .viewsets.sessions import SessionViewSet
from .viewsets.videos import VideoViewSet

register_scoped_policies(VideoViewSet, CohortViewSet, SessionViewSet)


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
