"""The lesson editor's form (imported by the page model, so it imports
models only when a form is built)."""

from wagtail.admin.forms import WagtailAdminPageForm


class LessonPageForm(WagtailAdminPageForm):
    """Offers the videos the editor manages (their subtree's and their
    own, not failed ones), plus the one the lesson already shows."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        from courses.models import Video
        from courses.selectors.videos import videos_manageable_by

        field = self.fields.get("video")
        if field is None or for_user is None:
            return
        current = Video.objects.filter(pk=self.instance.video_id)
        mine = videos_manageable_by(user=for_user).exclude(status=Video.Status.FAILED)
        field.queryset = (mine | current).distinct().order_by("-created_at")
