"""The video files: renditions and posters for people who may watch them
(permission-checked, seekable), and the processing status for uploaders."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.urls import path
from django.views.decorators.http import require_safe

from lms.core.ranged import video_file_response

from ..permissions import can_manage_video
from ..selectors import videos as selectors
from ..video_files import video_storage


@login_required
@require_safe
def video_file(request, key, quality: str):
    """A rendition (``main`` 720p or ``low`` 360p), for people who may
    watch the video; never the original upload."""
    video = selectors.video_get_for(user=request.user, key=key)
    return video_file_response(
        request, storage=video_storage(), video=video, quality=quality
    )


@login_required
@require_safe
def video_poster(request, key):
    video = selectors.video_get_for(user=request.user, key=key)
    return video_file_response(request, storage=video_storage(), video=video)


@login_required
@require_safe
def video_status(request, key):
    """The processing status, polled by the uploader's page."""
    video = selectors.video_get_for(user=request.user, key=key)
    if not can_manage_video(request.user, video):
        raise Http404
    return JsonResponse(
        {
            "status": video.status,
            "label": video.get_status_display(),
            "reason": video.failure_message,
            "duration": video.duration,
        }
    )


urlpatterns = [
    path("videos/<uuid:key>/poster.jpg", video_poster, name="video_poster"),
    path("videos/<uuid:key>/status/", video_status, name="video_status"),
    path("videos/<uuid:key>/<str:quality>.mp4", video_file, name="video_file"),
]
