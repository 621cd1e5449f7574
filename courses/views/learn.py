"""Trainee-facing views for learning: the home page, hours, progress
reports and quiz answers.

The lesson, module and syllabus pages themselves are Wagtail pages
(``courses.models.pages``); these views serve what those pages call.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail import hooks

from lms.core.selectors import hours_for_person, hours_summary

from ..selectors import cohorts, learn
from ..selectors.sessions import upcoming_sessions_for
from ..services import progress as progress_services

MAX_REPORT_BYTES = 16 * 1024

#: Hooks through which apps to the right of courses (the practice app)
#: add to the learner's pages without courses importing them.
#: ``courses_learn_attention``: ``fn(user) -> list[{"text", "url"}]``, things
#: waiting for the learner (a returned practice entry), shown first on
#: 我的学习.  ``courses_pending_hours``: ``fn(user) -> list[{"label",
#: "hours", "count", "url"}]``, hours submitted but not yet credited, shown
#: apart from the credited ones on the hours page.
ATTENTION_HOOK = "courses_learn_attention"
PENDING_HOURS_HOOK = "courses_pending_hours"


def _hook_rows(name: str, user) -> list[dict]:
    return [row for answer in hooks.get_hooks(name) for row in answer(user)]


@login_required
def learn_home(request):
    """My learning: continue where I left off, the syllabus with my
    progress per module, my credited hours."""
    user = request.user
    return render(
        request,
        "courses/learn_home.html",
        {
            "continue_progress": learn.continue_lesson_for(user=user),
            "cohorts": cohorts.cohorts_of(user=user),
            "sessions": upcoming_sessions_for(user=user),
            "syllabi": learn.learning_overview_for(user=user),
            "hours": hours_summary(hours_for_person(person=user)),
            "attention": _hook_rows(ATTENTION_HOOK, user),
            "pending": _hook_rows(PENDING_HOURS_HOOK, user),
        },
    )


@login_required
def my_hours(request):
    """Every row of my hours ledger, newest first."""
    return render(
        request,
        "courses/my_hours.html",
        {
            "entries": learn.lesson_hours_entries_for(user=request.user)[:500],
            "hours": hours_summary(hours_for_person(person=request.user)),
            "pending": _hook_rows(PENDING_HOURS_HOOK, request.user),
        },
    )


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@login_required
@require_POST
def progress_report(request, lesson_id: int):
    """The player's report of what it played: JSON ``{"token", "ranges",
    "position"}``.  Answers with the progress as the server counts it."""
    lesson = learn.lesson_get_for(user=request.user, pk=lesson_id)
    if len(request.body) > MAX_REPORT_BYTES:
        return _error(_("The progress report is too large."), 413)
    try:
        data = json.loads(request.body)
        started = learn.view_started_at(
            token=str(data.get("token", "")), user=request.user, lesson=lesson
        )
        progress = progress_services.lesson_progress_report(
            person=request.user,
            lesson=lesson,
            ranges=data.get("ranges"),
            position=float(data.get("position") or 0),
            view_started=started,
        )
    except (ValueError, TypeError, AttributeError):
        return _error(_("The progress report is not in the expected form."))
    except signing.BadSignature:
        return _error(_("This page has been open too long; please reload it."), 409)
    except ValidationError as error:
        return _error(" ".join(error.messages))
    except PermissionDenied as denied:
        return _error(str(denied) or _("You cannot do this."), 403)
    return JsonResponse(
        {
            "watched_percent": round(100 * progress.watched_fraction),
            "video_done": progress.video_done_at is not None,
            "completed": progress.completed_at is not None,
            "position": progress.position,
        }
    )


@login_required
@require_POST
def quiz_submit(request, lesson_id: int):
    """Grade the lesson's quiz; the lesson page shows the result."""
    lesson = learn.lesson_get_for(user=request.user, pk=lesson_id)
    answers = {
        key[2:]: request.POST.getlist(key)
        for key in request.POST
        if key.startswith("q-")
    }
    try:
        attempt = progress_services.lesson_quiz_submit(
            person=request.user, lesson=lesson, answers=answers
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        # The page shows the answers given again, so only the missing
        # ones need adding; only this quiz's questions and answers are kept.
        request.session[learn.QUIZ_DRAFT_KEY % lesson.pk] = _quiz_draft(lesson, answers)
    except PermissionDenied as denied:
        messages.error(request, str(denied))
    else:
        if attempt.passed:
            messages.success(
                request,
                _("You passed the quiz with %(score)s%%.") % {"score": attempt.score},
            )
        else:
            messages.warning(
                request,
                _("You scored %(score)s%%; %(mark)s%% is needed. Try again.")
                % {"score": attempt.score, "mark": lesson.quiz_pass_mark},
            )
    return HttpResponseRedirect(lesson.url + "#quiz")


def _quiz_draft(lesson, answers: dict[str, list[str]]) -> dict[str, list[str]]:
    draft = {}
    for block in lesson.quiz:
        indexes = {str(i) for i in range(len(block.value["choices"]))}
        draft[block.id] = [v for v in answers.get(block.id, []) if v in indexes]
    return draft


@login_required
@require_POST
def mark_read(request, lesson_id: int):
    lesson = learn.lesson_get_for(user=request.user, pk=lesson_id)
    try:
        progress_services.lesson_mark_read(person=request.user, lesson=lesson)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Lesson completed."))
    return HttpResponseRedirect(lesson.url)


urlpatterns = [
    path("", learn_home, name="learn"),
    path("hours/", my_hours, name="my_hours"),
    path("lessons/<int:lesson_id>/progress/", progress_report, name="progress_report"),
    path("lessons/<int:lesson_id>/quiz/", quiz_submit, name="quiz_submit"),
    path("lessons/<int:lesson_id>/read/", mark_read, name="mark_read"),
]
