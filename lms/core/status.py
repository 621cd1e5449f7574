"""The status-change helper: every move of a status along its model's
``TRANSITIONS`` map, with a history row (actor, time, comment).

It knows no app.  A model takes part by declaring, next to its nested
``Status`` choices and its ``status`` field:

* ``TRANSITIONS``: each status mapped to the statuses it may move to (a
  status missing from the map may move nowhere);
* ``TRANSITION_REFUSED``: the sentence shown when a move is not in the map,
  naming the two statuses' labels as ``%(old)s`` and ``%(new)s`` (or
  ``%(from)s`` and ``%(to)s``: both are given);
* ``history_row(*, before, after, actor, comment)``: its history model's
  row for a step, unsaved; the helper saves it.  ``before`` is ``""`` for
  the first row of a new object.

The caller holds the object's row lock (``select_for_update``) and its
transaction, checks permissions, and sets any other fields the move
changes before calling ``status_change``, which saves them with the status.
"""

from collections.abc import Collection, Iterable, Mapping
from typing import ClassVar, Protocol

from django.core.exceptions import ValidationError
from django.db import models, transaction


class StatusModel(Protocol):
    """What a model declares to have its status moved here."""

    TRANSITIONS: ClassVar[Mapping[str, Collection[str]]]
    TRANSITION_REFUSED: ClassVar[str]
    status: str

    def history_row(
        self, *, before: str, after: str, actor, comment: str
    ) -> models.Model: ...


class TransitionNotAllowed(ValidationError):
    """A move that the model's ``TRANSITIONS`` does not list.

    A ``ValidationError``, so forms and views show its sentence as they
    show any refused input; ``before`` and ``after`` are the two statuses.
    """

    def __init__(self, message: str, *, before: str, after: str):
        super().__init__(message, code="transition_not_allowed")
        self.before = before
        self.after = after


def _label(obj: StatusModel, value: str) -> str:
    choices = dict(obj._meta.get_field("status").flatchoices)
    return choices.get(value, value)


def status_check(obj: StatusModel, *, to: str) -> None:
    """Raise ``TransitionNotAllowed`` unless ``obj`` may move to ``to``.

    For services that must refuse before doing other work; ``status_change``
    checks again.
    """
    before = obj.status
    if to in type(obj).TRANSITIONS.get(before, ()):
        return
    old, new = _label(obj, before), _label(obj, to)
    message = str(type(obj).TRANSITION_REFUSED) % {
        "old": old,
        "new": new,
        "from": old,
        "to": new,
    }
    raise TransitionNotAllowed(message, before=before, after=to)


def status_change(
    obj: StatusModel,
    *,
    to: str,
    actor,
    comment: str = "",
    update_fields: Iterable[str] | None = None,
) -> None:
    """Move ``obj`` to status ``to``, save it and write one history row.

    Refuses a move not in ``TRANSITIONS`` with ``TransitionNotAllowed``,
    before anything is saved.  Saves the whole row, or only ``status`` and
    ``update_fields`` when given (an ``auto_now`` field is then saved only
    if listed).  Atomic on its own; inside the caller's transaction it adds
    no savepoint.
    """
    status_check(obj, to=to)
    before = obj.status
    obj.status = to
    with transaction.atomic(savepoint=False):
        if update_fields is None:
            obj.save()
        else:
            obj.save(update_fields=["status", *update_fields])
        status_record(obj, before=before, actor=actor, comment=comment)


def status_record(obj: StatusModel, *, actor, comment: str = "", before: str = ""):
    """Write a history row ending at ``obj``'s current status, without a move.

    For the first row of a new object (``before`` empty) and for a step
    that keeps the status (``before`` is the status itself), such as a
    video lesson whose failed video is replaced while it waits.  Returns
    the row.
    """
    row = obj.history_row(before=before, after=obj.status, actor=actor, comment=comment)
    row.save()
    return row
