"""Techniques and the three-client rule: what counts, the threshold, the
notices, and who may confirm a mastery."""

import pytest
from django.utils import timezone

from lms.core.models import AuditEvent, Notice, Role
from supervision.models import PracticeEntry, TechniqueMastery
from supervision.selectors.techniques import (
    masteries_awaiting_confirmation,
    supervised_clients,
    technique_progress,
)
from supervision.services.supervisions import supervision_session_record
from supervision.services.techniques import mastery_confirm, mastery_refresh
from tests.factories.core import UserFactory
from tests.factories.supervision import assign, make_case, make_entry, make_technique
from tests.factories.supervisions import make_session

S = PracticeEntry.Status
TECH = PracticeEntry.Kind.TECHNIQUE


@pytest.fixture
def chair(org):
    assign(org.trainee, org.supervisor)
    return make_technique("空椅子技术")


def _technique_entry(org, technique, case, *, status=S.APPROVED, supervised=True):
    fields = {"approved_by": org.supervisor} if status == S.APPROVED else {}
    entry = make_entry(
        org.trainee, kind=TECH, technique=technique, case=case, status=status, **fields
    )
    if supervised:
        make_session(org.supervisor, [org.trainee], entries=[entry])
    return entry


def _cases(org, n):
    return [make_case(org.trainee, consent=False) for _ in range(n)]


def test_three_distinct_supervised_clients_reach_mastery(org, chair):
    # given
    for case in _cases(org, 3):
        _technique_entry(org, chair, case)
    # when
    mastery = mastery_refresh(person=org.trainee, technique=chair)
    # then
    assert mastery is not None and mastery.confirmed_at is None


def test_two_clients_are_not_enough(org, chair):
    for case in _cases(org, 2):
        _technique_entry(org, chair, case)
    assert mastery_refresh(person=org.trainee, technique=chair) is None
    assert not TechniqueMastery.objects.exists()


def test_a_repeat_client_counts_once(org, chair):
    # given: three sessions with two clients
    first, second = _cases(org, 2)
    for case in (first, first, second):
        _technique_entry(org, chair, case)
    # when / then
    assert supervised_clients(person=org.trainee, technique=chair) == 2
    assert mastery_refresh(person=org.trainee, technique=chair) is None


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.RESUBMITTED])
def test_unapproved_entries_do_not_count(org, chair, status):
    first, second, third = _cases(org, 3)
    _technique_entry(org, chair, first)
    _technique_entry(org, chair, second)
    supervised = status in PracticeEntry.PENDING  # a session may cover those
    _technique_entry(org, chair, third, status=status, supervised=supervised)
    assert supervised_clients(person=org.trainee, technique=chair) == 2
    assert mastery_refresh(person=org.trainee, technique=chair) is None


def test_unsupervised_entries_do_not_count(org, chair):
    first, second, third = _cases(org, 3)
    _technique_entry(org, chair, first)
    _technique_entry(org, chair, second)
    _technique_entry(org, chair, third, supervised=False)
    assert mastery_refresh(person=org.trainee, technique=chair) is None


def test_another_technique_does_not_count(org, chair):
    other = make_technique("焦点解决")
    first, second, third = _cases(org, 3)
    _technique_entry(org, chair, first)
    _technique_entry(org, chair, second)
    _technique_entry(org, other, third)
    assert mastery_refresh(person=org.trainee, technique=chair) is None


def test_an_amended_original_counts_through_its_amendment(org, chair):
    # given: the original was with client one; its approved amendment says two
    one, two, three = _cases(org, 3)
    original = _technique_entry(org, chair, one)
    make_entry(
        org.trainee,
        kind=TECH,
        technique=chair,
        case=two,
        status=S.APPROVED,
        approved_by=org.supervisor,
        amends=original,
        amendment_reason="来访者记错了",
    )
    _technique_entry(org, chair, three)
    # when / then: clients two and three; one no longer counts
    assert supervised_clients(person=org.trainee, technique=chair) == 2


def test_recording_a_supervision_refreshes_the_count(org, chair):
    # given: three approved entries, none supervised yet
    entries = [
        _technique_entry(org, chair, case, supervised=False) for case in _cases(org, 3)
    ]
    # when
    supervision_session_record(
        actor=org.supervisor,
        kind="practice",
        format="individual",
        held_at=timezone.now(),
        minutes=60,
        topic="",
        participants=[org.trainee],
        entries=entries,
        summary="",
        growth_notes={},
    )
    # then: the supervisor is asked to confirm
    mastery = TechniqueMastery.objects.get(person=org.trainee, technique=chair)
    assert list(masteries_awaiting_confirmation(user=org.supervisor)) == [mastery]
    assert Notice.objects.filter(
        person=org.supervisor, url=f"/practice/techniques/people/{org.trainee.pk}/"
    ).exists()


def test_a_mastery_is_never_withdrawn_and_noticed_once(org, chair):
    for case in _cases(org, 3):
        _technique_entry(org, chair, case)
    first = mastery_refresh(person=org.trainee, technique=chair)
    again = mastery_refresh(person=org.trainee, technique=chair)
    assert first == again
    assert Notice.objects.filter(person=org.supervisor).count() == 1


@pytest.fixture
def mastery(org, chair):
    for case in _cases(org, 3):
        _technique_entry(org, chair, case)
    return mastery_refresh(person=org.trainee, technique=chair)


def test_the_practice_supervisor_confirms_once(org, mastery):
    # when
    first = mastery_confirm(actor=org.supervisor, mastery=mastery)
    again = mastery_confirm(actor=org.supervisor, mastery=mastery)
    # then
    assert first.confirmed_by == org.supervisor
    assert again.confirmed_at == first.confirmed_at
    assert AuditEvent.objects.filter(object_id=str(mastery.pk)).count() == 1
    assert Notice.objects.filter(person=org.trainee).count() == 1
    assert not masteries_awaiting_confirmation(user=org.supervisor).exists()


@pytest.mark.parametrize(
    "who", ["trainee", "coordinator", "leader", "sibling", "other_sv"]
)
def test_only_a_supervisor_of_the_trainee_confirms(org, mastery, who):
    from django.core.exceptions import PermissionDenied

    org.other_sv = UserFactory(home_unit=org.east, roles=[Role.SUPERVISOR])
    with pytest.raises(PermissionDenied):
        mastery_confirm(actor=getattr(org, who), mastery=mastery)
    mastery.refresh_from_db()
    assert mastery.confirmed_at is None


def test_a_growth_supervisor_does_not_confirm(org, mastery):
    from django.core.exceptions import PermissionDenied

    growth = UserFactory(home_unit=org.east, roles=[Role.SUPERVISOR])
    assign(org.trainee, growth, kind="growth")
    with pytest.raises(PermissionDenied):
        mastery_confirm(actor=growth, mastery=mastery)
    assert not masteries_awaiting_confirmation(user=growth).exists()


# -- pages ---------------------------------------------------------------------


def test_the_trainee_sees_n_of_three_and_the_mastered_badge(org, chair, login):
    # given
    make_technique("焦点解决")
    for case in _cases(org, 3):
        _technique_entry(org, chair, case)
    mastery_refresh(person=org.trainee, technique=chair)
    # when
    response = login(org.trainee).get("/practice/techniques/")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="technique"') == 2
    assert body.count('data-testid="mastered"') == 1
    assert 'data-testid="unconfirmed"' in body
    assert 'data-testid="confirm"' not in body
    rows = {r.technique.name: r.clients for r in technique_progress(person=org.trainee)}
    assert rows == {"空椅子技术": 3, "焦点解决": 0}


def test_the_supervisor_confirms_from_the_trainees_page(org, mastery, login):
    # given
    client = login(org.supervisor)
    page = f"/practice/techniques/people/{org.trainee.pk}/"
    assert b'data-testid="confirm"' in client.get(page).content
    # when
    response = client.post(f"/practice/techniques/mastery/{mastery.pk}/confirm/")
    # then
    assert response.status_code == 302 and response["Location"] == page
    body = login(org.trainee).get("/practice/techniques/").content
    assert b'data-testid="confirmed-by"' in body


def test_confirm_follows_a_safe_next_only(org, mastery, login):
    client = login(org.supervisor)
    url = f"/practice/techniques/mastery/{mastery.pk}/confirm/"
    response = client.post(url, {"next": "/practice/inbox/"})
    assert response["Location"] == "/practice/inbox/"
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == f"/practice/techniques/people/{org.trainee.pk}/"


def test_confirm_is_post_only(org, mastery, login):
    url = f"/practice/techniques/mastery/{mastery.pk}/confirm/"
    assert login(org.supervisor).get(url).status_code == 405
    mastery.refresh_from_db()
    assert mastery.confirmed_at is None


@pytest.mark.parametrize(
    "who, status",
    [("west_trainee", 404), ("sibling", 404), ("coordinator", 403), ("trainee", 403)],
)
def test_confirm_answers_others_by_what_they_may_see(org, mastery, login, who, status):
    url = f"/practice/techniques/mastery/{mastery.pk}/confirm/"
    assert login(getattr(org, who)).post(url).status_code == status
    mastery.refresh_from_db()
    assert mastery.confirmed_at is None


@pytest.mark.parametrize(
    "who, status",
    [
        ("supervisor", 200),
        ("coordinator", 200),
        ("leader", 200),
        ("sibling", 404),
        ("west_trainee", 404),
    ],
)
def test_a_trainees_technique_page_is_for_their_supervisors_and_managers(
    org, chair, login, who, status
):
    url = f"/practice/techniques/people/{org.trainee.pk}/"
    assert login(getattr(org, who)).get(url).status_code == status


def test_anonymous_people_are_sent_to_log_in(client, org):
    assert client.get("/practice/techniques/").status_code == 302


def test_the_technique_page_query_count_does_not_grow(org, chair, login):
    # given
    client = login(org.trainee)
    _technique_entry(org, chair, _cases(org, 1)[0])
    client.get("/practice/techniques/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/practice/techniques/")
    # when: more techniques, clients and a mastery
    for n in range(5):
        make_technique(f"技术{n}")
    for case in _cases(org, 4):
        _technique_entry(org, chair, case)
    mastery_refresh(person=org.trainee, technique=chair)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/practice/techniques/")
    # then
    assert response.status_code == 200
    assert len(many.captured_queries) <= len(few.captured_queries) + 1
