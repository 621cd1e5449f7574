"""Forms for trainee video lessons and their review.  They check the shape
of the input; the services check the rules (duration, who, status)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.selectors.learn import lessons_visible_to
from lms.core.models import User

_MMSS = re.compile(r"(\d{1,2}):([0-5]\d)")
_SECONDS = re.compile(r"\d{1,4}")


class VideoFileField(forms.FileField):
    widget = forms.ClearableFileInput(attrs={"accept": "video/*"})


class VideoLessonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    lesson = forms.ModelChoiceField(
        label=_("After the lesson (optional)"),
        queryset=None,
        required=False,
    )
    file = VideoFileField(
        label=_("Video (at most five minutes)"),
        error_messages={"empty": _("The file is empty; please choose a video.")},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].queryset = lessons_visible_to(user=user).order_by("path")


class ResubmitForm(forms.Form):
    file = VideoFileField(
        label=_("New video (at most five minutes)"),
        error_messages={"empty": _("The file is empty; please choose a video.")},
    )


class CommentForm(forms.Form):
    at = forms.CharField(
        label=_("At (m:ss)"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "placeholder": "0:00", "size": 6}
        ),
    )
    body = forms.CharField(
        label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_at(self) -> int:
        """m:ss as the player shows it, or whole seconds."""
        value = self.cleaned_data["at"].strip()
        if match := _MMSS.fullmatch(value):
            return int(match[1]) * 60 + int(match[2])
        if _SECONDS.fullmatch(value):
            return int(value)
        raise forms.ValidationError(
            _("Write the moment as minutes and seconds, such as 1:05.")
        )


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please say what should change.")},
    )
