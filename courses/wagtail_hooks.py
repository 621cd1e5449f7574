from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from .cohort_viewsets import CohortViewSet
from .viewsets import VideoViewSet


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


from . import session_viewsets  # noqa: E402, F401 - registers the sessions admin
