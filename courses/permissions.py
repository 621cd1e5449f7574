"""Pure predicates for courses: who may manage a video.  No queries beyond
the objects given (a video's unit is read through its foreign key)."""

from lms.core.models import User
from lms.core.permissions import can_manage_units, unit_in_scope

from .models import Video


def can_manage_video(user: User, video: Video) -> bool:
    """Coordinators manage the videos of their subtree; uploaders their own."""
    if not user.is_authenticated:
        return False
    if video.uploaded_by_id == user.pk:
        return True
    return can_manage_units(user) and unit_in_scope(user, video.unit)
