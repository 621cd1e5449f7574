"""Wagtail admin for videos: upload, a live status column, scoped to the
coordinator's subtree (and the uploader's own videos)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column

from lms.core.viewsets import ScopedViewSet, ServiceCreateView, ServiceDeleteView

from ..forms.videos import VideoEditForm, VideoUploadForm
from ..models import Video
from ..services import videos as video_services


class StatusColumn(Column):
    """The processing status, refreshed in place by ``admin-status.js``."""

    cell_template_name = "courses/admin/status_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["video"] = instance
        return context


class VideoCreateView(ServiceCreateView):
    create_service = video_services.video_upload
    # The upload service refuses a file (ffprobe's verdict) in a sentence
    # that belongs on the file field.
    error_field = "file"
    history_action = None

    def service_arguments(self) -> dict:
        data = self.form.cleaned_data
        upload = data["file"]
        return {
            "upload": upload,
            "filename": upload.name,
            "title": data.get("title", ""),
            "unit": data["unit"],
        }

    def get_success_message(self, instance=None):
        return _("“%(title)s” was uploaded and is being prepared for playback.") % {
            "title": self.object.title
        }


class VideoDeleteView(ServiceDeleteView):
    delete_service = video_services.video_delete
    object_argument = "video"


class VideoViewSet(ScopedViewSet):
    model = Video
    icon = "media"
    menu_label = _("Videos")
    menu_order = 150
    add_to_admin_menu = True
    inspect_view_enabled = True
    inspect_view_fields = [
        "title",
        "unit",
        "status",
        "duration",
        "width",
        "height",
        "remuxed",
        "original_filename",
        "original_size",
        "created_at",
        "ready_at",
    ]
    add_view_class = VideoCreateView
    delete_view_class = VideoDeleteView
    list_display = [
        "title",
        StatusColumn("status", label=_("Status")),
        "unit",
        Column("duration", label=_("Seconds")),
        "created_at",
    ]
    list_filter = ["status", "unit"]
    search_fields = ["title", "original_filename"]
    ordering = ["-created_at"]
    list_export = [
        "title",
        "status",
        "unit",
        "duration",
        "original_filename",
        "created_at",
    ]
    export_filename = "videos"

    def get_form_class(self, for_update=False):
        return VideoEditForm if for_update else VideoUploadForm
