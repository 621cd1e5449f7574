"""Offline sessions: planning, QR and short-code check-in and check-out,
marking by hand, the hours ledger, and the pages' wiring and permissions.

Services take ``now``; the pages use the real clock, so their sessions
are made around the present moment."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from courses.models import Attendance, AttendanceChange, OfflineSession
from courses.selectors import sessions as selectors
from courses.services import attendance as attendance_services
from courses.services import sessions as services
from lms.core import checkin
from lms.core.models import AuditAction, AuditEvent, HoursCategory, HoursEntry
from tests.factories.core import UserFactory
from tests.factories.sessions import (
    T0,
    code_now,
    make_session,
    make_session_cohort,
    token_now,
)

MIN = datetime.timedelta(minutes=1)
SEC = datetime.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def _english():
    # Sentences are asserted in English (their msgids), in services and pages.
    with translation.override("en"):
        yield


@pytest.fixture
def client_en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def login_en(client_en):
    def _login(user):
        client_en.force_login(user)
        return client_en

    return _login


@pytest.fixture
def lecture(org):
    """An east lecture at T0 (09:00–10:30 Shanghai), 1.5 hours."""
    return make_session(org.east, starts_at=T0)


@pytest.fixture
def live(org):
    """An east lecture that started five minutes ago."""
    return make_session(org.east)


def check_in(person, session, *, now=T0, **kwargs):
    if "code" not in kwargs and "token" not in kwargs:
        kwargs["token"] = token_now(session, now)
    return attendance_services.attendance_check_in(
        person=person, session=session, now=now, **kwargs
    )


def check_out(person, session, *, now, **kwargs):
    if "code" not in kwargs and "token" not in kwargs:
        kwargs["token"] = token_now(session, now)
    return attendance_services.attendance_check_out(
        person=person, session=session, now=now, **kwargs
    )


def ledger(person):
    return list(
        HoursEntry.objects.filter(person=person)
        .order_by("pk")
        .values_list("kind", "generation", "hours")
    )


def nothing_written():
    return not Attendance.objects.exists() and not HoursEntry.objects.exists()


def message_of(error) -> str:
    return " ".join(error.value.messages)


# --- check-in -------------------------------------------------------------------------


def test_a_trainee_checks_in_with_the_screens_token_and_is_credited_once(org, lecture):
    attendance = check_in(org.trainee, lecture, now=T0 + 2 * MIN)
    assert attendance.status == Attendance.Status.PRESENT
    assert attendance.method == Attendance.Method.QR
    assert attendance.checked_in_at == T0 + 2 * MIN
    credit = HoursEntry.objects.get(person=org.trainee)
    assert credit.kind == HoursEntry.Kind.CREDIT
    assert credit.category == HoursCategory.OFFLINE_THEORY
    assert credit.hours == Decimal("1.50")
    assert credit.earned_on == datetime.date(2026, 3, 3)
    assert credit.source_type == ContentType.objects.get_for_model(Attendance)
    assert credit.source_id == attendance.pk
    assert credit.source_label == lecture.title
    assert credit.unit == org.east_room


def test_a_second_check_in_returns_the_first_row_and_credits_nothing_more(org, lecture):
    first = check_in(org.trainee, lecture, now=T0)
    again = check_in(org.trainee, lecture, now=T0 + 10 * MIN)
    by_code = check_in(
        org.trainee, lecture, now=T0 + 11 * MIN, code=code_now(lecture, T0 + 11 * MIN)
    )
    assert first.pk == again.pk == by_code.pk
    assert again.checked_in_at == T0
    assert Attendance.objects.count() == 1
    assert ledger(org.trainee) == [("credit", 0, Decimal("1.50"))]


def test_an_expired_token_is_refused_and_nothing_is_written(org, lecture):
    # given a token shown at 09:00:00, accepted until 09:00:59
    old = token_now(lecture, T0)
    # when it is used at 09:01:00
    with pytest.raises(ValidationError) as refused:
        check_in(org.trainee, lecture, now=T0 + MIN, token=old)
    # then
    assert "expired" in message_of(refused)
    assert nothing_written()


def test_a_token_of_another_session_is_refused(org, lecture):
    other = make_session(org.east, title="团辅", starts_at=T0)
    with pytest.raises(ValidationError) as refused:
        check_in(org.trainee, lecture, token=token_now(other, T0))
    assert "another session" in message_of(refused)
    assert nothing_written()


def test_a_forged_or_damaged_token_is_refused(org, lecture):
    good = token_now(lecture, T0)
    for bad in (good[:-1] + ("A" if good[-1] != "A" else "B"), "", "x" * 5000):
        with pytest.raises(ValidationError) as refused:
            check_in(org.trainee, lecture, token=bad)
        assert "not valid" in message_of(refused) or "damaged" in message_of(refused)
    assert nothing_written()


def test_a_second_person_in_the_room_may_use_the_token_on_the_screen(org, lecture):
    # The QR code is on a public screen: everyone present scans the same one.
    shown = token_now(lecture, T0 + 10 * SEC)
    check_in(org.trainee, lecture, now=T0 + 12 * SEC, token=shown)
    check_in(org.supervisor, lecture, now=T0 + 40 * SEC, token=shown)
    assert Attendance.objects.filter(session=lecture).count() == 2


def test_a_token_passed_on_after_its_window_is_refused(org, lecture):
    shown = token_now(lecture, T0 + 10 * SEC)
    check_in(org.trainee, lecture, now=T0 + 12 * SEC, token=shown)
    # a photo of the code sent to a colleague, used two minutes later
    with pytest.raises(ValidationError) as refused:
        check_in(org.supervisor, lecture, now=T0 + 2 * MIN, token=shown)
    assert "expired" in message_of(refused)
    assert not Attendance.objects.filter(person=org.supervisor).exists()


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (T0 - 31 * MIN, "opens 30 minutes before"),
        (T0 + 90 * MIN + SEC, "has ended"),
    ],
)
def test_check_in_outside_its_window_is_refused(org, lecture, moment, words):
    with pytest.raises(ValidationError) as refused:
        check_in(org.trainee, lecture, now=moment)
    assert words in message_of(refused)
    assert nothing_written()


def test_check_in_opens_thirty_minutes_before_the_start(org, lecture):
    attendance = check_in(org.trainee, lecture, now=T0 - 30 * MIN)
    assert attendance.checked_in_at == T0 - 30 * MIN


def test_a_full_session_refuses_the_next_person_but_the_coordinator_may_add(
    org, lecture
):
    lecture.capacity = 1
    lecture.save(update_fields=["capacity"])
    check_in(org.trainee, lecture)
    with pytest.raises(ValidationError) as refused:
        check_in(org.supervisor, lecture)
    assert "full" in message_of(refused)
    assert not Attendance.objects.filter(person=org.supervisor).exists()
    # the coordinator may still mark someone present by hand
    attendance_services.attendance_mark(
        actor=org.coordinator,
        session=lecture,
        person=org.supervisor,
        status="present",
        reason="讲师助理",
    )
    assert selectors.present_count(session=lecture) == 2


def test_people_outside_the_unit_cannot_check_in_unless_in_the_cohort(org):
    cohort = make_session_cohort(org.east, members=[org.west_trainee])
    plain = make_session(org.east, starts_at=T0)
    for_cohort = make_session(org.east, starts_at=T0, cohort=cohort)
    with pytest.raises(PermissionDenied):
        check_in(org.west_trainee, plain)
    check_in(org.west_trainee, for_cohort)
    # the unit's own people are on a cohort session's list too
    check_in(org.trainee, for_cohort)
    assert Attendance.objects.filter(session=for_cohort).count() == 2


def test_a_session_of_a_room_is_not_for_people_of_the_station_above(org):
    room = make_session(org.east_room, starts_at=T0)
    with pytest.raises(PermissionDenied):
        check_in(org.coordinator, room)


def test_someone_marked_absent_cannot_check_themselves_in(org, lecture):
    attendance_services.attendance_mark(
        actor=org.coordinator,
        session=lecture,
        person=org.trainee,
        status="absent",
        reason="请假",
    )
    with pytest.raises(ValidationError) as refused:
        check_in(org.trainee, lecture)
    assert "recorded you as absent" in message_of(refused)


def test_two_phones_checking_in_at_once_make_one_row_and_one_credit(
    transactional_db, org
):
    session = make_session(org.east, starts_at=T0)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def phone():
        try:
            barrier.wait(timeout=10)
            results.append(check_in(org.trainee, session, now=T0 + MIN).pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=phone) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(results) == 2 and results[0] == results[1]
    assert Attendance.objects.count() == 1
    assert ledger(org.trainee) == [("credit", 0, Decimal("1.50"))]


def test_lateness_is_computed_from_the_times_with_a_tolerance(org, lecture):
    check_in(org.trainee, lecture, now=T0 + 4 * MIN)
    check_in(org.supervisor, lecture, now=T0 + 12 * MIN)
    rows = {
        r["attendance"].person: r
        for r in selectors.attendance_rows_for(session=lecture)
    }
    assert rows[org.trainee]["minutes_late"] == 0
    assert rows[org.supervisor]["minutes_late"] == 12


# --- short codes ------------------------------------------------------------------------


def test_a_trainee_checks_in_with_the_short_code(org, lecture):
    now = T0 + 3 * MIN
    attendance = check_in(org.trainee, lecture, now=now, code=code_now(lecture, now))
    assert attendance.method == Attendance.Method.CODE
    assert ledger(org.trainee) == [("credit", 0, Decimal("1.50"))]


def test_wrong_short_codes_are_limited_per_person_and_session(org, lecture):
    right = code_now(lecture, T0)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    # a malformed code is not a guess and does not count
    for _ in range(10):
        with pytest.raises(ValidationError):
            check_in(org.trainee, lecture, code="abc")
    for _ in range(checkin.MAX_WRONG_CODES):
        with pytest.raises(ValidationError) as refused:
            check_in(org.trainee, lecture, code=wrong)
        assert "not right" in message_of(refused)
    with pytest.raises(ValidationError) as refused:
        check_in(org.trainee, lecture, code=right)
    assert "Too many wrong codes" in message_of(refused)
    assert nothing_written()
    # someone else is not affected
    check_in(org.supervisor, lecture, code=right)


def test_a_check_in_with_neither_token_nor_code_is_refused(org, lecture):
    with pytest.raises(ValidationError) as refused:
        attendance_services.attendance_check_in(
            person=org.trainee, session=lecture, now=T0
        )
    assert "Scan the code" in message_of(refused)
    assert nothing_written()


# --- check-out ----------------------------------------------------------------------------


def test_check_out_records_early_leave_and_keeps_the_credit(org, lecture):
    check_in(org.trainee, lecture, now=T0)
    attendance = check_out(org.trainee, lecture, now=T0 + 60 * MIN)
    assert attendance.checked_out_at == T0 + 60 * MIN
    row = selectors.attendance_rows_for(session=lecture)[0]
    assert row["minutes_early"] == 30
    assert ledger(org.trainee) == [("credit", 0, Decimal("1.50"))]
    # the first check-out stands
    again = check_out(org.trainee, lecture, now=T0 + 89 * MIN)
    assert again.checked_out_at == T0 + 60 * MIN


def test_check_out_on_time_is_not_early(org, lecture):
    check_in(org.trainee, lecture, now=T0)
    check_out(org.trainee, lecture, now=T0 + 86 * MIN)
    assert selectors.attendance_rows_for(session=lecture)[0]["minutes_early"] == 0


def test_check_out_needs_a_check_in_first(org, lecture):
    with pytest.raises(ValidationError) as refused:
        check_out(org.trainee, lecture, now=T0 + 60 * MIN)
    assert "not checked in" in message_of(refused)
    assert nothing_written()


def test_check_out_closes_thirty_minutes_after_the_end(org, lecture):
    check_in(org.trainee, lecture, now=T0)
    with pytest.raises(ValidationError) as refused:
        check_out(org.trainee, lecture, now=T0 + 120 * MIN + SEC)
    assert "closed" in message_of(refused)
    assert Attendance.objects.get().checked_out_at is None


def test_check_out_with_the_short_code(org, lecture):
    check_in(org.trainee, lecture, now=T0)
    now = T0 + 95 * MIN
    attendance = check_out(org.trainee, lecture, now=now, code=code_now(lecture, now))
    assert attendance.checked_out_at == now


# --- by hand and the ledger --------------------------------------------------------------


def test_marking_by_hand_needs_a_reason_and_writes_nothing_without_one(org, lecture):
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            attendance_services.attendance_mark(
                actor=org.coordinator,
                session=lecture,
                person=org.trainee,
                status="present",
                reason=reason,
            )
        assert "Give a reason" in message_of(refused)
    assert nothing_written() and not AttendanceChange.objects.exists()


def test_a_correction_reverses_and_credits_again_never_edits(org, lecture):
    # given a check-in (credit, generation 0)
    attendance = check_in(org.trainee, lecture, now=T0 + MIN)
    # when the coordinator marks the trainee absent, then present again
    attendance_services.attendance_mark(
        actor=org.coordinator,
        session=lecture,
        person=org.trainee,
        status="absent",
        checked_in_at=T0 + MIN,
        reason="签到后离开",
    )
    attendance_services.attendance_mark(
        actor=org.coordinator,
        session=lecture,
        person=org.trainee,
        status="present",
        checked_in_at=T0 + MIN,
        reason="核实后在场",
    )
    # then the ledger holds credit, reversal and a credit of generation 1
    assert ledger(org.trainee) == [
        ("credit", 0, Decimal("1.50")),
        ("reversal", 0, Decimal("-1.50")),
        ("credit", 1, Decimal("1.50")),
    ]
    first, reversal, second = HoursEntry.objects.filter(person=org.trainee).order_by(
        "pk"
    )
    assert reversal.reverses == first and reversal.note == "签到后离开"
    assert second.source_id == attendance.pk
    # and each change is kept with the row before and after
    changes = list(AttendanceChange.objects.filter(attendance=attendance))
    assert [(c.before["status"], c.after["status"], c.reason) for c in changes] == [
        ("present", "absent", "签到后离开"),
        ("absent", "present", "核实后在场"),
    ]
    assert all(c.actor == org.coordinator for c in changes)
    assert AuditEvent.objects.filter(action=AuditAction.ATTENDANCE_CHANGE).count() == 2


def test_marking_someone_present_by_hand_credits_them(org, lecture):
    attendance = attendance_services.attendance_mark(
        actor=org.coordinator,
        session=lecture,
        person=org.trainee,
        status="present",
        checked_in_at=T0 + 20 * MIN,
        reason="手机没电",
    )
    assert attendance.method == Attendance.Method.MANUAL
    assert ledger(org.trainee) == [("credit", 0, Decimal("1.50"))]
    change = AttendanceChange.objects.get()
    assert change.before == {} and change.after["status"] == "present"
    row = selectors.attendance_rows_for(session=lecture)[0]
    assert row["minutes_late"] == 20


def test_correcting_only_the_times_leaves_the_ledger_alone(org, lecture):
    check_in(org.trainee, lecture, now=T0 + 15 * MIN)
    attendance_services.attendance_mark(
        actor=org.coordinator,
        session=lecture,
        person=org.trainee,
        status="present",
        checked_in_at=T0,
        reason="扫码排队，实际准时到场",
    )
    assert ledger(org.trainee) == [("credit", 0, Decimal("1.50"))]
    assert selectors.attendance_rows_for(session=lecture)[0]["minutes_late"] == 0


def test_a_mark_that_changes_nothing_is_refused(org, lecture):
    check_in(org.trainee, lecture, now=T0)
    with pytest.raises(ValidationError) as refused:
        attendance_services.attendance_mark(
            actor=org.coordinator,
            session=lecture,
            person=org.trainee,
            status="present",
            checked_in_at=T0,
            reason="再次确认",
        )
    assert "Nothing was changed" in message_of(refused)
    assert not AttendanceChange.objects.exists()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"status": "maybe"}, "present or absent"),
        ({"reason": "长" * 501}, "under 500"),
        ({"checked_in_at": T0 - 3 * 60 * MIN}, "Times must fall"),
        ({"checked_in_at": datetime.datetime(2026, 3, 3, 9)}, "with a date"),
        (
            {"checked_in_at": T0 + 30 * MIN, "checked_out_at": T0 + 10 * MIN},
            "after the check-in",
        ),
    ],
)
def test_a_mark_with_wrong_input_is_refused_with_a_sentence(
    org, lecture, changes, words
):
    arguments = {"status": "present", "reason": "补签"} | changes
    with pytest.raises(ValidationError) as refused:
        attendance_services.attendance_mark(
            actor=org.coordinator, session=lecture, person=org.trainee, **arguments
        )
    assert words in message_of(refused)
    assert nothing_written()


def test_only_coordinators_of_the_session_mark_attendance(org, lecture):
    for actor in (org.sibling, org.leader, org.supervisor, org.trainee):
        with pytest.raises(PermissionDenied):
            attendance_services.attendance_mark(
                actor=actor,
                session=lecture,
                person=org.trainee,
                status="present",
                reason="补签",
            )
    with pytest.raises(ValidationError) as refused:
        attendance_services.attendance_mark(
            actor=org.coordinator,
            session=lecture,
            person=org.west_trainee,
            status="present",
            reason="补签",
        )
    assert "not on this session's list" in message_of(refused)
    assert nothing_written()


# --- planning -----------------------------------------------------------------------------


def plan(org, **changes):
    return {
        "kind": OfflineSession.Kind.GROUP,
        "title": "团体心理辅导",
        "unit": org.east,
        "place": "东区站活动室",
        "starts_at": T0,
        "ends_at": T0 + 120 * MIN,
        "credit_hours": Decimal("2"),
        "capacity": 30,
    } | changes


def test_a_coordinator_plans_a_session_in_their_subtree(org):
    session = services.session_create(
        actor=org.coordinator, facilitators=[org.supervisor], **plan(org)
    )
    assert session.created_by == org.coordinator
    assert list(session.facilitators.all()) == [org.supervisor]
    assert len(session.secret) == 32


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": T0}, "ends_at"),
        ({"ends_at": T0 - MIN}, "ends_at"),
        ({"credit_hours": Decimal("-1")}, "credit_hours"),
        ({"credit_hours": Decimal("1.234")}, "credit_hours"),
        ({"credit_hours": "NaN"}, "credit_hours"),
        ({"credit_hours": "多"}, "credit_hours"),
        ({"capacity": 0}, "capacity"),
        ({"title": "  "}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"place": ""}, "place"),
        ({"kind": "party"}, "kind"),
        ({"starts_at": datetime.datetime(2026, 3, 3, 9)}, "starts_at"),
    ],
)
def test_planning_refuses_wrong_input_field_by_field(org, changes, field):
    with pytest.raises(ValidationError) as refused:
        services.session_create(actor=org.coordinator, **plan(org, **changes))
    assert field in refused.value.message_dict
    assert all(m.endswith(".") for m in refused.value.message_dict[field])
    assert not OfflineSession.objects.exists()


def test_planning_outside_the_subtree_or_with_foreign_cohorts_is_refused(org):
    with pytest.raises(PermissionDenied):
        services.session_create(actor=org.coordinator, **plan(org, unit=org.west))
    with pytest.raises(PermissionDenied):
        services.session_create(actor=org.leader, **plan(org))
    west_cohort = make_session_cohort(org.west)
    with pytest.raises(ValidationError) as refused:
        services.session_create(actor=org.coordinator, **plan(org, cohort=west_cohort))
    assert "cohort" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.session_create(
            actor=org.coordinator, facilitators=[org.west_trainee], **plan(org)
        )
    assert "facilitators" in refused.value.message_dict
    assert not OfflineSession.objects.exists()


def test_changing_the_hours_reverses_and_credits_again(org, lecture):
    check_in(org.trainee, lecture, now=T0)
    services.session_update(
        actor=org.coordinator,
        session=lecture,
        **plan(org, credit_hours=Decimal("2"), ends_at=T0 + 90 * MIN, capacity=None),
    )
    assert ledger(org.trainee) == [
        ("credit", 0, Decimal("1.50")),
        ("reversal", 0, Decimal("-1.50")),
        ("credit", 1, Decimal("2.00")),
    ]
    # a change of place alone does not touch the ledger
    services.session_update(
        actor=org.coordinator,
        session=lecture,
        **plan(org, credit_hours=Decimal("2"), place="大礼堂", capacity=None),
    )
    assert len(ledger(org.trainee)) == 3


def test_the_capacity_cannot_go_below_those_present(org, lecture):
    check_in(org.trainee, lecture)
    check_in(org.supervisor, lecture)
    with pytest.raises(ValidationError) as refused:
        services.session_update(
            actor=org.coordinator, session=lecture, **plan(org, capacity=1)
        )
    assert "already present" in message_of(refused)
    lecture.refresh_from_db()
    assert lecture.capacity is None


def test_a_session_with_attendance_cannot_be_deleted(org, lecture):
    check_in(org.trainee, lecture)
    with pytest.raises(ValidationError):
        services.session_delete(actor=org.coordinator, session=lecture)
    empty = make_session(org.east, starts_at=T0)
    services.session_delete(actor=org.coordinator, session=empty)
    assert list(OfflineSession.objects.all()) == [lecture]


# --- selectors ------------------------------------------------------------------------------


def test_who_sees_which_session(org):
    city = make_session(org.city, title="city")
    east = make_session(org.east, title="east")
    room = make_session(org.east_room, title="room")
    west = make_session(org.west, title="west")
    cohort = make_session_cohort(org.west, members=[org.trainee])
    west_cohort = make_session(org.west, title="west cohort", cohort=cohort)
    facilitated = make_session(org.west, title="facilitated", facilitators=[org.leader])

    def seen(user):
        return set(
            selectors.sessions_visible_to(user=user).values_list("title", flat=True)
        )

    assert seen(org.trainee) == {"city", "east", "room", "west cohort"}
    assert seen(org.supervisor) == {"city", "east"}
    assert seen(org.coordinator) == {"city", "east", "room"}
    assert seen(org.leader) == {"city", "east", "room", "facilitated"}
    assert seen(org.sibling) == {"city", "west", "west cohort", "facilitated"}
    assert seen(org.city_leader) == {s.title for s in OfflineSession.objects.all()}
    manageable = selectors.sessions_manageable_by(user=org.coordinator)
    assert set(manageable) == {east, room}
    assert city not in manageable and west not in manageable
    assert west_cohort in selectors.sessions_attendable_by(user=org.trainee)
    assert facilitated not in selectors.sessions_attendable_by(user=org.leader)


# --- pages: permissions -------------------------------------------------------------------

LOGIN = "login"
WHO = ["anon", "trainee", "supervisor", "coordinator", "leader", "sibling"]


def page_urls(session):
    return {
        "check_in": reverse("sessions:check_in", args=[session.pk]),
        "check_out": reverse("sessions:check_out", args=[session.pk]),
        "code": reverse("sessions:check_in_code"),
        "screen": reverse("sessions:screen", args=[session.pk]),
        "screen_token": reverse("sessions:screen_token", args=[session.pk]),
        "attendance": reverse("sessions:attendance", args=[session.pk]),
        "admin_index": reverse("session_admin:index"),
        "admin_edit": reverse("session_admin:edit", args=[session.pk]),
        "admin_add": reverse("session_admin:add"),
        "admin_delete": reverse("session_admin:delete", args=[session.pk]),
        "admin_history": reverse("session_admin:history", args=[session.pk]),
        "admin_usage": reverse("session_admin:usage", args=[session.pk]),
    }


ADMIN_DENIED = "admin-denied"
EXPECTED = {
    "check_in": [LOGIN, 200, 200, 200, 200, 404],
    "check_out": [LOGIN, 405, 405, 405, 405, 405],
    "code": [LOGIN, 200, 200, 200, 200, 200],
    "screen": [LOGIN, 403, 403, 200, 403, 404],
    "screen_token": [LOGIN, 403, 403, 200, 403, 404],
    "attendance": [LOGIN, 403, 403, 200, 403, 404],
    "admin_index": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 200],
    "admin_edit": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 404],
    "admin_add": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 200],
    "admin_delete": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 404],
    "admin_history": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 404],
    "admin_usage": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 404],
}


def outcome(response, who):
    """As in tests/test_permission_matrix.py: Wagtail sends a signed-in
    user without admin access to a login page or answers 403."""
    in_admin = response.wsgi_request.path.startswith("/admin/")
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            return ADMIN_DENIED if in_admin and who != "anon" else LOGIN
        if location.startswith("/admin/login/") or location == "/admin/":
            return ADMIN_DENIED
        return 302
    if response.status_code == 403 and in_admin:
        return ADMIN_DENIED
    return response.status_code


@pytest.mark.parametrize("page", list(EXPECTED))
def test_each_page_answers_each_kind_of_user_as_it_should(org, client, live, page):
    url = page_urls(live)[page]
    got = []
    for who in WHO:
        client.logout()
        if who != "anon":
            client.force_login(getattr(org, who))
        got.append(outcome(client.get(url), who))
    assert got == EXPECTED[page]


def test_a_facilitator_may_run_the_screen_but_not_the_attendance_list(org, login_en):
    session = make_session(org.east, facilitators=[org.supervisor])
    client = login_en(org.supervisor)
    assert client.get(reverse("sessions:screen", args=[session.pk])).status_code == 200
    assert (
        client.get(reverse("sessions:attendance", args=[session.pk])).status_code == 403
    )


def test_post_only_and_unknown_methods(org, login_en, live):
    client = login_en(org.coordinator)
    assert client.put(reverse("sessions:check_in", args=[live.pk])).status_code == 405
    assert (
        client.post(reverse("sessions:screen_token", args=[live.pk])).status_code == 405
    )


# --- pages: check-in by QR ------------------------------------------------------------------


def scan(client, session, token=None):
    token = token_now(session) if token is None else token
    return client.get(reverse("sessions:check_in", args=[session.pk]), {"t": token})


def test_scanning_shows_a_big_button_and_tapping_it_checks_in(org, login_en, live):
    client = login_en(org.trainee)
    page = scan(client, live)
    assert page.status_code == 200
    assert 'data-testid="check-in-button"' in page.content.decode()
    scan_pass = page.context["scan_pass"]
    response = client.post(
        reverse("sessions:check_in", args=[live.pk]), {"pass": scan_pass}
    )
    assert response.status_code == 302
    attendance = Attendance.objects.get(person=org.trainee)
    assert attendance.method == Attendance.Method.QR
    assert HoursEntry.objects.filter(person=org.trainee).count() == 1
    followed = client.get(response["Location"])
    assert 'data-testid="checked-in"' in followed.content.decode()
    # tapping twice (the back button) changes nothing
    client.post(reverse("sessions:check_in", args=[live.pk]), {"pass": scan_pass})
    assert HoursEntry.objects.filter(person=org.trainee).count() == 1


def test_the_check_in_counts_from_the_scan_not_the_tap(org, login_en, live):
    client = login_en(org.trainee)
    scanned_at = timezone.now() - 90 * SEC
    token = token_now(live, scanned_at)
    scan_pass = signing.dumps(
        {"u": org.trainee.pk, "s": live.pk, "t": token, "at": scanned_at.timestamp()},
        salt="courses.attendance.scan",
    )
    response = client.post(
        reverse("sessions:check_in", args=[live.pk]), {"pass": scan_pass}
    )
    assert response.status_code == 302
    checked_in = Attendance.objects.get().checked_in_at
    assert abs((checked_in - scanned_at).total_seconds()) < 1


def test_scanning_an_expired_code_says_so_and_offers_no_button(org, login_en, live):
    client = login_en(org.trainee)
    page = scan(client, live, token_now(live, timezone.now() - 2 * MIN))
    body = page.content.decode()
    assert page.status_code == 200
    assert "expired" in body and 'data-testid="check-in-button"' not in body
    assert page.context["scan_pass"] == ""


def test_scanning_another_sessions_code_says_so(org, login_en, live):
    other = make_session(org.east, title="另一场")
    page = scan(login_en(org.trainee), live, token_now(other))
    assert "another session" in page.content.decode()


@pytest.mark.parametrize(
    "bad_pass",
    ["", "x", "<script>alert(1)</script>", "a" * 100_000, "{}:abc:def"],
)
def test_posting_a_missing_forged_or_huge_pass_writes_nothing(
    org, login_en, live, bad_pass
):
    response = login_en(org.trainee).post(
        reverse("sessions:check_in", args=[live.pk]), {"pass": bad_pass}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "not valid" in body and "<script>alert" not in body
    assert nothing_written()


def test_another_persons_pass_or_an_old_pass_is_refused(
    org, login_en, live, monkeypatch
):
    # the trainee's pass, posted by the supervisor
    trainee_page = scan(login_en(org.trainee), live)
    scan_pass = trainee_page.context["scan_pass"]
    client = login_en(org.supervisor)
    response = client.post(
        reverse("sessions:check_in", args=[live.pk]), {"pass": scan_pass}
    )
    assert response.status_code == 400
    # a pass for another session
    other = make_session(org.east, title="另一场")
    other_pass = scan(client, other).context["scan_pass"]
    response = client.post(
        reverse("sessions:check_in", args=[live.pk]), {"pass": other_pass}
    )
    assert response.status_code == 400
    # a pass older than it may be
    old = scan(client, live).context["scan_pass"]
    monkeypatch.setattr(checkin, "SCAN_MAX_AGE", -1)
    response = client.post(reverse("sessions:check_in", args=[live.pk]), {"pass": old})
    assert response.status_code == 400
    assert "open too long" in response.content.decode()
    assert nothing_written()


def test_check_out_by_scanning_again(org, login_en):
    session = make_session(org.east, starts_at=timezone.now() - 80 * MIN)
    client = login_en(org.trainee)
    client.post(
        reverse("sessions:check_in", args=[session.pk]),
        {"pass": scan(client, session).context["scan_pass"]},
    )
    page = scan(client, session)
    assert 'data-testid="check-out-button"' in page.content.decode()
    response = client.post(
        reverse("sessions:check_out", args=[session.pk]),
        {"pass": page.context["scan_pass"]},
    )
    assert response.status_code == 302
    assert Attendance.objects.get().checked_out_at is not None
    body = client.get(response["Location"]).content.decode()
    assert 'data-testid="checked-out"' in body and 'data-testid="late"' in body


def test_the_check_in_page_before_it_opens_offers_no_button(org, login_en):
    session = make_session(org.east, starts_at=timezone.now() + 2 * 60 * MIN)
    page = scan(login_en(org.trainee), session)
    body = page.content.decode()
    assert 'data-testid="not-open"' in body
    assert 'data-testid="check-in-button"' not in body


def test_an_outsider_scanning_the_code_gets_404(org, login_en, live):
    assert scan(login_en(org.west_trainee), live).status_code == 404


# --- pages: short code ------------------------------------------------------------------------


def post_code(client, session, code, action="in"):
    return client.post(
        reverse("sessions:check_in_code"),
        {"session": session.pk, "code": code, "action": action},
    )


def test_the_code_form_lists_todays_sessions_of_the_user(org, login_en, live):
    make_session(org.west, title="西区讲座")
    make_session(
        org.east,
        title="明天的讲座",
        starts_at=timezone.now() + datetime.timedelta(days=2),
    )
    body = login_en(org.trainee).get(reverse("sessions:check_in_code")).content.decode()
    assert live.title in body
    assert "西区讲座" not in body and "明天的讲座" not in body


def test_checking_in_and_out_with_the_short_code(org, login_en, live):
    client = login_en(org.trainee)
    response = post_code(client, live, code_now(live))
    assert response.status_code == 302
    assert Attendance.objects.get().method == Attendance.Method.CODE
    response = post_code(client, live, code_now(live), action="out")
    assert response.status_code == 302
    assert Attendance.objects.get().checked_out_at is not None


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("", "Enter the six digits"),
        ("12345", "Enter the six digits"),
        ("9" * 10_000, "Enter the six digits"),
        ("<script>alert(1)</script>", "Enter the six digits"),
        ("'; DROP TABLE courses_attendance; --", "Enter the six digits"),
    ],
)
def test_a_wrong_code_gives_a_sentence_and_writes_nothing(
    org, login_en, live, code, words
):
    response = post_code(login_en(org.trainee), live, code)
    assert response.status_code == 400
    body = response.content.decode()
    assert words in body and "<script>alert" not in body
    assert nothing_written()


def test_a_code_that_is_not_the_screens_is_refused(org, login_en, live):
    right = code_now(live)
    response = post_code(login_en(org.trainee), live, f"{(int(right) + 7) % 10**6:06d}")
    assert response.status_code == 400
    assert "not right" in response.content.decode()
    assert nothing_written()


@pytest.mark.parametrize(
    "data",
    [
        {"session": "abc", "code": "123456", "action": "in"},
        {"session": "99999999999999999999999", "code": "123456", "action": "in"},
        {"code": "123456", "action": "in"},
        {"session": "{live}", "code": "123456", "action": "sideways"},
        {"session": "{live}", "code": "123456"},
        {"session": "{west}", "code": "{west_code}", "action": "in"},
    ],
)
def test_a_hostile_code_form_gives_a_sentence_and_writes_nothing(
    org, login_en, live, data
):
    west = make_session(org.west)
    values = {
        key: value.format(live=live.pk, west=west.pk, west_code=code_now(west))
        for key, value in data.items()
    }
    response = login_en(org.trainee).post(reverse("sessions:check_in_code"), values)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose one of today" in body or "Choose check in or check out" in body
    assert nothing_written()


# --- pages: the screen ------------------------------------------------------------------------


def test_the_screen_shows_a_qr_code_the_short_code_and_the_count(org, login_en, live):
    check_in(org.trainee, live, now=timezone.now())
    client = login_en(org.coordinator)
    page = client.get(reverse("sessions:screen", args=[live.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "<path" in body
    assert page.context["state"]["code"] in body
    assert 'data-testid="present-count">1<' in body
    assert "courses/session-screen.js" in body


def test_the_screen_token_endpoint_gives_a_working_check_in_link(org, login_en, live):
    data = (
        login_en(org.coordinator)
        .get(reverse("sessions:screen_token", args=[live.pk]))
        .json()
    )
    assert data["svg"].startswith("<svg") and data["present"] == 0
    assert data["url"].startswith("http://testserver/sessions/")
    token = data["url"].split("?t=", 1)[1]
    checkin.check_token(token, live.check_in_keys, timezone.now())
    checkin.check_short_code(data["code"], live.check_in_keys, timezone.now())


# --- pages: the attendance list -------------------------------------------------------------


def mark(client, session, **data):
    return client.post(reverse("sessions:attendance", args=[session.pk]), data)


def test_the_attendance_list_shows_flags_and_history(org, login_en, lecture):
    check_in(org.trainee, lecture, now=T0 + 12 * MIN)
    check_out(org.trainee, lecture, now=T0 + 40 * MIN)
    attendance_services.attendance_mark(
        actor=org.coordinator,
        session=lecture,
        person=org.supervisor,
        status="absent",
        reason="请假",
    )
    body = (
        login_en(org.coordinator)
        .get(reverse("sessions:attendance", args=[lecture.pk]))
        .content.decode()
    )
    assert "12 minutes late" in body
    assert "left 50 minutes early" in body
    assert "请假" in body and 'data-testid="history"' in body


def test_the_attendance_list_takes_a_fixed_number_of_queries(org, login_en, lecture):
    client = login_en(org.coordinator)
    url = reverse("sessions:attendance", args=[lecture.pk])

    def count():
        client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    check_in(org.trainee, lecture)
    few = count()
    for n in range(6):
        person = UserFactory(home_unit=org.east_room)
        check_in(person, lecture)
        attendance_services.attendance_mark(
            actor=org.coordinator,
            session=lecture,
            person=person,
            status="absent",
            reason=f"理由{n}",
        )
    assert count() == few


def test_a_coordinator_corrects_a_row_with_a_reason(org, login_en, lecture):
    check_in(org.trainee, lecture, now=T0)
    response = mark(
        login_en(org.coordinator),
        lecture,
        person=org.trainee.pk,
        status="absent",
        checked_in_at="2026-03-03T09:00",
        checked_out_at="",
        reason="中途离开未返回",
    )
    assert response.status_code == 302
    assert Attendance.objects.get().status == Attendance.Status.ABSENT
    assert AttendanceChange.objects.get().reason == "中途离开未返回"
    assert [kind for kind, _g, _h in ledger(org.trainee)] == ["credit", "reversal"]


def test_a_coordinator_adds_someone_by_username(org, login_en, lecture):
    response = mark(
        login_en(org.coordinator),
        lecture,
        who="supervisor",
        status="present",
        checked_in_at="2026-03-03T09:10",
        reason="手机无法扫码",
    )
    assert response.status_code == 302
    attendance = Attendance.objects.get(person=org.supervisor)
    assert attendance.checked_in_at == T0 + 10 * MIN
    assert attendance.method == Attendance.Method.MANUAL


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"person": "{trainee}", "status": "present", "reason": ""}, "Give a reason"),
        (
            {"person": "{trainee}", "status": "present", "reason": "   "},
            "Give a reason",
        ),
        ({"person": "abc", "status": "present", "reason": "x"}, "whole number"),
        (
            {"person": "9" * 30, "status": "present", "reason": "x"},
            "less than or equal",
        ),
        (
            {"person": "{west}", "status": "present", "reason": "x"},
            "not on this session",
        ),
        ({"who": "nobody", "status": "present", "reason": "x"}, "No one with this"),
        ({"who": "x" * 10_000, "status": "present", "reason": "x"}, "at most 150"),
        ({"status": "present", "reason": "x"}, "Say whom"),
        ({"person": "{trainee}", "status": "gone", "reason": "x"}, "present or absent"),
        (
            {"person": "{trainee}", "status": "present", "reason": "x" * 501},
            "at most 500",
        ),
        (
            {
                "person": "{trainee}",
                "status": "present",
                "checked_in_at": "<script>alert(1)</script>",
                "reason": "x",
            },
            "valid date/time",
        ),
        (
            {
                "person": "{trainee}",
                "status": "present",
                "checked_in_at": "1999-01-01T09:00",
                "reason": "x",
            },
            "Times must fall",
        ),
        (
            {
                "person": "{trainee}",
                "status": "present",
                "checked_in_at": "2026-03-03T09:30",
                "checked_out_at": "2026-03-03T09:10",
                "reason": "x",
            },
            "after the check-in",
        ),
    ],
)
def test_a_wrong_mark_gives_a_sentence_and_writes_nothing(
    org, login_en, lecture, data, words
):
    values = {
        key: value.format(trainee=org.trainee.pk, west=org.west_trainee.pk)
        for key, value in data.items()
    }
    response = mark(login_en(org.coordinator), lecture, **values)
    assert response.status_code == 400
    body = response.content.decode()
    assert words in body, body[:3000]
    assert "<script>alert" not in body
    assert nothing_written() and not AttendanceChange.objects.exists()


def test_the_sibling_cannot_mark_attendance_of_an_east_session(org, login_en, lecture):
    response = mark(
        login_en(org.sibling),
        lecture,
        person=org.trainee.pk,
        status="present",
        reason="x",
    )
    assert response.status_code == 404
    assert nothing_written()


# --- the admin --------------------------------------------------------------------------------


def admin_data(org, **changes):
    return {
        "kind": "lecture",
        "title": "心理健康讲座",
        "unit": org.east.pk,
        "cohort": "",
        "place": "东区站会议室",
        "starts_at": "2026-03-03 09:00",
        "ends_at": "2026-03-03 10:30",
        "credit_hours": "1.5",
        "capacity": "40",
        "facilitators": [org.supervisor.pk],
    } | changes


def test_a_coordinator_plans_a_session_in_the_admin(org, login_en):
    response = login_en(org.coordinator).post(
        reverse("session_admin:add"), admin_data(org)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session = OfflineSession.objects.get()
    assert session.starts_at == T0
    assert session.created_by == org.coordinator
    assert list(session.facilitators.all()) == [org.supervisor]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"ends_at": "2026-03-03 08:00"}, "must end after it starts"),
        ({"credit_hours": "-2"}, "Credit hours must be"),
        ({"capacity": "0"}, "at least one person"),
        ({"unit": "{west}"}, "Select a valid choice"),
        ({"title": ""}, "This field is required"),
        ({"starts_at": "<script>"}, "Enter a valid date/time"),
    ],
)
def test_the_admin_refuses_wrong_plans_with_a_sentence(org, login_en, changes, words):
    data = admin_data(
        org,
        **{k: v.format(west=org.west.pk) for k, v in changes.items()},
    )
    response = login_en(org.coordinator).post(reverse("session_admin:add"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert words in body
    assert not OfflineSession.objects.exists()


def test_the_admin_lists_only_the_subtree_and_exports_safely(org, login_en):
    make_session(org.east, title='=HYPERLINK("http://evil")')
    make_session(org.west, title="西区讲座")
    client = login_en(org.coordinator)
    body = client.get(reverse("session_admin:index")).content.decode()
    assert "HYPERLINK" in body and "西区讲座" not in body
    csv = client.get(reverse("session_admin:index") + "?export=csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "西区讲座" not in text
    xlsx = client.get(reverse("session_admin:index") + "?export=xlsx")
    assert xlsx.status_code == 200


def test_deleting_a_session_with_attendance_is_refused_in_the_admin(
    org, login_en, live
):
    check_in(org.trainee, live, now=timezone.now())
    empty = make_session(org.east, title="空场")
    client = login_en(org.coordinator)
    response = client.post(reverse("session_admin:delete", args=[live.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert OfflineSession.objects.filter(pk=live.pk).exists()
    client.post(reverse("session_admin:delete", args=[empty.pk]))
    assert not OfflineSession.objects.filter(pk=empty.pk).exists()


def test_editing_the_hours_in_the_admin_reverses_and_credits_again(
    org, login_en, lecture
):
    check_in(org.trainee, lecture)
    response = login_en(org.coordinator).post(
        reverse("session_admin:edit", args=[lecture.pk]),
        admin_data(org, title=lecture.title, credit_hours="2", capacity=""),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ledger(org.trainee) == [
        ("credit", 0, Decimal("1.50")),
        ("reversal", 0, Decimal("-1.50")),
        ("credit", 1, Decimal("2.00")),
    ]


def test_the_admin_filters_by_kind_unit_and_date(org, login_en):
    make_session(org.east, title="东区讲座", starts_at=T0)
    make_session(org.east_room, title="一室团辅", kind="group", starts_at=T0)
    make_session(org.east, title="四月讲座", starts_at=T0 + datetime.timedelta(days=40))
    client = login_en(org.coordinator)
    url = reverse("session_admin:index")

    def titles(**query):
        body = client.get(url, query).content.decode()
        return {t for t in ("东区讲座", "一室团辅", "四月讲座") if t in body}

    assert titles(kind="group") == {"一室团辅"}
    assert titles(unit=org.east_room.pk) == {"一室团辅"}
    assert titles(starts_on_from="2026-04-01") == {"四月讲座"}
    assert titles(q="四月") == {"四月讲座"}
    # a unit outside the subtree is not a choice: the filter is ignored
    assert titles(unit=org.west.pk) == {"东区讲座", "一室团辅", "四月讲座"}
