from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Practice and supervision")

    def load_demo_data(self) -> str:
        """Called by ``manage.py demo_data`` after the organisation and the
        courses exist."""
        from .demo import load_demo_certification, load_demo_practice
        from .demo_crisis import build_crisis
        from .demo_pool import build_pool

        created = load_demo_practice()
        tracks = load_demo_certification()
        pool = build_pool()
        crisis = build_crisis()
        return (
            f"{created['shifts']} duty shifts with sign-ups, entries, a case and "
            f"pairs; {tracks['tracks']} certification tracks; talent pool {pool}; "
            f"crisis teams {crisis}"
        )
