from .cohorts import Cohort, CohortAssignment, CohortMember, ReminderSent
from .imports import RosterImport
from .pages import LessonAttachment, LessonPage, ModulePage, SyllabusIndexPage
from .progress import LessonProgress, QuizAttempt
from .sessions import Attendance, AttendanceChange, OfflineSession
from .video import Video, VideoEvent

__all__ = [
    "Attendance",
    "AttendanceChange",
    "Cohort",
    "CohortAssignment",
    "CohortMember",
    "OfflineSession",
    "ReminderSent",
    "RosterImport",
    "LessonAttachment",
    "LessonPage",
    "LessonProgress",
    "ModulePage",
    "QuizAttempt",
    "SyllabusIndexPage",
    "Video",
    "VideoEvent",
]
