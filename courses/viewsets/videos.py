"""Wagtail admin for videos: upload, a live status column, scoped to the
coordinator's subtree (and the uploader's own videos)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from lms.core.viewsets import scoped_view

from ..forms.videos import VideoEditForm, VideoUploadForm
from ..models import Video
from ..selectors import videos as selectors
from ..services import videos as video_services


def _videos(user):
    return selectors.videos_manageable_by(user=user)


class StatusColumn(Column):
    """The processing status, refreshed in place by ``admin-status.js``."""

    cell_template_name = "courses/admin/status_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["video"] = instance
        return context


class VideoCreateView(scoped_view(generic.CreateView, _videos)):
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            # The upload service refused the file (ffprobe's verdict): show
            # its sentence on the file field, as for any invalid input.
            form.add_error("file", error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def save_instance(self):
        data = self.form.cleaned_data
        upload = data["file"]
        return video_services.video_upload(
            actor=self.request.user,
            upload=upload,
            filename=upload.name,
            title=data.get("title", ""),
            unit=data["unit"],
        )

    def get_success_message(self, instance=None):
        return _("“%(title)s” was uploaded and is being prepared for playback.") % {
            "title": self.object.title
        }


class VideoDeleteView(scoped_view(generic.DeleteView, _videos)):
    def delete_action(self):
        video_services.video_delete(actor=self.request.user, video=self.object)


class VideoViewSet(ModelViewSet):
    model = Video
    icon = "media"
    menu_label = _("Videos")
    menu_order = 150
    add_to_admin_menu = True
    copy_view_enabled = False
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
    index_view_class = scoped_view(generic.IndexView, _videos)
    add_view_class = VideoCreateView
    edit_view_class = scoped_view(generic.EditView, _videos)
    delete_view_class = VideoDeleteView
    inspect_view_class = scoped_view(generic.InspectView, _videos)
    history_view_class = scoped_view(generic.HistoryView, _videos)
    usage_view_class = scoped_view(generic.UsageView, _videos)
    list_display = [
        "title",
        StatusColumn("status", label=_("Status")),
        "unit",
        Column("duration", label=_("Seconds")),
        "created_at",
    ]
    list_filter = ["status", "unit"]
    search_fields = ["title", "original_filename"]
    search_backend_name = None
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
