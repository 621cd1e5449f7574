"""Case services against the real database: open, notes, risk, close,
referral, and who may do each."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lms.core.models import AuditAction, AuditEvent
from supervision.models import Case, CaseNote, Referral
from supervision.selectors.cases import case_risk_history, cases_visible_to
from supervision.services import cases as services
from tests.factories.cases import days_ago
from tests.factories.core import UserFactory
from tests.factories.supervision import assign, make_case

TODAY = timezone.localdate


def test_a_trainee_opens_a_case_for_a_client_known_by_a_code(org):
    # when
    case = services.case_open(
        actor=org.trainee, presenting_issue="工作压力大", risk_level="medium"
    )
    # then
    assert re.fullmatch(r"C-[2-9A-HJ-NP-Z]{8}", case.client_code)
    assert case.practitioner == org.trainee
    assert case.unit == org.east_room
    assert case.opened_on == TODAY()
    assert AuditEvent.objects.filter(
        action=AuditAction.CASE_CHANGE, object_id=str(case.pk)
    ).exists()


def test_a_supervisor_may_open_a_case_of_their_own(org):
    case = services.case_open(actor=org.supervisor, presenting_issue="家庭矛盾")
    assert case.unit == org.east


@pytest.mark.parametrize("who", ["coordinator", "leader", "city_leader", "sibling"])
def test_coordinators_and_leaders_do_not_open_cases(org, who):
    with pytest.raises(PermissionDenied):
        services.case_open(actor=getattr(org, who), presenting_issue="压力")
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("issue", "opened_on"),
    [
        ("", None),
        ("   ", None),
        ("字" * 201, None),
        ("压力", TODAY() + datetime.timedelta(days=1)),
    ],
)
def test_a_case_with_a_bad_issue_or_date_is_refused(org, issue, opened_on):
    with pytest.raises(ValidationError) as refused:
        services.case_open(
            actor=org.trainee, presenting_issue=issue, opened_on=opened_on
        )
    assert refused.value.messages
    assert not Case.objects.exists()


def test_the_practitioner_and_their_supervisor_add_notes(org):
    # given a case of the trainee, who is supervised by the supervisor
    case = make_case(org.trainee)
    assign(org.trainee, org.supervisor)
    # when both add a note
    services.case_note_add(
        actor=org.trainee, case=case, session_on=days_ago(2), body="第一次会谈"
    )
    services.case_note_add(
        actor=org.supervisor, case=case, session_on=days_ago(1), body="督导意见"
    )
    # then
    assert CaseNote.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    "who", ["coordinator", "leader", "city_leader", "sibling", "west_trainee"]
)
def test_nobody_else_adds_or_reads_notes(org, who):
    case = make_case(org.trainee)
    actor = getattr(org, who)
    with pytest.raises(PermissionDenied):
        services.case_note_add(actor=actor, case=case, session_on=days_ago(1), body="x")
    with pytest.raises(PermissionDenied):
        services.case_notes_read(actor=actor, case=case)
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_NOTES_READ).exists()


def test_a_supervisor_not_assigned_to_the_practitioner_is_refused(org):
    case = make_case(org.trainee)
    other = UserFactory(username="other_sup", home_unit=org.east, roles=["supervisor"])
    assign(org.west_trainee, other)
    with pytest.raises(PermissionDenied):
        services.case_notes_read(actor=other, case=case)
    with pytest.raises(PermissionDenied):
        services.case_notes_read(actor=org.supervisor, case=case)
    assert list(cases_visible_to(user=org.supervisor)) == []


def test_a_superuser_by_office_cannot_read_notes(org):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    case = make_case(org.trainee)
    with pytest.raises(PermissionDenied):
        services.case_notes_read(actor=admin, case=case)
    assert list(cases_visible_to(user=admin)) == []


def test_every_read_of_the_notes_is_audited(org):
    case = make_case(org.trainee)
    CaseNote.objects.create(
        case=case, author=org.trainee, session_on=days_ago(1), body="内容"
    )
    for _ in range(3):
        notes = services.case_notes_read(actor=org.trainee, case=case)
    assert [note.body for note in notes] == ["内容"]
    rows = AuditEvent.objects.filter(
        action=AuditAction.CASE_NOTES_READ, object_id=str(case.pk)
    )
    assert rows.count() == 3
    assert {row.actor for row in rows} == {org.trainee}


@pytest.mark.parametrize(
    ("session_on", "body"),
    [
        (TODAY() + datetime.timedelta(days=1), "明天"),
        (days_ago(30), "开案之前"),
        (days_ago(1), ""),
        (days_ago(1), "字" * 10001),
    ],
)
def test_a_note_with_a_bad_date_or_text_is_refused(org, session_on, body):
    case = make_case(org.trainee)  # opened ten days ago
    with pytest.raises(ValidationError):
        services.case_note_add(
            actor=org.trainee, case=case, session_on=session_on, body=body
        )
    assert not CaseNote.objects.exists()


def test_the_risk_level_changes_and_its_history_is_kept(org):
    # given a case opened through the service
    case = services.case_open(actor=org.trainee, presenting_issue="情绪低落")
    # when the risk goes up, then down
    services.case_risk_change(actor=org.trainee, case=case, risk_level="high")
    services.case_risk_change(actor=org.trainee, case=case, risk_level="medium")
    # then the case has the last level and the history all three steps
    case.refresh_from_db()
    assert case.risk_level == "medium"
    history = case_risk_history(case=case)
    assert len(history) == 3
    assert all(row["actor"] == "trainee" for row in history)


def test_changing_to_the_same_risk_level_is_refused(org):
    case = make_case(org.trainee)
    with pytest.raises(ValidationError):
        services.case_risk_change(actor=org.trainee, case=case, risk_level="low")
    with pytest.raises(ValidationError):
        services.case_risk_change(actor=org.trainee, case=case, risk_level="extreme")


def test_a_closed_case_takes_no_more_notes_referrals_or_risk_changes(org):
    case = make_case(org.trainee)
    services.case_close(actor=org.trainee, case=case, closed_on=TODAY())
    case.refresh_from_db()
    assert case.closed_on == TODAY()
    with pytest.raises(ValidationError):
        services.case_note_add(
            actor=org.trainee, case=case, session_on=TODAY(), body="x"
        )
    with pytest.raises(ValidationError):
        services.referral_add(
            actor=org.trainee,
            case=case,
            referred_on=TODAY(),
            referred_to="市精神卫生中心",
            reason="x",
        )
    with pytest.raises(ValidationError):
        services.case_risk_change(actor=org.trainee, case=case, risk_level="high")
    with pytest.raises(ValidationError):
        services.case_close(actor=org.trainee, case=case, closed_on=TODAY())


def test_a_case_cannot_close_before_it_opened_or_in_the_future(org):
    case = make_case(org.trainee)
    for day in (days_ago(11), TODAY() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError):
            services.case_close(actor=org.trainee, case=case, closed_on=day)
    case.refresh_from_db()
    assert case.closed_on is None


def test_a_referral_to_medical_care_is_recorded(org):
    case = make_case(org.trainee)
    referral = services.referral_add(
        actor=org.trainee,
        case=case,
        referred_on=days_ago(1),
        referred_to="市精神卫生中心 心理科",
        reason="持续失眠，需药物评估",
    )
    assert referral.case == case
    assert referral.created_by == org.trainee


@pytest.mark.parametrize(
    ("referred_to", "reason", "referred_on"),
    [
        ("", "理由", None),
        ("医院", "", None),
        ("医院", "电话13812345678", None),
        ("医院", "理由", TODAY() + datetime.timedelta(days=1)),
        ("医" * 201, "理由", None),
    ],
)
def test_a_bad_referral_is_refused(org, referred_to, reason, referred_on):
    case = make_case(org.trainee)
    with pytest.raises(ValidationError):
        services.referral_add(
            actor=org.trainee,
            case=case,
            referred_on=referred_on or days_ago(1),
            referred_to=referred_to,
            reason=reason,
        )
    assert not Referral.objects.exists()


def test_a_coordinator_cannot_add_a_referral(org):
    case = make_case(org.trainee)
    with pytest.raises(PermissionDenied):
        services.referral_add(
            actor=org.coordinator,
            case=case,
            referred_on=days_ago(1),
            referred_to="医院",
            reason="理由",
        )


def test_the_case_list_holds_own_cases_and_supervisees_cases(org):
    # given cases of the trainee, the supervisor and a west trainee
    mine = make_case(org.trainee, consent=False)
    own = make_case(org.supervisor, consent=False)
    make_case(org.west_trainee, consent=False)
    assign(org.trainee, org.supervisor)
    # then
    assert set(cases_visible_to(user=org.supervisor)) == {mine, own}
    assert set(cases_visible_to(user=org.trainee)) == {mine}
    assert list(cases_visible_to(user=org.coordinator)) == []


def test_an_ended_assignment_ends_the_supervisors_access(org):
    case = make_case(org.trainee, consent=False)
    assignment = assign(org.trainee, org.supervisor)
    assignment.ends_on = TODAY()
    assignment.save()
    assert list(cases_visible_to(user=org.supervisor)) == []
    with pytest.raises(PermissionDenied):
        services.case_notes_read(actor=org.supervisor, case=case)
