import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from lms.core.models import AuditAction, AuditEvent, HoursCategory, HoursEntry
from lms.core.selectors import hours_by_child_unit, hours_for_person, hours_for_subtree
from lms.core.services.ledger import hours_credit, hours_reverse

TODAY = datetime.date(2026, 11, 23)


def credit(person, source, hours="1.5", category=HoursCategory.ONLINE_THEORY):
    return hours_credit(
        person=person,
        category=category,
        hours=Decimal(hours),
        source=source,
        earned_on=TODAY,
    )


def test_credit_writes_one_row_with_the_unit_at_the_time(org):
    # given a trainee of the east room; the "source" can be any model row
    source = org.east_room
    # when
    entry = credit(org.trainee, source)
    # then
    assert entry.unit == org.east_room
    assert entry.hours == Decimal("1.50")
    assert entry.kind == HoursEntry.Kind.CREDIT
    assert AuditEvent.objects.filter(action=AuditAction.HOURS_CREDIT).count() == 1


def test_crediting_the_same_source_twice_writes_nothing_more(org):
    first = credit(org.trainee, org.east_room)
    second = credit(org.trainee, org.east_room, hours="9")
    assert first.pk == second.pk
    assert HoursEntry.objects.count() == 1
    assert hours_for_person(person=org.trainee)[HoursCategory.ONLINE_THEORY] == Decimal(
        "1.5"
    )


def test_same_source_credits_each_person_once(org):
    credit(org.trainee, org.east_room)
    credit(org.supervisor, org.east_room)
    assert HoursEntry.objects.count() == 2


def test_reversal_is_a_negative_row_and_the_original_is_untouched(org):
    original = credit(org.trainee, org.east_room, hours="2")
    reversal = hours_reverse(
        person=org.trainee, source=org.east_room, reason="attendance corrected"
    )
    original.refresh_from_db()
    assert original.hours == Decimal("2.00")
    assert reversal.hours == Decimal("-2.00")
    assert reversal.reverses == original
    assert hours_for_person(person=org.trainee)[HoursCategory.ONLINE_THEORY] == 0


def test_second_reversal_changes_nothing(org):
    credit(org.trainee, org.east_room)
    assert hours_reverse(person=org.trainee, source=org.east_room, reason="x")
    assert hours_reverse(person=org.trainee, source=org.east_room, reason="x") is None
    assert HoursEntry.objects.count() == 2


def test_recredit_after_reversal_is_a_new_generation(org):
    credit(org.trainee, org.east_room, hours="2")
    hours_reverse(person=org.trainee, source=org.east_room, reason="wrong hours")
    recredit = credit(org.trainee, org.east_room, hours="1.5")
    assert recredit.generation == 1
    assert credit(org.trainee, org.east_room).pk == recredit.pk
    assert hours_for_person(person=org.trainee)[HoursCategory.ONLINE_THEORY] == Decimal(
        "1.5"
    )


def test_reversal_needs_a_reason(org):
    credit(org.trainee, org.east_room)
    with pytest.raises(ValidationError):
        hours_reverse(person=org.trainee, source=org.east_room, reason="  ")


@pytest.mark.parametrize("hours", ["0", "-1"])
def test_credit_refuses_zero_or_negative_hours(org, hours):
    with pytest.raises(ValidationError):
        credit(org.trainee, org.east_room, hours=hours)
    assert not HoursEntry.objects.exists()


def test_credit_refuses_an_unknown_category(org):
    with pytest.raises(ValidationError):
        credit(org.trainee, org.east_room, category="made_up")


def test_the_database_refuses_a_duplicate_credit_written_around_the_service(org):
    entry = credit(org.trainee, org.east_room)
    with pytest.raises(IntegrityError), transaction.atomic():
        HoursEntry.objects.create(
            person=entry.person,
            unit=entry.unit,
            category=entry.category,
            hours=Decimal("1"),
            kind=HoursEntry.Kind.CREDIT,
            generation=0,
            earned_on=TODAY,
            source_type=ContentType.objects.get_for_model(org.east_room),
            source_id=org.east_room.pk,
            source_label="dup",
        )


def test_the_database_refuses_a_negative_credit(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        HoursEntry.objects.create(
            person=org.trainee,
            unit=org.east_room,
            category=HoursCategory.PRACTICE,
            hours=Decimal("-1"),
            kind=HoursEntry.Kind.CREDIT,
            earned_on=TODAY,
            source_type=ContentType.objects.get_for_model(org.east_room),
            source_id=org.east_room.pk,
            source_label="bad",
        )


def test_hours_stay_with_the_unit_of_the_time_when_a_person_moves(org):
    credit(org.trainee, org.east_room, hours="3")
    org.trainee.home_unit = org.west_room
    org.trainee.save()
    credit(org.trainee, org.west_room, hours="1")
    assert hours_for_subtree(unit=org.east)[HoursCategory.ONLINE_THEORY] == 3
    assert hours_for_subtree(unit=org.west)[HoursCategory.ONLINE_THEORY] == 1
    assert hours_for_subtree(unit=org.city)[HoursCategory.ONLINE_THEORY] == 4


def test_hours_by_child_unit_sums_each_subtree(org):
    credit(org.trainee, org.east_room, hours="2")
    credit(org.west_trainee, org.west_room, hours="5")
    rows = {
        row["unit"].code: row["hours"] for row in hours_by_child_unit(unit=org.city)
    }
    assert rows["east"][HoursCategory.ONLINE_THEORY] == 2
    assert rows["west"][HoursCategory.ONLINE_THEORY] == 5


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_credits_write_one_row_on_postgresql(org):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is exercised on PostgreSQL")
    # given: transaction A has inserted the credit but not yet committed
    inserted = threading.Event()
    results, errors = [], []

    def first():
        try:
            with transaction.atomic():
                results.append(credit(org.trainee, org.east_room).pk)
                inserted.set()
                # Hold the uncommitted row while B tries the same insert.
                threading.Event().wait(1.0)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
            inserted.set()
        finally:
            connection.close()

    def second():
        try:
            inserted.wait(5)
            # B read "no credit yet" (A has not committed) and inserts: the
            # unique index makes it wait for A, then fail, then return A's row.
            results.append(credit(org.trainee, org.east_room).pk)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    # then
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert HoursEntry.objects.filter(person=org.trainee).count() == 1


def test_any_sequence_of_credits_and_reversals_nets_to_the_standing_credit(org):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    operations = st.lists(
        st.one_of(
            st.tuples(st.just("credit"), st.decimals("0.25", "20", places=2)),
            st.tuples(st.just("reverse"), st.just(None)),
        ),
        max_size=12,
    )

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(operations)
    def check(steps):
        with transaction.atomic():
            standing = Decimal("0")
            for kind, amount in steps:
                if kind == "credit":
                    entry = credit(org.trainee, org.west, hours=amount)
                    standing = entry.hours
                else:
                    hours_reverse(person=org.trainee, source=org.west, reason="r")
                    standing = Decimal("0")
            total = hours_for_person(person=org.trainee)[HoursCategory.ONLINE_THEORY]
            assert total == standing
            transaction.set_rollback(True)

    check()
