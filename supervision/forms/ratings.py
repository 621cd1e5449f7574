"""The rating form: one score (1–5) and one optional comment per item of
a rubric, and an overall comment.  It checks the shape of the input; the
service checks who may rate and that every item is rated."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Rubric
from ..services.ratings import MAX_COMMENT, MAX_ITEM_COMMENT

SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


def score_field(item) -> str:
    return f"score_{item.pk}"


def comment_field(item) -> str:
    return f"comment_{item.pk}"


class RatingForm(forms.Form):
    comment = forms.CharField(
        label=_("Overall comment (optional)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, rubric: Rubric, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        self.items = list(rubric.items.all())
        for item in self.items:
            self.fields[score_field(item)] = forms.TypedChoiceField(
                label=item.text,
                help_text=item.guidance,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "score"}),
                error_messages={
                    "required": _("Give this item a score from 1 to 5."),
                    "invalid_choice": _("Give this item a score from 1 to 5."),
                },
            )
            self.fields[comment_field(item)] = forms.CharField(
                label=_("Comment on this item (optional)"),
                required=False,
                max_length=MAX_ITEM_COMMENT,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # The overall comment comes last on the page.
        self.order_fields(
            [name for name in self.fields if name != "comment"] + ["comment"]
        )

    def rows(self):
        """(item, score field, comment field) for the template, in order."""
        return [
            (item, self[score_field(item)], self[comment_field(item)])
            for item in self.items
        ]

    def scores(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {
            item.pk: (data[score_field(item)], data[comment_field(item)])
            for item in self.items
        }
