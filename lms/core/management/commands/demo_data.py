from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lms.core.demo import DEMO_PASSWORD, PEOPLE, UNITS, load_demo_data
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
        self.print_logins()

    def print_logins(self) -> None:
        """Every demo login, by unit, with the person's name and roles."""
        labels = dict(Role.choices)
        unit_names = {code: name for code, name, _level, _parent in UNITS}
        width = max(len(username) for username, *_rest in PEOPLE)
        self.stdout.write(_("Demo logins:"))
        admin = _("Platform administrator")
        self.stdout.write(f"  {'admin'.ljust(width)}  {admin}")
        for code, _name, _level, _parent in UNITS:
            rows = [person for person in PEOPLE if person[2] == code]
            if rows:
                self.stdout.write(f"  {unit_names[code]}")
            for username, full_name, _unit, roles in rows:
                names = "、".join(str(labels[role]) for role in roles)
                self.stdout.write(f"    {username.ljust(width)}  {full_name}  {names}")
        self.stdout.write(_("The password for every demo login is %s") % DEMO_PASSWORD)
