"""Videos a user manages or may watch."""

from django.db.models import Q, QuerySet
from django.http import Http404

from lms.core.models import User
from lms.core.selectors import units_manageable_by

from ..models import Video
from .learn import lessons_visible_to


def videos_manageable_by(*, user: User) -> QuerySet[Video]:
    """Videos a coordinator manages (their subtree's library) plus the
    user's own uploads; trainees' own recordings are not in the library."""
    videos = Video.objects.select_related("unit", "uploaded_by")
    if user.is_superuser:
        return videos
    if not user.is_authenticated:
        return videos.none()
    return videos.filter(
        Q(unit__in=units_manageable_by(user=user), in_library=True)
        | Q(uploaded_by=user)
    )


def video_get_for(*, user: User, key) -> Video:
    """A video the user may watch: one they manage, or one a lesson they
    may open shows.  Anything else is a 404."""
    video = Video.objects.filter(key=key).select_related("unit").first()
    if video is None:
        raise Http404
    if videos_manageable_by(user=user).filter(pk=video.pk).exists():
        return video
    if lessons_visible_to(user=user).filter(video=video).exists():
        return video
    raise Http404
