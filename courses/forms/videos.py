"""Forms for courses: the video upload in the Wagtail admin."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.core.selectors import units_manageable_by

from ..models import Video
from ..services.videos import video_title_clean


def _typed_title(form) -> str:
    """The title as typed, without bidi or other control characters (which
    could make it read backwards in every listing)."""
    return video_title_clean(form.cleaned_data.get("title", ""))


class VideoUploadForm(WagtailAdminModelForm):
    """Title, unit and the file.  The file is checked by the upload service
    (ffprobe), not here: the extension and the browser's content type say
    nothing about what is inside."""

    file = forms.FileField(
        label=_("video file"),
        help_text=_(
            "Any common video format (MP4, MOV, WebM, AVI…). Up to 5 minutes; it is "
            "converted for phones and browsers after upload."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "video/*"}),
    )

    class Meta:
        model = Video
        fields = ["title", "unit"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the file name.")
        if for_user is not None:
            self.fields["unit"].queryset = units_manageable_by(user=for_user)
            if for_user.home_unit_id and not self.initial.get("unit"):
                self.initial["unit"] = for_user.home_unit_id

    def clean_title(self):
        # Empty (or nothing but controls): the upload service uses the file name.
        return _typed_title(self)


class VideoEditForm(WagtailAdminModelForm):
    class Meta:
        model = Video
        fields = ["title"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_title(self):
        title = _typed_title(self)
        if not title:
            raise forms.ValidationError(_("Please give the video a title."))
        return title
