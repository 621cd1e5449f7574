"""Practice-log services against the database: drafts and their checks,
the lock after approval, hours credited once, amendments, consent."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation

from lms.core.models import HoursEntry
from supervision.models import PracticeEntry, SupervisionSession, TechniqueMastery
from supervision.selectors.entries import case_for_entry
from supervision.services import entries as services
from tests.factories.core import UserFactory
from tests.factories.entries import attended_session, attended_shift, entry_in
from tests.factories.supervision import (
    assign,
    make_case,
    make_consent,
    make_technique,
)

Status = PracticeEntry.Status
Kind = PracticeEntry.Kind
TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are compared in English, the source language (requests
    made by the test client would otherwise switch back to Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def message_of(refused) -> str:
    return " ".join(refused.value.messages)


def ledger(person):
    return list(
        HoursEntry.objects.filter(person=person)
        .order_by("id")
        .values_list("kind", "hours", "source_id")
    )


def create(org, **fields):
    fields = {"kind": Kind.HOTLINE, "occurred_on": TODAY(), "minutes": 60} | fields
    return services.practice_entry_create(actor=org.trainee, **fields)


def approved(org, entry):
    services.practice_entry_submit(actor=org.trainee, entry=entry)
    return services.practice_entry_approve(actor=org.supervisor, entry=entry)


@pytest.fixture
def supervised(org):
    assign(org.trainee, org.supervisor)
    return org


# --- drafts and their checks ----------------------------------------------------------


def test_a_new_entry_is_a_draft_of_the_trainee_in_their_home_unit(org):
    entry = create(org, reflection="  接了三个电话  ", title="热线")
    assert (entry.person, entry.unit, entry.status) == (
        org.trainee,
        org.east_room,
        Status.DRAFT,
    )
    assert entry.reflection == "接了三个电话"
    step = entry.transitions.get()
    assert (step.from_status, step.to_status, step.actor) == ("", "draft", org.trainee)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"minutes": 0}, "minutes", "from 1 to 1440"),
        ({"minutes": 1441}, "minutes", "from 1 to 1440"),
        ({"minutes": -5}, "minutes", "from 1 to 1440"),
        ({"minutes": "60"}, "minutes", "whole number"),
        ({"minutes": None}, "minutes", "whole number"),
        ({"minutes": True}, "minutes", "whole number"),
        ({"occurred_on": None}, "occurred_on", "Enter the date"),
        ({"occurred_on": "2026-01-01"}, "occurred_on", "Enter the date"),
        ({"kind": "poetry"}, "kind", "Choose what kind"),
        ({"reflection": "x" * 1_000_000}, "reflection", "too long"),
        ({"title": "标题" * 100}, "title", "too long"),
        ({"reflection": "好\x00坏"}, "reflection", "null character"),
        ({"kind": Kind.OBSERVATION}, "case", "client code"),
        ({"kind": Kind.TECHNIQUE}, "technique", "Choose the technique"),
    ],
)
def test_a_wrong_field_is_refused_with_a_sentence_and_nothing_is_saved(
    org, fields, field, words
):
    with pytest.raises(ValidationError) as refused:
        create(org, **fields)
    assert field in refused.value.message_dict
    assert words in " ".join(refused.value.message_dict[field])
    assert not PracticeEntry.objects.exists()


def test_the_date_may_be_neither_in_the_future_nor_over_a_year_ago(org):
    for days, words in ((-1, "in the future"), (366, "too long ago")):
        with pytest.raises(ValidationError) as refused:
            create(org, occurred_on=TODAY() - datetime.timedelta(days=days))
        assert words in message_of(refused)
    create(org, occurred_on=TODAY() - datetime.timedelta(days=365))
    assert PracticeEntry.objects.count() == 1


def test_someone_without_a_home_unit_cannot_log_practice(org):
    nowhere = UserFactory(home_unit=None)
    with pytest.raises(ValidationError):
        services.practice_entry_create(
            actor=nowhere, kind=Kind.HOTLINE, occurred_on=TODAY(), minutes=30
        )


def test_hostile_text_is_stored_as_text(org):
    hostile = "<script>alert(1)</script>'; DROP TABLE supervision_practiceentry; --"
    entry = create(org, title=hostile[:120], reflection=hostile)
    entry.refresh_from_db()
    assert entry.reflection == hostile
    assert PracticeEntry.objects.count() == 1


def test_a_technique_entry_needs_an_offered_technique_and_a_client(org):
    technique = make_technique()
    case = make_case(org.supervisor, unit=org.east)
    with pytest.raises(ValidationError) as refused:
        create(org, kind=Kind.TECHNIQUE, technique=technique)
    assert "case" in refused.value.message_dict
    technique.is_active = False
    technique.save()
    with pytest.raises(ValidationError) as refused:
        create(org, kind=Kind.TECHNIQUE, technique=technique, case=case)
    assert "no longer offered" in message_of(refused)
    technique.is_active = True
    technique.save()
    entry = create(org, kind=Kind.TECHNIQUE, technique=technique, case=case)
    assert entry.technique == technique and entry.case == case


def test_a_shift_link_needs_a_check_in_on_that_day(org):
    # given a shift signed up for without checking in, and one checked in
    not_in = attended_shift(org.trainee, checked_in=False)
    attended = attended_shift(org.trainee)
    other = attended_shift(org.west_trainee)
    # then only the attended one may be linked, on its own day
    for shift in (not_in, other):
        with pytest.raises(ValidationError) as refused:
            create(org, shift=shift)
        assert "checked in" in message_of(refused)
    with pytest.raises(ValidationError) as refused:
        create(org, shift=attended, occurred_on=TODAY() - datetime.timedelta(days=1))
    assert "day of the linked shift" in message_of(refused)
    assert create(org, shift=attended).shift == attended


def test_a_session_link_needs_attendance(org):
    absent = attended_session(org.trainee, present=False)
    present = attended_session(org.trainee)
    with pytest.raises(ValidationError) as refused:
        create(org, kind=Kind.LECTURE, session=absent)
    assert "attended" in message_of(refused)
    assert create(org, kind=Kind.LECTURE, session=present).session == present


# --- cases and consent ---------------------------------------------------------------


def test_case_codes_reach_the_home_unit_and_the_units_above_only(org):
    # given cases in the trainee's room, the station, the city, a sibling
    # room of the same station and the west station
    sibling_room = org.east.add_child(
        name="东区二室", code="east-room-2", level="grassroots"
    )
    ours = [
        make_case(org.supervisor, unit=unit)
        for unit in (org.east_room, org.east, org.city)
    ]
    theirs = [
        make_case(org.supervisor, unit=sibling_room),
        make_case(org.sibling, unit=org.west),
        make_case(org.west_trainee),
    ]
    # then only the first three are found, by code in any case and spacing
    for case in ours:
        code = f"  {case.client_code.lower()} "
        assert case_for_entry(user=org.trainee, client_code=code) == case
    for case in theirs:
        assert case_for_entry(user=org.trainee, client_code=case.client_code) is None
        with pytest.raises(ValidationError) as refused:
            create(org, kind=Kind.OBSERVATION, case=case)
        assert "no case with this client code" in message_of(refused)
    for junk in ("", "C-NOPE", "' OR 1=1 --", "x" * 500, "\x00"):
        assert case_for_entry(user=org.trainee, client_code=junk) is None


def test_an_observation_needs_consent_covering_observation_on_that_day(org):
    no_consent = make_case(org.supervisor, unit=org.east, consent=False)
    not_covering = make_case(org.supervisor, unit=org.east, observation=False)
    later = make_case(org.supervisor, unit=org.east, consent=False)
    make_consent(later)  # signed on the day the case opened (10 days ago)
    for case in (no_consent, not_covering):
        with pytest.raises(ValidationError) as refused:
            create(org, kind=Kind.OBSERVATION, case=case)
        assert "no informed consent" in message_of(refused)
    with pytest.raises(ValidationError):
        create(
            org,
            kind=Kind.OBSERVATION,
            case=later,
            occurred_on=TODAY() - datetime.timedelta(days=11),
        )
    assert create(org, kind=Kind.OBSERVATION, case=later).case == later


def test_withdrawn_consent_blocks_new_observations_and_submitting_old_drafts(
    supervised,
):
    org = supervised
    # given a case with consent, a draft and a submitted observation of it
    case = make_case(org.supervisor, unit=org.east)
    draft = create(org, kind=Kind.OBSERVATION, case=case)
    sent = create(org, kind=Kind.OBSERVATION, case=case)
    services.practice_entry_submit(actor=org.trainee, entry=sent)
    # when the client withdraws their consent
    case.consents.update(withdrawn_on=TODAY(), withdrawn_by=org.supervisor)
    # then no new observation, and the draft cannot be submitted
    with pytest.raises(ValidationError) as refused:
        create(org, kind=Kind.OBSERVATION, case=case)
    assert "withdrawn" in message_of(refused)
    with pytest.raises(ValidationError) as refused:
        services.practice_entry_submit(actor=org.trainee, entry=draft)
    assert "withdrawn" in message_of(refused)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    # but the observation made and submitted with consent may be approved
    services.practice_entry_approve(actor=org.supervisor, entry=sent)
    sent.refresh_from_db()
    assert sent.status == Status.APPROVED


# --- the lock --------------------------------------------------------------------------


def test_an_approved_entry_is_locked_against_every_way_of_changing_it(supervised):
    org = supervised
    entry = approved(org, create(org))
    # the service says to add an amendment
    with pytest.raises(ValidationError) as refused:
        services.practice_entry_update(actor=org.trainee, entry=entry, minutes=600)
    assert "locked" in message_of(refused) and "amendment" in message_of(refused)
    # the database refuses an update past the services
    with pytest.raises(DatabaseError), transaction.atomic():
        PracticeEntry.objects.filter(pk=entry.pk).update(minutes=600)
    # and the model layer refuses deleting it, in bulk or one by one
    with pytest.raises(PermissionDenied):
        PracticeEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionDenied):
        PracticeEntry.objects.all().delete()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(ValidationError):
        services.practice_entry_delete(actor=org.trainee, entry=entry)
    entry.refresh_from_db()
    assert (entry.minutes, entry.status) == (60, Status.APPROVED)


def test_unapproved_entries_can_still_be_deleted_in_bulk(org):
    entry_in(org.trainee, Status.DRAFT)
    entry_in(org.trainee, Status.SUBMITTED)
    PracticeEntry.objects.all().delete()
    assert not PracticeEntry.objects.exists()


def test_only_drafts_are_deleted_and_submitted_ones_are_not_edited(supervised):
    org = supervised
    draft = create(org)
    services.practice_entry_delete(actor=org.trainee, entry=draft)
    assert not PracticeEntry.objects.filter(pk=draft.pk).exists()
    sent = create(org)
    services.practice_entry_submit(actor=org.trainee, entry=sent)
    with pytest.raises(ValidationError):
        services.practice_entry_delete(actor=org.trainee, entry=sent)
    with pytest.raises(ValidationError) as refused:
        services.practice_entry_update(actor=org.trainee, entry=sent, minutes=5)
    assert "waiting for a supervisor" in message_of(refused)


def test_a_returned_entry_can_be_edited_and_resubmitted(supervised):
    org = supervised
    entry = create(org)
    services.practice_entry_submit(actor=org.trainee, entry=entry)
    services.practice_entry_return(actor=org.supervisor, entry=entry, comment="补充")
    services.practice_entry_update(actor=org.trainee, entry=entry, minutes=90)
    services.practice_entry_submit(actor=org.trainee, entry=entry)
    entry.refresh_from_db()
    assert (entry.status, entry.minutes) == (Status.RESUBMITTED, 90)


# --- hours -------------------------------------------------------------------------------


def test_approval_credits_the_hours_once(supervised):
    org = supervised
    entry = create(org, minutes=100)
    approved(org, entry)
    with pytest.raises(ValidationError) as refused:
        services.practice_entry_approve(actor=org.supervisor, entry=entry)
    assert "locked" in message_of(refused)
    assert ledger(org.trainee) == [("credit", Decimal("1.67"), entry.pk)]
    credit = HoursEntry.objects.get()
    assert credit.category == "practice" and credit.earned_on == entry.occurred_on


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_approve_once(org):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has no row locks; run on PostgreSQL")
    assign(org.trainee, org.supervisor)
    other = UserFactory(home_unit=org.east, roles=["supervisor"])
    assign(org.trainee, other)
    entry = entry_in(org.trainee, Status.SUBMITTED)
    barrier = threading.Barrier(2)
    done, refused = [], []

    def approve(actor):
        try:
            barrier.wait(timeout=10)
            services.practice_entry_approve(actor=actor, entry=entry)
            done.append(actor.pk)
        except ValidationError as error:
            refused.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(actor,))
        for actor in (org.supervisor, other)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(done) == 1 and len(refused) == 1
    assert ledger(org.trainee) == [("credit", Decimal("1.00"), entry.pk)]
    assert entry.transitions.filter(to_status=Status.APPROVED).count() == 1


# --- amendments ------------------------------------------------------------------------


def test_an_approved_amendment_replaces_the_original_hours(supervised):
    org = supervised
    # given an approved 60-minute entry
    original = approved(org, create(org, minutes=60))
    # when the trainee amends it to 90 minutes and it is approved
    amendment = services.practice_entry_amend(
        actor=org.trainee, entry=original, reason="漏记了半小时", minutes=90
    )
    assert (amendment.status, amendment.amends, amendment.minutes) == (
        Status.DRAFT,
        original,
        90,
    )
    # (nothing changes while it is pending)
    services.practice_entry_submit(actor=org.trainee, entry=amendment)
    assert ledger(org.trainee) == [("credit", Decimal("1.00"), original.pk)]
    services.practice_entry_approve(actor=org.supervisor, entry=amendment)
    # then the original's credit is reversed and the amendment's stands
    assert ledger(org.trainee) == [
        ("credit", Decimal("1.00"), original.pk),
        ("reversal", Decimal("-1.00"), original.pk),
        ("credit", Decimal("1.50"), amendment.pk),
    ]
    original.refresh_from_db()
    assert original.status == Status.APPROVED and original.minutes == 60
    total = sum(h for _kind, h, _source in ledger(org.trainee))
    assert total == Decimal("1.50")


def test_an_amendment_of_an_amendment_nets_to_the_latest(supervised):
    org = supervised
    first = approved(org, create(org, minutes=60))
    second = services.practice_entry_amend(
        actor=org.trainee, entry=first, reason="改", minutes=30
    )
    approved(org, second)
    third = services.practice_entry_amend(
        actor=org.trainee, entry=second, reason="再改", minutes=120
    )
    approved(org, third)
    total = sum(h for _kind, h, _source in ledger(org.trainee))
    assert total == Decimal("2.00")


def test_amendments_are_refused_where_they_do_not_belong(supervised):
    org = supervised
    draft = create(org)
    with pytest.raises(ValidationError):
        services.practice_entry_amend(actor=org.trainee, entry=draft, reason="改")
    original = approved(org, create(org))
    with pytest.raises(PermissionDenied):
        services.practice_entry_amend(actor=org.supervisor, entry=original, reason="改")
    for reason in ("", "   ", "x" * 501, "理由\x00"):
        with pytest.raises(ValidationError) as refused:
            services.practice_entry_amend(
                actor=org.trainee, entry=original, reason=reason
            )
        assert "amendment_reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.practice_entry_amend(
            actor=org.trainee, entry=original, reason="改", minutes=0
        )
    assert "minutes" in refused.value.message_dict
    assert not original.amendments.exists()
    # one open amendment at a time
    services.practice_entry_amend(actor=org.trainee, entry=original, reason="改")
    with pytest.raises(ValidationError) as refused:
        services.practice_entry_amend(actor=org.trainee, entry=original, reason="又改")
    assert "in progress" in message_of(refused)
    # and a superseded original is not amended again
    approved(org, original.amendments.get())
    with pytest.raises(ValidationError) as refused:
        services.practice_entry_amend(actor=org.trainee, entry=original, reason="又改")
    assert "already been corrected" in message_of(refused)


def test_an_old_entry_may_be_amended_keeping_its_date(supervised):
    org = supervised
    old = TODAY() - datetime.timedelta(days=400)
    original = entry_in(
        org.trainee, Status.APPROVED, approver=org.supervisor, occurred_on=old
    )
    amendment = services.practice_entry_amend(
        actor=org.trainee, entry=original, reason="时长记错", minutes=30
    )
    services.practice_entry_submit(actor=org.trainee, entry=amendment)
    assert amendment.occurred_on == old


# --- bulk ------------------------------------------------------------------------------


def test_bulk_approval_approves_plain_entries(supervised):
    org = supervised
    entries = [entry_in(org.trainee, Status.SUBMITTED, minutes=30) for _ in range(3)]
    count = services.practice_entries_approve_bulk(
        actor=org.supervisor, entries=entries
    )
    assert count == 3
    assert PracticeEntry.objects.filter(status=Status.APPROVED).count() == 3
    assert sum(h for _k, h, _s in ledger(org.trainee)) == Decimal("1.50")


def test_bulk_approval_is_all_or_nothing_and_says_why(supervised):
    org = supervised
    case = make_case(org.supervisor, unit=org.east)
    plain = entry_in(org.trainee, Status.SUBMITTED, title="热线值班")
    observation = entry_in(
        org.trainee, Status.SUBMITTED, kind=Kind.OBSERVATION, case=case, title="旁听"
    )
    stranger = entry_in(org.west_trainee, Status.SUBMITTED, title="别人的")
    draft = entry_in(org.trainee, Status.DRAFT, title="草稿")
    for extra, words in (
        (observation, "on its own page"),
        (stranger, "not a trainee you sign off"),
        (draft, "not waiting for sign-off"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.practice_entries_approve_bulk(
                actor=org.supervisor, entries=[plain, extra]
            )
        assert words in message_of(refused) and extra.title in message_of(refused)
    assert not PracticeEntry.objects.filter(status=Status.APPROVED).exists()
    assert not HoursEntry.objects.exists()


def test_bulk_approval_refuses_amendments_and_empty_or_huge_batches(supervised):
    org = supervised
    original = approved(org, create(org))
    amendment = entry_in(
        org.trainee, Status.SUBMITTED, amends=original, amendment_reason="改"
    )
    assert not amendment.may_bulk_approve
    with pytest.raises(ValidationError):
        services.practice_entries_approve_bulk(
            actor=org.supervisor, entries=[amendment]
        )
    with pytest.raises(ValidationError):
        services.practice_entries_approve_bulk(actor=org.supervisor, entries=[])
    with pytest.raises(ValidationError):
        services.practice_entries_approve_bulk(
            actor=org.supervisor, entries=list(range(1, 300))
        )


# --- techniques --------------------------------------------------------------------------


def test_approving_the_third_supervised_client_records_mastery(supervised):
    org = supervised
    technique = make_technique()
    cases = [make_case(org.supervisor, unit=org.east) for _ in range(3)]
    entries = [
        entry_in(
            org.trainee,
            Status.APPROVED if i < 2 else Status.SUBMITTED,
            approver=org.supervisor,
            kind=Kind.TECHNIQUE,
            technique=technique,
            case=case,
        )
        for i, case in enumerate(cases)
    ]
    supervision = SupervisionSession.objects.create(
        kind="practice",
        supervisor=org.supervisor,
        unit=org.east,
        held_at=timezone.now(),
        minutes=60,
    )
    supervision.entries.set(entries)
    assert not TechniqueMastery.objects.exists()
    services.practice_entry_approve(actor=org.supervisor, entry=entries[2])
    assert TechniqueMastery.objects.filter(
        person=org.trainee, technique=technique
    ).exists()
