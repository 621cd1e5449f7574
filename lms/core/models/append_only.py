"""History tables: rows are added, never changed or removed.

The model layer refuses ``save()`` of a stored row, ``delete()``, and the
queryset's ``update()`` and ``delete()`` (so ``bulk_update`` too).  The
database refuses UPDATE and DELETE as well, with triggers written by the
``append_only_guards`` migrations of each app: raw SQL, the admin and any
code that goes past the model meet the same refusal.

Two histories go with their parent when the parent is deleted: a video's
events and a practice entry's sign-off steps (drafts and other unapproved
entries may be deleted; approved ones may not).  Their foreign key is
``DO_NOTHING`` in Django and the database deletes them after the parent row
is gone, which is the only DELETE their trigger lets through.  Every other
history protects its parent.

``manage.py flush`` (which the test runner calls between transactional
tests) empties these tables too: ``lms.core.append_only.released`` opens
the guard for the length of that one transaction.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


def _refuse(model) -> None:
    raise PermissionDenied(f"{model.__name__} rows are append-only.")


class AppendOnlyQuerySet(models.QuerySet):
    """Querysets that read and insert only."""

    def update(self, **kwargs):
        _refuse(self.model)

    def delete(self):
        _refuse(self.model)


class AppendOnlyModel(models.Model):
    """A history row: written once by a service, then only read."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            _refuse(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse(type(self))


class StatusStep(AppendOnlyModel):
    """One step of a status history (``lms.core.status``): who moved it,
    when and why.  A subclass adds its parent and ``from_status`` /
    ``to_status`` with its parent's choices, and returns itself from the
    parent's ``history_row``."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
