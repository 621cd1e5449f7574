"""StreamField blocks for a lesson's short quiz."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError


class QuizChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("answer"), max_length=300)
    correct = blocks.BooleanBlock(label=_("correct"), required=False)

    class Meta:
        label = _("answer")


class QuizQuestionBlock(blocks.StructBlock):
    """One question: single choice (exactly one right answer) or multiple
    choice (at least one; all right answers and no wrong one to score)."""

    question = blocks.TextBlock(label=_("question"), max_length=1000)
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[
            ("single", _("Single choice")),
            ("multiple", _("Multiple choice")),
        ],
        default="single",
    )
    choices = blocks.ListBlock(QuizChoiceBlock(), label=_("answers"), min_num=2)

    def clean(self, value):
        value = super().clean(value)
        right = sum(1 for choice in value["choices"] if choice["correct"])
        if value["kind"] == "single" and right != 1:
            raise StructBlockValidationError(
                block_errors={
                    "choices": ValidationError(
                        _("A single-choice question needs exactly one correct answer.")
                    )
                }
            )
        if value["kind"] == "multiple" and right < 1:
            raise StructBlockValidationError(
                block_errors={
                    "choices": ValidationError(
                        _(
                            "A multiple-choice question needs at least one correct answer."
                        )
                    )
                }
            )
        return value

    class Meta:
        icon = "help"
        label = _("question")
