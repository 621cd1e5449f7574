"""The syllabus (培训大纲) as a Wagtail page tree: index → module → lesson.

Pages hold editorial content only.  What a person has watched, passed or
been credited lives in plain models (``LessonProgress``, the hours ledger)
and is read through ``courses.selectors.learn`` when a page is shown.
"""

from decimal import Decimal

from django.contrib.auth.views import redirect_to_login
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page

from courses.blocks import QuizQuestionBlock
from courses.forms.learn import LessonPageForm


class LoginRequiredPage(Page):
    """Training material is for the organisation's people only."""

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)


class IntroPage(LoginRequiredPage):
    """A page of the tree above the lessons: a title and an introduction."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        abstract = True


class SyllabusIndexPage(IntroPage):
    """A syllabus (培训大纲), e.g. the city's psychological-service syllabus."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.ModulePage"]
    template = "courses/syllabus_index_page.html"

    class Meta:
        verbose_name = _("syllabus")
        verbose_name_plural = _("syllabi")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import learn

        context = super().get_context(request, *args, **kwargs)
        context["tree"] = learn.syllabus_tree_for(user=request.user, syllabus=self)
        return context


class ModulePage(IntroPage):
    """A module of the syllabus, e.g. 心理服务理论与技能."""

    parent_page_types = ["courses.SyllabusIndexPage"]
    subpage_types = ["courses.LessonPage"]
    template = "courses/module_page.html"

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import learn

        context = super().get_context(request, *args, **kwargs)
        context["module"] = learn.module_progress_for(user=request.user, module=self)
        return context


class LessonPage(LoginRequiredPage):
    """A micro-lesson (微课): a short video, text, attachments, a quiz.

    Completing it (≥90% of the video watched, and the quiz passed when
    there is one) credits ``credit_hours`` of online theory, once.
    """

    video = models.ForeignKey(
        "courses.Video",
        verbose_name=_("video"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
    )
    body = RichTextField(_("text"), blank=True)
    credit_hours = models.DecimalField(
        _("credit hours"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Training hours (学时) credited when the lesson is completed."),
    )
    prerequisites = ParentalManyToManyField(
        "courses.LessonPage",
        verbose_name=_("prerequisites"),
        blank=True,
        related_name="unlocks",
        help_text=_("Lessons that must be completed before this one opens."),
    )
    quiz = StreamField(
        [("question", QuizQuestionBlock())], verbose_name=_("quiz"), blank=True
    )
    quiz_pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    content_panels = Page.content_panels + [
        FieldPanel("video"),
        FieldPanel("body"),
        FieldPanel("credit_hours"),
        FieldPanel("prerequisites"),
        InlinePanel("attachments", label=_("attachments")),
        MultiFieldPanel(
            [FieldPanel("quiz"), FieldPanel("quiz_pass_mark")], heading=_("quiz")
        ),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    template = "courses/lesson_page.html"
    base_form_class = LessonPageForm

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    @property
    def has_quiz(self) -> bool:
        return len(self.quiz) > 0

    def clean(self):
        super().clean()
        if self.pk and any(p.pk == self.pk for p in self.prerequisites.all()):
            from django.core.exceptions import ValidationError

            raise ValidationError(
                {"prerequisites": _("A lesson cannot be its own prerequisite.")}
            )

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import learn

        context = super().get_context(request, *args, **kwargs)
        session = getattr(request, "session", None)
        draft = session.pop(learn.QUIZ_DRAFT_KEY % self.pk, None) if session else None
        context.update(
            learn.lesson_context_for(user=request.user, lesson=self, quiz_draft=draft)
        )
        return context


class LessonAttachment(Orderable):
    """A handout or reading attached to a lesson (a Wagtail document)."""

    page = ParentalKey(LessonPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
