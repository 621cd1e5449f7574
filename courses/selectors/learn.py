"""Reads for courses, scoped to the acting user.

Every published lesson is open to every signed-in member of the
organisation, except under pages that Wagtail's privacy settings restrict
to groups the user is not in.  Views fetch through these, so a lesson or
video outside what the user may see is a 404.
"""

import datetime
import re
from collections import defaultdict

from django.core import signing
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from lms.core.models import HoursEntry, User

from ..models import (
    CohortAssignment,
    LessonPage,
    LessonProgress,
    ModulePage,
    QuizAttempt,
    SyllabusIndexPage,
    Video,
)

#: A draft of quiz answers the page shows again after a refused submission
#: (kept in the person's session by ``courses.views.learn.quiz_submit``).
QUIZ_DRAFT_KEY = "courses-quiz-draft-%s"
#: The kind markers editors type after a question, "（多选）" and the like;
#: the page says the kind itself, so a typed marker is not shown twice.
_KIND_MARKER = re.compile(r"\s*[（(]\s*(多选|单选|多选题|单选题)\s*[）)]\s*$")

VIEW_TOKEN_SALT = "courses.lesson-view"  # noqa: S105 - a salt, not a secret
VIEW_TOKEN_MAX_AGE = 24 * 3600


def _hidden_paths(user: User) -> list[str]:
    """Tree paths of pages whose privacy setting this user does not pass.

    Kept on the user object, which lives for one request, so a page that
    asks several selectors reads the restrictions once.
    """
    if user.is_superuser:
        return []
    cached = getattr(user, "_courses_hidden_paths", None)
    if cached is not None:
        return cached
    group_ids = {g.pk for g in user.groups.all()}
    hidden = []
    restrictions = PageViewRestriction.objects.select_related("page").prefetch_related(
        "groups"
    )
    for restriction in restrictions:
        kind = restriction.restriction_type
        if kind == PageViewRestriction.LOGIN and user.is_authenticated:
            continue
        if kind == PageViewRestriction.GROUPS and group_ids & {
            g.pk for g in restriction.groups.all()
        }:
            continue
        hidden.append(restriction.page.path)
    user._courses_hidden_paths = hidden
    return hidden


def _visible(pages: QuerySet, user: User) -> QuerySet:
    if not user.is_authenticated:
        return pages.none()
    pages = pages.live()
    hidden = _hidden_paths(user)
    if hidden:
        excluded = Q()
        for path in hidden:
            excluded |= Q(path__startswith=path)
        pages = pages.exclude(excluded)
    return pages


def lessons_visible_to(*, user: User) -> QuerySet[LessonPage]:
    """Published lessons the user may open."""
    return _visible(LessonPage.objects.all(), user)


def syllabi_visible_to(*, user: User) -> QuerySet[SyllabusIndexPage]:
    return _visible(SyllabusIndexPage.objects.all(), user).order_by("path")


def lesson_get_for(*, user: User, pk: int) -> LessonPage:
    return get_object_or_404(lessons_visible_to(user=user), pk=pk)


def _progress_by_lesson(user: User, lessons) -> dict[int, LessonProgress]:
    return {
        p.lesson_id: p
        for p in LessonProgress.objects.filter(person=user, lesson__in=lessons)
    }


class Schedule:
    """Release dates and deadlines of a person's cohorts.

    A lesson assigned to none of the person's cohorts (itself or through
    its module) is open as usual.  One assigned is released on the earliest
    release date among the assignments that cover it, counted in the site's
    time zone (Asia/Shanghai): on that local day it opens.
    """

    def __init__(self, assignments, today: datetime.date):
        self.assignments = list(assignments)
        self.today = today

    @classmethod
    def for_user(cls, user: User, today: datetime.date | None = None) -> "Schedule":
        if not user.is_authenticated:
            return cls([], today or timezone.localdate())
        rows = CohortAssignment.objects.filter(
            cohort__memberships__person=user
        ).values_list("page__path", "release_on", "due_on")
        return cls(rows, today or timezone.localdate())

    def _covering(self, lesson: LessonPage):
        return [a for a in self.assignments if lesson.path.startswith(a[0])]

    def opens_on(self, lesson: LessonPage) -> datetime.date | None:
        """The date the lesson opens, or None when it is open now."""
        covering = self._covering(lesson)
        if not covering:
            return None
        first = min(release for _path, release, _due in covering)
        return first if first > self.today else None

    def due_on(self, lesson: LessonPage) -> datetime.date | None:
        dues = [due for _p, release, due in self._covering(lesson) if due]
        return min(dues) if dues else None


def _lesson_rows(user: User, lessons: list[LessonPage]) -> list[dict]:
    """Each lesson with the user's state: done, started, locked or new."""
    progress = _progress_by_lesson(user, [lesson.pk for lesson in lessons])
    required = defaultdict(set)
    through = LessonPage.prerequisites.through.objects.filter(
        from_lessonpage__in=[lesson.pk for lesson in lessons]
    )
    for link in through:
        required[link.from_lessonpage_id].add(link.to_lessonpage_id)
    done_ids = set(
        LessonProgress.objects.filter(
            person=user, completed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    )
    schedule = Schedule.for_user(user)
    rows = []
    for lesson in lessons:
        mine = progress.get(lesson.pk)
        opens_on = schedule.opens_on(lesson)
        rows.append(
            {
                "lesson": lesson,
                "progress": mine,
                "done": bool(mine and mine.completed_at),
                "locked": bool(required[lesson.pk] - done_ids) or opens_on is not None,
                "opens_on": opens_on,
                "due_on": schedule.due_on(lesson),
                "percent": mine.watched_percent if mine else 0,
            }
        )
    return rows


def _modules_with_rows(user: User, modules: list[ModulePage]) -> list[dict]:
    lessons_by_module = defaultdict(list)
    paths = [m.path for m in modules]
    if paths:
        # A lesson's parent is always a module, so its path minus one step
        # is the module's path.
        lessons = (
            lessons_visible_to(user=user)
            .filter(pages_under_any(paths))
            .select_related("video")
            .order_by("path")
        )
        for row in _lesson_rows(user, list(lessons)):
            lessons_by_module[row["lesson"].path[: -Page.steplen]].append(row)
    result = []
    for module in modules:
        rows = lessons_by_module[module.path]
        done = sum(1 for row in rows if row["done"])
        result.append(
            {
                "module": module,
                "lessons": rows,
                "done": done,
                "total": len(rows),
                "percent": round(100 * done / len(rows)) if rows else 0,
            }
        )
    return result


def pages_under_any(paths: list[str]) -> Q:
    """Pages at or below any of these tree paths."""
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


def _cohort_parts_first(user: User, rows: list[dict]) -> list[dict]:
    """``rows`` (modules with their lessons) with the modules the user's
    cohorts assigned first, in the cohort's order (an assigned lesson
    brings its module along), each marked ``assigned``; the others keep
    the syllabus's order.  One query."""
    if not user.is_authenticated or not rows:
        return rows
    assigned = CohortAssignment.objects.filter(
        cohort__memberships__person=user
    ).values_list("page__path", "position", "release_on")
    rank = {}
    for path, position, release_on in assigned:
        for row in rows:
            module_path = row["module"].path
            if module_path.startswith(path) or path.startswith(module_path):
                key = (position, release_on, module_path)
                rank[module_path] = min(rank.get(module_path, key), key)
    for row in rows:
        row["assigned"] = row["module"].path in rank
    return sorted(
        rows,
        key=lambda row: (
            0 if row["assigned"] else 1,
            rank.get(row["module"].path, ()),
            row["module"].path,
        ),
    )


def syllabus_tree_for(*, user: User, syllabus: SyllabusIndexPage) -> list[dict]:
    """The syllabus's modules, each with its lessons and the user's
    progress, the user's cohort's parts first (``_cohort_parts_first``).

    A fixed number of queries, whatever the number of modules and lessons.
    """
    modules = list(
        _visible(ModulePage.objects.child_of(syllabus), user).order_by("path")
    )
    return _cohort_parts_first(user, _modules_with_rows(user, modules))


def module_progress_for(*, user: User, module: ModulePage) -> dict:
    return _modules_with_rows(user, [module])[0]


def learning_overview_for(*, user: User) -> list[dict]:
    """Every visible syllabus with its modules, for the trainee's home."""
    syllabi = list(syllabi_visible_to(user=user))
    modules = list(
        _visible(ModulePage.objects.all(), user)
        .filter(pages_under_any([s.path for s in syllabi]) if syllabi else Q(pk__in=[]))
        .order_by("path")
    )
    rows = _cohort_parts_first(user, _modules_with_rows(user, modules))
    return [
        {
            "syllabus": syllabus,
            "modules": [r for r in rows if r["module"].path.startswith(syllabus.path)],
        }
        for syllabus in syllabi
    ]


def next_lesson_for(*, user: User, lesson: LessonPage) -> LessonPage | None:
    """The lesson after ``lesson`` in its syllabus's order (the rest of
    its module, then the next modules) that the user may open, or None
    after the last one."""
    if not lesson.path or lesson.depth < 3:
        return None
    syllabus_path = lesson.path[: (lesson.depth - 2) * Page.steplen]
    return (
        lessons_visible_to(user=user)
        .filter(path__startswith=syllabus_path, path__gt=lesson.path)
        .order_by("path")
        .first()
    )


def continue_lesson_for(*, user: User) -> LessonProgress | None:
    """The lesson the user most recently worked on and has not finished."""
    return (
        LessonProgress.objects.filter(
            person=user,
            completed_at__isnull=True,
            lesson__in=lessons_visible_to(user=user),
        )
        .select_related("lesson")
        .order_by("-updated_at")
        .first()
    )


def lesson_hours_entries_for(*, user: User) -> QuerySet[HoursEntry]:
    """The user's own ledger rows, newest first."""
    return (
        HoursEntry.objects.filter(person=user)
        .select_related("unit")
        .order_by("-earned_on", "-pk")
    )


def view_token(*, user: User, lesson: LessonPage) -> str:
    """A signed note of when this user opened this lesson page; progress
    reports carry it so the server knows how long the page has been open."""
    return signing.dumps(
        {"u": user.pk, "l": lesson.pk, "t": timezone.now().timestamp()},
        salt=VIEW_TOKEN_SALT,
    )


def view_started_at(*, token: str, user: User, lesson: LessonPage) -> datetime.datetime:
    """When the page behind ``token`` was opened; ``signing.BadSignature``
    if the token is forged, expired or belongs to another user or lesson."""
    data = signing.loads(token, salt=VIEW_TOKEN_SALT, max_age=VIEW_TOKEN_MAX_AGE)
    if data.get("u") != user.pk or data.get("l") != lesson.pk:
        raise signing.BadSignature("token for another user or lesson")
    return datetime.datetime.fromtimestamp(data["t"], tz=datetime.UTC)


def missing_prerequisites(*, user: User, lesson: LessonPage) -> list[LessonPage]:
    """Prerequisites of ``lesson`` the user has not completed.  Filtered in
    Python: in a Wagtail preview the relation is held in memory."""
    required = sorted(lesson.prerequisites.all(), key=lambda page: page.path)
    if not required:
        return []
    done = set(
        LessonProgress.objects.filter(
            person=user, completed_at__isnull=False, lesson__in=[p.pk for p in required]
        ).values_list("lesson_id", flat=True)
    )
    return [page for page in required if page.pk not in done]


def video_sources(video: Video | None) -> list[dict]:
    """The renditions a player can pick from, best first."""
    if video is None or not video.is_ready:
        return []
    sources = [{"quality": "main", "label": "720p", "height": video.height}]
    if video.low_name:
        sources.append({"quality": "low", "label": "360p", "height": 360})
    for source in sources:
        source["url"] = reverse(
            "courses:video_file",
            kwargs={"key": video.key, "quality": source["quality"]},
        )
    return sources


def quiz_for(
    *,
    lesson: LessonPage,
    attempt: QuizAttempt | None,
    draft: dict[str, list[str]] | None = None,
) -> list[dict]:
    """The lesson's quiz as the page shows it: each question with its kind,
    its answers ticked as last given (a refused ``draft``, else the last
    ``attempt``), and whether the last attempt got it right.

    Correct answers are never shown: a lesson has no setting to reveal
    them, so after an attempt the page says only which questions were
    right and which were wrong (they can be tried again without limit).
    """
    given = draft if draft is not None else (attempt.answers if attempt else {})
    given = given if isinstance(given, dict) else {}
    questions = []
    for number, block in enumerate(lesson.quiz, start=1):
        chosen = {str(i) for i in given.get(block.id, []) or []}
        correct = {str(i) for i, c in enumerate(block.value["choices"]) if c["correct"]}
        right = None
        if draft is None and attempt is not None and block.id in attempt.answers:
            right = chosen == correct
        questions.append(
            {
                "id": block.id,
                "number": number,
                "text": _KIND_MARKER.sub("", block.value["question"]),
                "multiple": block.value["kind"] == "multiple",
                "right": right,
                "choices": [
                    {"index": i, "text": choice["text"], "checked": str(i) in chosen}
                    for i, choice in enumerate(block.value["choices"])
                ],
            }
        )
    return questions


def lesson_context_for(
    *, user: User, lesson: LessonPage, quiz_draft: dict | None = None
) -> dict:
    """What the lesson page shows this user: the player, their progress,
    whether it is locked, the quiz with their last attempt (or the
    ``quiz_draft`` they sent and were asked to complete), and the next
    lesson of the module."""
    video = lesson.video
    progress = (
        LessonProgress.objects.filter(person=user, lesson=lesson).first()
        if user.is_authenticated
        else None
    )
    context = {
        "progress": progress,
        "missing_prerequisites": (
            missing_prerequisites(user=user, lesson=lesson)
            if user.is_authenticated
            else []
        ),
        "video_sources": video_sources(video),
        "video": video,
        "last_attempt": (
            QuizAttempt.objects.filter(person=user, lesson=lesson).first()
            if user.is_authenticated
            else None
        ),
    }
    context["next_lesson"] = (
        next_lesson_for(user=user, lesson=lesson) if user.is_authenticated else None
    )
    context["quiz"] = (
        quiz_for(lesson=lesson, attempt=context["last_attempt"], draft=quiz_draft)
        if lesson.has_quiz
        else []
    )
    if user.is_authenticated and lesson.pk:
        context["view_token"] = view_token(user=user, lesson=lesson)
    schedule = Schedule.for_user(user)
    context["opens_on"] = schedule.opens_on(lesson) if lesson.path else None
    context["due_on"] = schedule.due_on(lesson) if lesson.path else None
    if video is not None and video.is_ready:
        context["poster_url"] = reverse(
            "courses:video_poster", kwargs={"key": video.key}
        )
    return context
