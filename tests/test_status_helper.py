"""The one status-change helper (``lms.core.status``) and the maps of the
models that use it: a refused move leaves no trace, a legal one leaves one
history row, and every ``TRANSITIONS`` map names only real statuses."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from lms.core.status import (
    TransitionNotAllowed,
    status_change,
    status_check,
    status_record,
)
from supervision.models import EntryTransition, PracticeEntry
from tests.factories.entries import entry_in

Status = PracticeEntry.Status

#: Every model that declares a state machine (found, not listed, so a new
#: one is checked without editing this file).
STATE_MACHINES = [model for model in apps.get_models() if hasattr(model, "TRANSITIONS")]
#: Every history model: one with ``from_status`` and ``to_status`` columns.
HISTORIES = [
    model
    for model in apps.get_models()
    if {"from_status", "to_status"} <= {field.name for field in model._meta.fields}
]


def _ids(models):
    return [model._meta.label for model in models]


def _statuses(model) -> set[str]:
    return {value for value, _label in model._meta.get_field("status").flatchoices}


def test_the_models_with_a_status_history_are_all_found():
    assert {"courses.Video", "supervision.PracticeEntry"} <= set(_ids(STATE_MACHINES))
    assert "supervision.VideoLessonSubmission" in _ids(STATE_MACHINES)
    assert len(HISTORIES) >= 3


@pytest.mark.parametrize("model", STATE_MACHINES, ids=_ids(STATE_MACHINES))
def test_every_status_in_a_map_is_a_status_of_its_model(model):
    statuses = _statuses(model)
    assert set(model.TRANSITIONS) == statuses
    for before, targets in model.TRANSITIONS.items():
        assert set(targets) <= statuses, f"{model.__name__}: {before} → {targets}"


@pytest.mark.parametrize("model", STATE_MACHINES, ids=_ids(STATE_MACHINES))
def test_every_state_machine_can_write_history_and_say_no(model):
    assert callable(getattr(model, "history_row", None))
    # each refusal is a whole sentence naming both statuses
    before, after = next(
        (before, after)
        for before in _statuses(model)
        for after in _statuses(model)
        if after not in model.TRANSITIONS.get(before, ())
    )
    labels = dict(model._meta.get_field("status").flatchoices)
    with translation.override("zh-hans"), pytest.raises(TransitionNotAllowed) as no:
        status_check(model(status=before), to=after)
    assert "%(" not in no.value.message
    assert str(labels[before]) in no.value.message
    assert str(labels[after]) in no.value.message


@pytest.mark.parametrize("history", HISTORIES, ids=_ids(HISTORIES))
def test_every_status_history_belongs_to_a_state_machine(history):
    parents = {
        field.related_model
        for field in history._meta.fields
        if field.many_to_one and hasattr(field.related_model, "TRANSITIONS")
    }
    assert parents, f"{history.__name__} records a status that has no TRANSITIONS"


def test_a_move_not_in_the_map_is_refused_and_leaves_no_trace(org):
    # given a draft
    entry = entry_in(org.trainee, Status.DRAFT)
    assert Status.APPROVED not in PracticeEntry.TRANSITIONS[Status.DRAFT]
    # when someone tries to approve it straight away
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        status_change(entry, to=Status.APPROVED, actor=org.supervisor, comment="x")
    # then the sentence is the practice log's, and nothing was saved
    assert isinstance(refused.value, TransitionNotAllowed)
    assert refused.value.messages == [
        "A practice entry that is Draft cannot become Approved."
    ]
    assert (refused.value.before, refused.value.after) == (
        Status.DRAFT,
        Status.APPROVED,
    )
    assert entry.status == Status.DRAFT
    entry.refresh_from_db()
    assert entry.status == Status.DRAFT
    assert not EntryTransition.objects.filter(entry=entry).exists()


def test_a_legal_move_saves_the_status_and_writes_one_history_row(org):
    # given a draft
    entry = entry_in(org.trainee, Status.DRAFT)
    # when it is submitted
    status_change(entry, to=Status.SUBMITTED, actor=org.trainee, comment="请审阅")
    # then it is stored as submitted, with exactly one step saying who and why
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED
    step = EntryTransition.objects.get(entry=entry)
    assert (step.from_status, step.to_status) == (Status.DRAFT, Status.SUBMITTED)
    assert (step.actor, step.comment) == (org.trainee, "请审阅")
    assert step.created_at is not None


def test_update_fields_saves_only_the_status_and_the_fields_named(org):
    # given a draft whose title and minutes are changed in memory
    entry = entry_in(org.trainee, Status.DRAFT)
    minutes = entry.minutes
    entry.title, entry.minutes = "新标题", minutes + 1
    # when it moves naming only the title
    status_change(
        entry, to=Status.SUBMITTED, actor=org.trainee, update_fields=["title"]
    )
    # then the title went with the status and the minutes did not
    entry.refresh_from_db()
    assert (entry.status, entry.title, entry.minutes) == (
        Status.SUBMITTED,
        "新标题",
        minutes,
    )


def test_a_first_row_records_the_status_a_new_object_starts_in(org):
    entry = entry_in(org.trainee, Status.DRAFT)
    status_record(entry, actor=org.trainee, comment="created")
    step = EntryTransition.objects.get(entry=entry)
    assert (step.from_status, step.to_status, step.comment) == (
        "",
        Status.DRAFT,
        "created",
    )
