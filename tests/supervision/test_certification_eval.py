"""Certification evaluation: one example per kind of requirement, the
period, the query count, ``evaluate_many``, the next step and the
``certification_progress`` command."""

import datetime
import itertools
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import override

from courses.models import LessonProgress
from lms.core.models import HoursCategory, HoursEntry, OrgUnit, Role
from supervision.models import (
    PracticeEntry,
    Qualification,
    Requirement,
    ShiftSignup,
    SupervisionKind,
    SupervisionSession,
    TechniqueMastery,
)
from supervision.selectors.certification import (
    evaluate,
    evaluate_many,
    months_before,
)
from supervision.selectors.next_steps import next_step
from tests.factories.certification import (
    enrol,
    make_qualification,
    make_qualification_kind,
    make_rating,
    make_requirement,
    make_rubric,
    make_track,
)
from tests.factories.core import UserFactory
from tests.factories.courses import make_lesson, make_module, make_syllabus
from tests.factories.entries import entry_in
from tests.factories.supervision import assign, make_shift, make_signup, make_technique
from tests.factories.supervisions import make_session

K = Requirement.Kind
TODAY = datetime.date(2026, 3, 31)
_sources = itertools.count(1)


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def ledger(person, hours, *, category=HoursCategory.PRACTICE, on=TODAY):
    return HoursEntry.objects.create(
        person=person,
        unit=OrgUnit.objects.first(),
        category=category,
        hours=Decimal(str(hours)),
        kind=HoursEntry.Kind.CREDIT,
        earned_on=on,
        source_type=ContentType.objects.get_for_model(OrgUnit),
        source_id=next(_sources),
        source_label="test",
    )


def reverse_row(credit):
    return HoursEntry.objects.create(
        person=credit.person,
        unit=credit.unit,
        category=credit.category,
        hours=-credit.hours,
        kind=HoursEntry.Kind.REVERSAL,
        earned_on=credit.earned_on,
        source_type=credit.source_type,
        source_id=credit.source_id,
        source_label="test",
        reverses=credit,
    )


def one(person, version, **kwargs):
    (result,) = evaluate(person, version, today=kwargs.pop("today", TODAY), **kwargs)
    return result


def version_with(unit, kind, need, **params):
    _track, version = make_track(unit, requirements=[])
    make_requirement(version, kind, need, **params)
    return version


# --- per kind -----------------------------------------------------------------


def test_lessons_count_completed_lessons_under_a_module(org):
    # given a module of three lessons and a lesson elsewhere
    syllabus = make_syllabus()
    module = make_module(syllabus)
    lessons = [make_lesson(module, title=f"课{i}") for i in range(3)]
    elsewhere = make_lesson(make_module(syllabus), title="别处")
    for lesson in [lessons[0], lessons[1], elsewhere]:
        LessonProgress.objects.create(
            person=org.trainee, lesson=lesson, completed_at=moment(days_ago(3))
        )
    LessonProgress.objects.create(person=org.trainee, lesson=lessons[2])  # unfinished
    version = version_with(org.city, K.LESSONS, 3, pages=[module])
    # when
    result = one(org.trainee, version)
    # then
    assert (result.have, result.need, result.met) == (2, 3, False)
    assert result.percent == 66
    assert {pk for _label, pk in result.records} == set(
        LessonProgress.objects.filter(lesson__in=lessons[:2]).values_list(
            "pk", flat=True
        )
    )
    assert result.records[0][0] == "courses.lessonprogress"
    assert "1" in result.missing


def test_hours_sum_standing_credits_of_the_categories_in_the_period(org):
    # given
    kept = ledger(org.trainee, "2.5")
    reversed_credit = ledger(org.trainee, "4")
    reverse_row(reversed_credit)
    ledger(org.trainee, "3", category=HoursCategory.ONLINE_THEORY)
    ledger(org.trainee, "7", on=months_before(TODAY, 36) - datetime.timedelta(days=1))
    ledger(org.west_trainee, "9")
    version = version_with(
        org.city,
        K.HOURS,
        "7",
        hours_categories=[HoursCategory.PRACTICE, HoursCategory.SUPERVISION],
        period_months=36,
    )
    # when
    result = one(org.trainee, version)
    # then
    assert result.have == Decimal("2.50")
    assert result.records == (("core.hoursentry", kept.pk),)
    with override("en"):
        result = one(org.trainee, version)
    assert result.missing.startswith(f"{result.requirement.title}: 4.5 more")
    assert "36 months" in result.missing


def test_practice_counts_approved_entries_of_the_kinds(org):
    # given
    approved = [
        entry_in(
            org.trainee,
            PracticeEntry.Status.APPROVED,
            approver=org.supervisor,
            kind=PracticeEntry.Kind.GROUP_ASSISTANT,
            occurred_on=days_ago(i),
        )
        for i in range(2)
    ]
    entry_in(
        org.trainee,
        PracticeEntry.Status.SUBMITTED,
        kind=PracticeEntry.Kind.GROUP_ASSISTANT,
        occurred_on=days_ago(1),
    )
    entry_in(
        org.trainee,
        PracticeEntry.Status.APPROVED,
        approver=org.supervisor,
        kind=PracticeEntry.Kind.HOTLINE,
        occurred_on=days_ago(1),
    )
    version = version_with(
        org.city, K.PRACTICE, 5, practice_kinds=[PracticeEntry.Kind.GROUP_ASSISTANT]
    )
    # when
    result = one(org.trainee, version)
    # then
    assert result.have == 2
    assert sorted(pk for _l, pk in result.records) == sorted(e.pk for e in approved)
    with override("en"):
        assert "3 more approved practice entries" in one(org.trainee, version).missing


def test_practice_in_hours_counts_minutes_and_an_amendment_replaces_its_original(
    org,
):
    # given an original of 60 minutes and its approved amendment of 90
    original = entry_in(
        org.trainee,
        PracticeEntry.Status.APPROVED,
        approver=org.supervisor,
        minutes=60,
        occurred_on=days_ago(2),
    )
    entry_in(
        org.trainee,
        PracticeEntry.Status.APPROVED,
        approver=org.supervisor,
        minutes=90,
        occurred_on=days_ago(2),
        amends=original,
        amendment_reason="时长记错",
    )
    version = version_with(org.city, K.PRACTICE, 2, measure="hours")
    # when
    result = one(org.trainee, version)
    # then
    assert result.have == Decimal("1.50")
    assert len(result.records) == 1 and result.records[0][1] != original.pk


def test_supervision_counts_sessions_attended_of_the_kind_and_form(org):
    # given
    counted = make_session(org.supervisor, [org.trainee], days_ago=10, minutes=90)
    make_session(org.supervisor, [org.trainee, org.west_trainee])  # group
    make_session(org.supervisor, [org.trainee], kind=SupervisionKind.GROWTH)
    make_session(org.supervisor, [org.west_trainee])
    version = version_with(
        org.city,
        K.SUPERVISION,
        4,
        measure="hours",
        supervision_kind=SupervisionKind.PRACTICE,
        supervision_format=SupervisionSession.Format.INDIVIDUAL,
    )
    # when
    result = one(org.trainee, version, today=timezone.localdate())
    # then
    assert result.have == Decimal("1.50")
    assert result.records == (("supervision.supervisionsession", counted.pk),)
    with override("en"):
        result = one(org.trainee, version, today=timezone.localdate())
    assert "2.5 more hours of supervision" in result.missing


def test_techniques_count_confirmed_masteries_of_the_named_techniques(org):
    # given
    chair, focus, other = (
        make_technique(n) for n in ("空椅子技术", "焦点解决", "其他")
    )
    now = timezone.now()
    confirmed = TechniqueMastery.objects.create(
        person=org.trainee,
        technique=chair,
        reached_at=now,
        confirmed_by=org.supervisor,
        confirmed_at=now,
    )
    TechniqueMastery.objects.create(person=org.trainee, technique=focus, reached_at=now)
    TechniqueMastery.objects.create(
        person=org.trainee,
        technique=other,
        reached_at=now,
        confirmed_by=org.supervisor,
        confirmed_at=now,
    )
    version = version_with(org.city, K.TECHNIQUES, 2, techniques=[chair, focus])
    # when
    result = one(org.trainee, version, today=timezone.localdate())
    # then
    assert result.have == 1
    assert result.records == (("supervision.techniquemastery", confirmed.pk),)


def test_shifts_count_only_checked_in_and_out_of_shifts_not_cancelled(org):
    def shift_on(day, **fields):
        return make_shift(org.east, starts_at=moment(day), **fields)

    worked = make_signup(
        shift_on(days_ago(5)),
        org.trainee,
        checked_in_at=moment(days_ago(5)),
        checked_out_at=moment(days_ago(5)),
    )
    make_signup(shift_on(days_ago(4)), org.trainee, checked_in_at=moment(days_ago(4)))
    cancelled = shift_on(days_ago(3))
    cancelled.cancelled_at = timezone.now()
    cancelled.save()
    make_signup(
        cancelled,
        org.trainee,
        checked_in_at=moment(days_ago(3)),
        checked_out_at=moment(days_ago(3)),
    )
    make_signup(
        shift_on(days_ago(2)), org.trainee, status=ShiftSignup.Status.WAITLISTED
    )
    version = version_with(org.city, K.SHIFTS, 4, period_months=1)
    # when
    result = one(org.trainee, version)
    # then
    assert result.have == 1
    assert result.records == (("supervision.shiftsignup", worked.pk),)


def test_ratings_count_distinct_raters_by_their_latest_rating(org):
    # given
    rubric = make_rubric()
    other = UserFactory(home_unit=org.east, roles=[Role.SUPERVISOR])
    third = UserFactory(home_unit=org.east, roles=[Role.SUPERVISOR])
    earlier = timezone.now() - datetime.timedelta(days=5)
    make_rating(org.trainee, org.supervisor, rubric, 3, rated_at=earlier)
    latest = make_rating(org.trainee, org.supervisor, rubric, 4)
    make_rating(org.trainee, other, rubric, 5, rated_at=earlier)
    make_rating(org.trainee, other, rubric, 2)  # supersedes the 5
    make_rating(org.trainee, third, make_rubric(), 5)  # another rubric
    version = version_with(
        org.city, K.RATINGS, 2, rubric=rubric, min_level=Decimal("3.5")
    )
    # when
    result = one(org.trainee, version, today=timezone.localdate())
    # then
    assert result.have == 1
    assert result.records == (("supervision.rating", latest.pk),)


def test_qualification_counts_verified_and_unexpired_only(org):
    # given
    kind = make_qualification_kind("国家心理咨询师三级")
    make_qualification(org.trainee, kind, Qualification.Status.PENDING)
    make_qualification(org.trainee, kind, expires_on=days_ago(1))
    make_qualification(org.west_trainee, kind)
    version = version_with(org.city, K.QUALIFICATION, 1, qualification_kind=kind)
    # when / then
    result = one(org.trainee, version)
    assert result.have == 0 and not result.met
    with override("en"):
        assert "a verified 国家心理咨询师三级" in one(org.trainee, version).missing
    valid = make_qualification(org.trainee, kind, expires_on=TODAY)
    result = one(org.trainee, version)
    assert result.met and result.missing == "" and result.percent == 100
    assert result.records == (("supervision.qualification", valid.pk),)


def test_renewal_evaluates_only_renewal_requirements(org):
    _track, version = make_track(
        org.city,
        requirements=[
            {"kind": K.SHIFTS, "need": 1},
            {"kind": K.HOURS, "need": 2, "for_renewal": True},
        ],
    )
    results = evaluate(org.trainee, version, today=TODAY, renewal=True)
    assert [r.requirement.kind for r in results] == [K.HOURS]


def test_a_requirement_of_need_zero_is_met_at_a_hundred_percent(org):
    result = one(org.trainee, version_with(org.city, K.SHIFTS, 0))
    assert result.met and result.percent == 100 and result.missing == ""


# --- the period -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 3, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2026, 1, 15), 1, datetime.date(2025, 12, 15)),
        (datetime.date(2026, 3, 31), 36, datetime.date(2023, 3, 31)),
        (datetime.date(2026, 5, 31), 3, datetime.date(2026, 2, 28)),
    ],
)
def test_months_before_counts_calendar_months(day, months, expected):
    assert months_before(day, months) == expected


def test_the_period_includes_its_first_day_and_today_but_nothing_after(org):
    since = months_before(TODAY, 12)
    inside = [ledger(org.trainee, 1, on=since), ledger(org.trainee, 1, on=TODAY)]
    ledger(org.trainee, 1, on=since - datetime.timedelta(days=1))
    ledger(org.trainee, 1, on=TODAY + datetime.timedelta(days=1))
    version = version_with(org.city, K.HOURS, 10, period_months=12)
    result = one(org.trainee, version)
    assert {pk for _l, pk in result.records} == {row.pk for row in inside}


# --- queries --------------------------------------------------------------------


def all_kinds_version(org):
    rubric = make_rubric()
    _track, version = make_track(
        org.city,
        requirements=[
            {"kind": K.LESSONS, "need": 1, "pages": [make_module(make_syllabus())]},
            {"kind": K.HOURS, "need": 1},
            {"kind": K.HOURS, "need": 1, "period_months": 12},
            {"kind": K.PRACTICE, "need": 1},
            {"kind": K.SUPERVISION, "need": 1, "measure": "hours"},
            {"kind": K.TECHNIQUES, "need": 1},
            {"kind": K.SHIFTS, "need": 1},
            {"kind": K.RATINGS, "need": 1, "rubric": rubric, "min_level": 3},
            {
                "kind": K.QUALIFICATION,
                "need": 1,
                "qualification_kind": make_qualification_kind(),
            },
        ],
    )
    return version


def test_evaluate_asks_as_many_queries_for_500_records_as_for_10(org):
    version = all_kinds_version(org)
    counts = []
    for size in (10, 500):
        HoursEntry.objects.bulk_create(
            HoursEntry(
                person=org.trainee,
                unit=org.east,
                category=HoursCategory.PRACTICE,
                hours=Decimal("0.5"),
                kind=HoursEntry.Kind.CREDIT,
                earned_on=TODAY,
                source_type=ContentType.objects.get_for_model(OrgUnit),
                source_id=next(_sources),
                source_label="bulk",
            )
            for _ in range(size)
        )
        with CaptureQueriesContext(connection) as queries:
            results = evaluate(org.trainee, version, today=TODAY)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert results[1].have == Decimal("255.00")  # 510 rows of half an hour
    assert len(results[1].records) == 510


def test_evaluate_many_agrees_with_evaluate_in_a_fixed_number_of_queries(org):
    version = all_kinds_version(org)
    people = [org.trainee, org.west_trainee, org.supervisor]
    ledger(org.trainee, 2)
    ledger(org.west_trainee, 3)
    make_signup(
        make_shift(org.east, starts_at=moment(days_ago(1))),
        org.west_trainee,
        checked_in_at=moment(days_ago(1)),
        checked_out_at=moment(days_ago(1)),
    )
    with CaptureQueriesContext(connection) as few:
        evaluate_many(people[:1], version, today=TODAY)
    with CaptureQueriesContext(connection) as many:
        table = evaluate_many(people, version, today=TODAY)
    assert len(few) == len(many)
    for person in people:
        assert table[person.pk] == evaluate(person, version, today=TODAY)


# --- next step ------------------------------------------------------------------


def test_next_step_is_none_when_met_and_names_the_first_unfinished_lesson(org):
    module = make_module(make_syllabus())
    first, second = make_lesson(module, title="第一课"), make_lesson(module, "第二课")
    LessonProgress.objects.create(
        person=org.trainee, lesson=first, completed_at=timezone.now()
    )
    version = version_with(org.city, K.LESSONS, 2, pages=[module])
    result = one(org.trainee, version, today=timezone.localdate())
    step = next_step(org.trainee, result)
    assert "第二课" in step.label and step.url == second.get_url()
    version = version_with(org.city, K.LESSONS, 1, pages=[module])
    met = one(org.trainee, version, today=timezone.localdate())
    assert next_step(org.trainee, met) is None


def test_next_step_for_shifts_is_the_next_open_shift_with_a_supervisor(org):
    soon = timezone.now() + datetime.timedelta(days=1)
    make_shift(org.east, starts_at=soon)  # nobody on duty
    full = make_shift(org.east, supervisor=org.coordinator, starts_at=soon, capacity=1)
    make_signup(full, org.west_trainee)
    make_shift(org.west, supervisor=org.coordinator, starts_at=soon)  # not theirs
    make_shift(
        org.east,
        supervisor=org.supervisor,
        starts_at=soon + datetime.timedelta(hours=5),
    )
    result = one(org.trainee, version_with(org.city, K.SHIFTS, 1))
    with CaptureQueriesContext(connection) as queries:
        step = next_step(org.trainee, result)
    assert str(org.supervisor) in step.label
    assert step.url == reverse("supervision:shift_list")
    assert len(queries) == 1


def test_next_step_for_supervision_names_the_supervisor(org):
    assign(org.trainee, org.supervisor)
    version = version_with(org.city, K.SUPERVISION, 1)
    step = next_step(org.trainee, one(org.trainee, version))
    assert str(org.supervisor) in step.label


def _resolves(name: str) -> bool:
    try:
        reverse(name, args=[1]) if name.endswith("_track") else reverse(name)
    except NoReverseMatch:
        return False
    return True


@pytest.mark.skipif(
    not _resolves("supervision:qualification_list"),
    reason="the qualification pages land with their own branch",
)
def test_next_step_for_a_qualification_links_the_upload_page(org):
    kind = make_qualification_kind("国家心理咨询师三级")
    version = version_with(org.city, K.QUALIFICATION, 1, qualification_kind=kind)
    step = next_step(org.trainee, one(org.trainee, version))
    assert step.url == reverse("supervision:qualification_list")
    assert "国家心理咨询师三级" in step.label


@pytest.mark.skipif(
    not _resolves("supervision:certification_track"),
    reason="the progress page lands with its own branch",
)
def test_next_step_for_ratings_names_a_supervisor_who_has_not_rated(org):
    assign(org.trainee, org.supervisor)
    rubric = make_rubric()
    version = version_with(org.city, K.RATINGS, 1, rubric=rubric, min_level=3)
    enrolment = enrol(org.trainee, version)
    step = next_step(org.trainee, one(org.trainee, version))
    assert str(org.supervisor) in step.label
    assert step.url == reverse("supervision:certification_track", args=[enrolment.pk])


# --- the command ----------------------------------------------------------------


def test_command_prints_each_enrolled_track(org, capsys):
    _track, version = make_track(
        org.city,
        "group-lead",
        name="团辅带领",
        requirements=[{"kind": K.HOURS, "need": 2, "title": "实践学时"}],
    )
    enrol(org.trainee, version)
    ledger(org.trainee, "0.5", on=timezone.localdate())
    call_command("certification_progress", "trainee")
    out = capsys.readouterr().out
    assert "团辅带领" in out and "实践学时" in out and "0.5 / 2" in out


def test_command_prints_json(org, capsys):
    _track, version = make_track(
        org.city, "lead", requirements=[{"kind": K.SHIFTS, "need": 1}]
    )
    enrol(org.trainee, version)
    call_command("certification_progress", "trainee", "--json", "--track", "lead")
    document = json.loads(capsys.readouterr().out)
    (track,) = document["tracks"]
    assert track["code"] == "lead" and track["version"] == 1
    (requirement,) = track["requirements"]
    assert requirement["have"] == "0" and requirement["need"] == "1"
    assert requirement["met"] is False and requirement["missing"]
    assert requirement["records"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "No user"),
        (["trainee"], "not enrolled"),
        (["trainee", "--track", "nope"], "No track"),
    ],
)
def test_command_refuses_unknown_user_track_or_no_enrolment(org, args, message):
    with override("en"), pytest.raises(CommandError, match=message):
        call_command("certification_progress", *args)
