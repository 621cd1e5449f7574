from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lms.core.demo import DEMO_PASSWORD, ROLE_LOGINS, load_demo_data
from lms.core.models import Role


class Command(BaseCommand):
    help = "Load the demo organisation and people (idempotent) and print logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print the logins."
        )
        parser.add_argument(
            "--only-logins", action="store_true", help="Print the logins only."
        )

    def handle(self, *args, quiet_logins=False, only_logins=False, **options):
        if not only_logins:
            created = load_demo_data()
            self.stdout.write(
                f"demo data: {created['units']} units and "
                f"{created['people']} people created"
            )
            # Apps to the right of core (courses, supervision) add their own
            # demo data without core importing them.
            for config in apps.get_app_configs():
                loader = getattr(config, "load_demo_data", None)
                if loader is not None:
                    self.stdout.write(f"demo data ({config.label}): {loader()}")
        if quiet_logins:
            return
        labels = dict(Role.choices)
        self.stdout.write(_("Logins (the password for all is %s):") % DEMO_PASSWORD)
        for role, username in ROLE_LOGINS:
            self.stdout.write(f"  {labels[role]}: {username}")
        self.stdout.write("  " + _("Platform administrator") + ": admin")
