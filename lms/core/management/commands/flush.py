"""Django's ``flush``, able to empty the append-only history tables.

Their triggers refuse DELETE (and TRUNCATE on PostgreSQL); this command
empties every table inside ``lms.core.append_only.released``, so a flush
either empties the whole database, history included, or changes nothing.
The test runner calls it after every transactional test.
"""

from django.core.management.commands import flush

from lms.core.append_only import released


class Command(flush.Command):
    help = flush.Command.help + " The append-only history tables are emptied too."

    def handle(self, **options):
        with released(reason="manage.py flush", using=options["database"]):
            return super().handle(**options)
