from .pages import LessonAttachment, LessonPage, ModulePage, SyllabusIndexPage
from .progress import LessonProgress, QuizAttempt
from .video import Video, VideoEvent

__all__ = [
    "LessonAttachment",
    "LessonPage",
    "LessonProgress",
    "ModulePage",
    "QuizAttempt",
    "SyllabusIndexPage",
    "Video",
    "VideoEvent",
]
