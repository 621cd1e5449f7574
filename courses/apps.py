from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Learning")

    def load_demo_data(self) -> str:
        """Called by ``manage.py demo_data`` after the organisation exists."""
        from .demo import load_demo_cohort, load_demo_sessions, load_demo_syllabus

        created = load_demo_syllabus()
        cohort = "a cohort" if load_demo_cohort() else "no cohort"
        sessions = load_demo_sessions()
        return (
            f"{created['lessons']} lessons, {created['videos']} videos, "
            f"{cohort} and {sessions} sessions created"
        )
