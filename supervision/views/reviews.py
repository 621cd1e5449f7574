"""Trainee video lessons under /practice/videos/: the trainee's list and
upload, the review page (player, timestamped comments, approve/return),
and the video's renditions and poster, served to the trainee and their
supervisors only.  Submissions come through ``selectors.reviews`` so an
outsider gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from courses.models import Video
from courses.video_files import video_storage
from lms.core.decorators import role_required
from lms.core.models import Role
from lms.core.ranged import video_file_response

from ..forms.reviews import (
    ApproveForm,
    CommentForm,
    ResubmitForm,
    ReturnForm,
    VideoLessonForm,
)
from ..models import VideoLessonSubmission
from ..permissions import can_review
from ..selectors import reviews as selectors
from ..services import reviews as services

Status = VideoLessonSubmission.Status
#: Rows of "waiting for your review" on the list page (the inbox has all).
WAITING_ROWS = 20


def safe_next(request, default: str) -> str:
    """The posted or queried ``next`` when it points into this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- the trainee's list and upload ------------------------------------------------


def _list_context(request, form=None) -> dict:
    user = request.user
    context = {"form": None, "mine": [], "waiting": [], "waiting_total": 0}
    if user.has_role(Role.TRAINEE):
        context["form"] = form or VideoLessonForm(user=user)
        context["mine"] = selectors.video_lessons_of(user=user)
    if user.has_role(Role.SUPERVISOR):
        waiting = selectors.video_reviews_waiting_for(user=user)
        context["waiting"] = waiting[:WAITING_ROWS]
        context["waiting_total"] = waiting.count()
    return context


@role_required(Role.TRAINEE, Role.SUPERVISOR)
@require_safe
def video_lesson_list(request):
    """My video lessons with their processing and review status, the
    upload form; for supervisors, the lessons waiting for their review."""
    return render(request, "supervision/reviews/list.html", _list_context(request))


@role_required(Role.TRAINEE)
@require_POST
def video_lesson_submit(request):
    form = VideoLessonForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        try:
            services.video_lesson_submit(
                actor=request.user,
                title=form.cleaned_data["title"],
                lesson=form.cleaned_data["lesson"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your video lesson was uploaded and is being prepared.")
            )
            return HttpResponseRedirect(reverse("supervision:video_lesson_list"))
    context = _list_context(request, form=form)
    return render(request, "supervision/reviews/list.html", context, status=400)


# --- the review page ---------------------------------------------------------------


def _sources(submission: VideoLessonSubmission) -> list[dict]:
    video = submission.video
    if not video.is_ready:
        return []
    qualities = [("main", "720p")] + ([("low", "360p")] if video.low_name else [])
    return [
        {
            "label": label,
            "url": reverse(
                "supervision:video_lesson_file", args=[submission.pk, quality]
            ),
        }
        for quality, label in qualities
    ]


def _start_at(request, video: Video) -> int:
    value = request.GET.get("t", "")
    if not value.isdigit() or len(value) > 5:
        return 0
    return min(int(value), int(video.duration or 0))


def _detail_context(request, submission, **forms) -> dict:
    user = request.user
    reviewer = can_review(user, submission)
    open_for_review = (
        reviewer and submission.status == Status.SUBMITTED and submission.video.is_ready
    )
    replaceable = user.pk == submission.person_id and (
        submission.status == Status.RETURNED
        or (
            submission.status == Status.SUBMITTED
            and submission.video.status == Video.Status.FAILED
        )
    )
    current, earlier = selectors.review_comments_of(submission)
    return {
        "submission": submission,
        "video": submission.video,
        "sources": _sources(submission),
        "start": _start_at(request, submission.video),
        "comments": current,
        "earlier_comments": earlier,
        "history": selectors.review_history_of(submission),
        "is_reviewer": reviewer,
        "open_for_review": open_for_review,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "approve_form": forms.get("approve_form") or ApproveForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "resubmit_form": (forms.get("resubmit_form") or ResubmitForm())
        if replaceable
        else None,
    }


def _detail(request, submission, *, status=200, **forms):
    context = _detail_context(request, submission, **forms)
    return render(request, "supervision/reviews/detail.html", context, status=status)


def _detail_url(submission) -> str:
    return reverse("supervision:video_lesson_detail", args=[submission.pk])


@login_required
@require_safe
def video_lesson_detail(request, pk: int):
    """The player with the timestamped comments; for a reviewer, the
    comment form and approve/return; for the trainee, a new upload when
    the lesson was returned."""
    submission = selectors.video_lesson_get_for(user=request.user, pk=pk)
    return _detail(request, submission)


@login_required
@require_POST
def video_comment_create(request, pk: int):
    submission = selectors.video_lesson_get_for(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.video_review_comment(
                actor=request.user,
                submission=submission,
                at_seconds=form.cleaned_data["at"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(_detail_url(submission) + "#comments")
    return _detail(request, submission, status=400, comment_form=form)


def _review(request, pk: int, *, form_class, service, key: str, done: str):
    """Approve or return: on success go to ``next`` (or the page); on a
    refusal, say why there (from the inbox) or show the form again."""
    submission = selectors.video_lesson_get_for(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(
                actor=request.user,
                submission=submission,
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(safe_next(request, _detail_url(submission)))
    back = safe_next(request, "")
    if back:
        errors = [e for field in form.errors.values() for e in field]
        messages.error(request, " ".join(str(e) for e in errors))
        return HttpResponseRedirect(back)
    return _detail(request, submission, status=400, **{key: form})


@login_required
@require_POST
def video_lesson_approve(request, pk: int):
    return _review(
        request,
        pk,
        form_class=ApproveForm,
        service=services.video_lesson_approve,
        key="approve_form",
        done=_("The video lesson was approved and counts as practice."),
    )


@login_required
@require_POST
def video_lesson_return(request, pk: int):
    return _review(
        request,
        pk,
        form_class=ReturnForm,
        service=services.video_lesson_return,
        key="return_form",
        done=_("The video lesson was returned to the trainee."),
    )


@login_required
@require_POST
def video_lesson_resubmit(request, pk: int):
    submission = selectors.video_lesson_get_for(user=request.user, pk=pk)
    if submission.person_id != request.user.pk:
        raise Http404
    form = ResubmitForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.video_lesson_resubmit(
                actor=request.user,
                submission=submission,
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your new video was uploaded."))
            return HttpResponseRedirect(_detail_url(submission))
    return _detail(request, submission, status=400, resubmit_form=form)


# --- the video's files -----------------------------------------------------------


@login_required
@require_safe
def video_lesson_file(request, pk: int, quality: str):
    """A rendition of the submission's current video; never the original."""
    video = selectors.video_lesson_get_for(user=request.user, pk=pk).video
    return video_file_response(
        request, storage=video_storage(), video=video, quality=quality
    )


@login_required
@require_safe
def video_lesson_poster(request, pk: int):
    video = selectors.video_lesson_get_for(user=request.user, pk=pk).video
    return video_file_response(request, storage=video_storage(), video=video)


urlpatterns = [
    path("videos/", video_lesson_list, name="video_lesson_list"),
    path("videos/new/", video_lesson_submit, name="video_lesson_submit"),
    path("videos/<int:pk>/", video_lesson_detail, name="video_lesson_detail"),
    path(
        "videos/<int:pk>/comments/", video_comment_create, name="video_comment_create"
    ),
    path("videos/<int:pk>/approve/", video_lesson_approve, name="video_lesson_approve"),
    path("videos/<int:pk>/return/", video_lesson_return, name="video_lesson_return"),
    path(
        "videos/<int:pk>/resubmit/", video_lesson_resubmit, name="video_lesson_resubmit"
    ),
    path("videos/<int:pk>/poster.jpg", video_lesson_poster, name="video_lesson_poster"),
    path(
        "videos/<int:pk>/<str:quality>.mp4", video_lesson_file, name="video_lesson_file"
    ),
]
