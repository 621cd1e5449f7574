"""History tables are append-only: the model layer and the database refuse
to change or delete their rows, on SQLite and PostgreSQL alike.

The raw SQL here is written for both engines; the PostgreSQL suite runs
the same tests against its triggers.
"""

# Table and column names in the SQL come from HISTORIES, never from input.
# ruff: noqa: S608

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from courses.models import Attendance, AttendanceChange, Video, VideoEvent
from courses.services import videos as video_services
from lms.core.append_only import RELEASE_TABLE, released
from lms.core.models import AuditAction
from lms.core.services.audit import audit_record
from lms.core.services.ledger import hours_credit
from supervision.models import EntryTransition, PracticeEntry, ReviewTransition
from supervision.services import entries as entry_services
from tests.factories.entries import attended_session
from tests.factories.reviews import make_submission
from tests.factories.supervision import make_entry

Status = PracticeEntry.Status


def _audit(org):
    return audit_record(actor=org.coordinator, action=AuditAction.EXPORT)


def _hours(org):
    return hours_credit(
        person=org.trainee,
        category="practice",
        hours=Decimal("1.5"),
        source=org.east,
        earned_on=timezone.localdate(),
    )


def _entry_step(org):
    entry = make_entry(org.trainee, status=Status.SUBMITTED)
    return EntryTransition.objects.create(
        entry=entry,
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
        actor=org.trainee,
    )


def _review_step(org):
    return ReviewTransition.objects.create(
        submission=make_submission(org.trainee),
        to_status="submitted",
        actor=org.trainee,
    )


def _video_event(org):
    video = Video.objects.create(title="压力管理", unit=org.east)
    return VideoEvent.objects.create(
        video=video, to_status="queued", actor=org.coordinator
    )


def _attendance_change(org):
    session = attended_session(org.trainee)
    return AttendanceChange.objects.create(
        attendance=Attendance.objects.get(session=session),
        actor=org.coordinator,
        reason="补签",
    )


#: Every history table: how to make a row, and a text column to rewrite.
HISTORIES = {
    "core_auditevent": (_audit, "detail"),
    "core_hoursentry": (_hours, "note"),
    "supervision_entrytransition": (_entry_step, "comment"),
    "supervision_reviewtransition": (_review_step, "comment"),
    "courses_videoevent": (_video_event, "note"),
    "courses_attendancechange": (_attendance_change, "reason"),
    # --- pool ---
    "supervision_tierchange": (lambda org: _tier_change(org), "reason"),
    # --- end pool ---
}


@pytest.fixture(params=list(HISTORIES))
def history_row(request, org):
    make, column = HISTORIES[request.param]
    row = make(org)
    assert row._meta.db_table == request.param
    return row, column


def sql(statement: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_orm_refuses_to_change_or_delete_a_history_row(history_row):
    row, column = history_row
    model = type(row)
    before = getattr(row, column)
    setattr(row, column, "rewritten")
    with pytest.raises(PermissionDenied):
        row.save()
    with pytest.raises(PermissionDenied):
        row.delete()
    with pytest.raises(PermissionDenied):
        model.objects.filter(pk=row.pk).update(**{column: "rewritten"})
    with pytest.raises(PermissionDenied):
        model.objects.filter(pk=row.pk).delete()
    with pytest.raises(PermissionDenied):
        model.objects.all().delete()
    # bulk_update opens a transaction without a savepoint: give it one
    with pytest.raises(PermissionDenied), transaction.atomic():
        model.objects.bulk_update([row], [column])
    assert getattr(model.objects.get(pk=row.pk), column) == before


def test_the_database_refuses_to_change_or_delete_a_history_row(history_row):
    row, column = history_row
    model, table = type(row), type(row)._meta.db_table
    before = getattr(model.objects.get(pk=row.pk), column)
    # raw SQL, as any tool or script past the models would write it
    with pytest.raises(DatabaseError):
        sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", ["rewritten", row.pk])
    with pytest.raises(DatabaseError):
        sql(f"DELETE FROM {table} WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError):
        sql(f"DELETE FROM {table}", [])
    # and the ORM's plain manager, which skips the model's refusals
    with pytest.raises(DatabaseError), transaction.atomic():
        model._base_manager.filter(pk=row.pk).update(**{column: "rewritten"})
    with pytest.raises(DatabaseError), transaction.atomic():
        model._base_manager.filter(pk=row.pk).delete()
    assert getattr(model.objects.get(pk=row.pk), column) == before


def test_the_guard_opens_for_deletes_only_inside_released(org, history_row):
    row, column = history_row
    table = type(row)._meta.db_table
    # inside: DELETE passes, UPDATE still does not
    with released(reason="test"):
        with pytest.raises(DatabaseError):
            sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", ["x", row.pk])
        sql(f"DELETE FROM {table} WHERE id = %s", [row.pk])
    assert not type(row)._base_manager.filter(pk=row.pk).exists()
    # afterwards the release row is gone and the guard is closed again
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {RELEASE_TABLE}")
        assert cursor.fetchone() == (0,)
    make, _column = HISTORIES[table]
    again = make(org)
    with pytest.raises(DatabaseError):
        sql(f"DELETE FROM {table} WHERE id = %s", [again.pk])


# --- histories that go with their parent ---------------------------------------------


def test_deleting_a_video_takes_its_events_and_nothing_else(org):
    # given two videos with their status histories
    video, kept = (Video.objects.create(title=t, unit=org.east) for t in "AB")
    for item in (video, kept):
        VideoEvent.objects.create(video=item, to_status="queued")
        VideoEvent.objects.create(video=item, from_status="queued", to_status="failed")
    # when a coordinator deletes one
    video_services.video_delete(actor=org.coordinator, video=video)
    # then its events went with it, the other's stay
    assert not VideoEvent.objects.filter(video_id=video.pk).exists()
    assert VideoEvent.objects.filter(video=kept).count() == 2


def test_deleting_a_draft_takes_its_sign_off_steps_with_it(org):
    draft = make_entry(org.trainee)
    EntryTransition.objects.create(
        entry=draft, to_status=Status.DRAFT, actor=org.trainee
    )
    kept = _entry_step(org)
    entry_services.practice_entry_delete(actor=org.trainee, entry=draft)
    assert not EntryTransition.objects.filter(entry_id=draft.pk).exists()
    assert EntryTransition.objects.filter(pk=kept.pk).exists()


def test_an_approved_entry_and_its_history_cannot_be_deleted_in_sql(org):
    entry = make_entry(
        org.trainee,
        status=Status.APPROVED,
        approved_by=org.supervisor,
        approved_at=timezone.now(),
    )
    EntryTransition.objects.create(
        entry=entry,
        from_status=Status.SUBMITTED,
        to_status=Status.APPROVED,
        actor=org.supervisor,
    )
    with pytest.raises(DatabaseError):
        sql("DELETE FROM supervision_practiceentry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        PracticeEntry._base_manager.filter(pk=entry.pk).delete()
    assert entry.transitions.count() == 1


def test_an_attendance_with_changes_cannot_be_deleted(org):
    change = _attendance_change(org)
    with pytest.raises(ProtectedError):
        change.attendance.delete()
    with pytest.raises(ProtectedError):
        change.attendance.session.delete()


def test_a_reviewed_video_lesson_cannot_be_deleted(org):
    step = _review_step(org)
    with pytest.raises(ProtectedError):
        step.submission.delete()


def test_a_person_who_moved_a_video_cannot_be_deleted(org):
    _video_event(org)
    with pytest.raises(ProtectedError):
        org.coordinator.delete()


# --- emptying the whole database -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_history_tables_and_closes_the_guard_again(org):
    # given a row in every history table
    rows = [make(org) for make, _column in HISTORIES.values()]
    # when the database is emptied (as the test runner does between tests)
    call_command("flush", interactive=False, verbosity=0)
    # then every history is empty and the guard is closed again
    for row in rows:
        assert not type(row)._base_manager.exists()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {RELEASE_TABLE}")
        assert cursor.fetchone() == (0,)
    event = audit_record(actor=None, action=AuditAction.EXPORT)
    with pytest.raises(DatabaseError):
        sql("DELETE FROM core_auditevent WHERE id = %s", [event.pk])


# --- pool ---


def _tier_change(org):
    from supervision.models import TierChange
    from tests.factories.pool import make_scheme, make_tier

    tier = make_tier(make_scheme(org.city), 1)
    return TierChange.objects.create(
        person=org.trainee,
        scheme=tier.scheme,
        to_tier=tier,
        actor=org.coordinator,
        reason="入库",
    )


# --- end pool ---
