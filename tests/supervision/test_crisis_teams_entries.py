"""Crisis-intervention practice (危机干预): a member logs it against a
deployment whose call-out they accepted (the form offers only those, and
the services refuse any other); the lead of the deployment's standing team
or a supervisor responsible for the trainee signs it off."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from lms.core.models import HoursEntry, Role
from supervision.forms.entries import EntryForm
from supervision.models import CallOut, Deployment, PracticeEntry
from supervision.permissions import can_sign_off
from supervision.selectors.inbox import pending_signoffs_for
from supervision.selectors.people import entries_signable_by
from supervision.services import entries as services
from tests.factories.core import UserFactory
from tests.factories.crisis import call_out, make_deployment, make_team
from tests.factories.supervision import assign, make_entry

Kind = PracticeEntry.Kind
S = PracticeEntry.Status
NEW = reverse("supervision:entry_create")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def crisis(org):
    """A team led by a plain trainee (no supervisor role); its deployment,
    which the east trainee accepted; and deployments the trainee declined,
    someone else accepted, and one cancelled after the trainee accepted."""
    org.lead = UserFactory(
        username="lead", full_name="队长", home_unit=org.east, roles=[Role.TRAINEE]
    )
    org.team = make_team(org.east, lead=org.lead, members=[org.trainee])
    org.deployment = make_deployment(
        org.east, created_by=org.coordinator, team=org.team
    )
    call_out(org.deployment, org.trainee)
    call_out(org.deployment, org.lead)
    org.declined = make_deployment(org.east, created_by=org.coordinator, title="拒绝")
    call_out(org.declined, org.trainee, status=CallOut.Status.DECLINED)
    org.others = make_deployment(org.east, created_by=org.coordinator, title="他人")
    call_out(org.others, org.lead)
    org.cancelled = make_deployment(
        org.east,
        created_by=org.coordinator,
        title="取消",
        status=Deployment.Status.CANCELLED,
    )
    call_out(org.cancelled, org.trainee)
    return org


def _post(org, **changes):
    data = {
        "kind": Kind.CRISIS,
        "occurred_on": org.deployment.starts_on.isoformat(),
        "minutes": "180",
        "title": "静默小区入户心理疏导",
        "reflection": "稳定化技术，转介两人。",
        "deployment": org.deployment.pk,
    }
    data.update(changes)
    return data


def _crisis_entry(org, person=None, status=S.SUBMITTED):
    return make_entry(
        person or org.trainee,
        kind=Kind.CRISIS,
        status=status,
        deployment=org.deployment,
        occurred_on=org.deployment.starts_on,
    )


# --- logging ---------------------------------------------------------------------


def test_the_form_offers_only_deployments_the_person_accepted(crisis):
    form = EntryForm(person=crisis.trainee)
    assert list(form.fields["deployment"].queryset) == [crisis.deployment]


def test_a_member_logs_crisis_work_against_their_deployment(crisis, client):
    client.force_login(crisis.trainee)
    response = client.post(NEW, _post(crisis))
    assert response.status_code == 302
    entry = PracticeEntry.objects.get()
    assert entry.kind == Kind.CRISIS
    assert entry.deployment == crisis.deployment
    page = client.get(reverse("supervision:entry_detail", args=[entry.pk]))
    assert crisis.deployment.title in page.content.decode()


@pytest.mark.parametrize(
    "deployment, words",
    [
        ("declined", "Choose one of the crisis deployments"),
        ("others", "Choose one of the crisis deployments"),
        ("cancelled", "Choose one of the crisis deployments"),
        ("", "Choose the crisis deployment you worked on."),
        ("<script>alert(1)</script>", "Choose one of the crisis deployments"),
        ("9" * 100_000, "Choose one of the crisis deployments"),
    ],
)
def test_the_form_refuses_a_deployment_the_person_did_not_accept(
    crisis, client, deployment, words
):
    value = (
        getattr(crisis, deployment).pk if hasattr(crisis, deployment) else deployment
    )
    client.force_login(crisis.trainee)
    response = client.post(NEW, _post(crisis, deployment=value))
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["deployment"])
    assert not PracticeEntry.objects.exists()


def test_a_date_outside_the_deployment_is_refused(crisis, client):
    client.force_login(crisis.trainee)
    before = crisis.deployment.starts_on - datetime.timedelta(days=1)
    response = client.post(NEW, _post(crisis, occurred_on=before.isoformat()))
    assert response.status_code == 200
    assert "must fall within the deployment" in " ".join(
        response.context["form"].errors["deployment"]
    )
    assert not PracticeEntry.objects.exists()


def test_the_service_refuses_the_same_whatever_the_form_offers(crisis):
    for deployment in (crisis.declined, crisis.others, crisis.cancelled, None):
        with pytest.raises(ValidationError) as refused:
            services.practice_entry_create(
                actor=crisis.trainee,
                kind=Kind.CRISIS,
                occurred_on=crisis.deployment.starts_on,
                minutes=60,
                deployment=deployment,
            )
        assert "deployment" in refused.value.error_dict
    assert not PracticeEntry.objects.exists()


def test_another_kind_keeps_no_deployment(crisis):
    entry = services.practice_entry_create(
        actor=crisis.trainee,
        kind=Kind.HOTLINE,
        occurred_on=timezone.localdate(),
        minutes=60,
        deployment=crisis.deployment,
    )
    assert entry.deployment is None


def test_a_still_assembling_deployment_cannot_be_logged_yet(crisis):
    Deployment.objects.filter(pk=crisis.deployment.pk).update(
        status=Deployment.Status.ASSEMBLING
    )
    assert not EntryForm(person=crisis.trainee).fields["deployment"].queryset.exists()


# --- sign-off --------------------------------------------------------------------


def test_the_team_lead_signs_off_the_deployments_crisis_work(crisis, client):
    # given a submitted crisis entry; the lead holds no supervisor role
    entry = _crisis_entry(crisis)
    assert not crisis.lead.has_role(Role.SUPERVISOR)
    client.force_login(crisis.lead)
    # then the lead finds it on the team's page and opens it
    team_page = client.get(
        reverse("supervision:crisis_team_detail", args=[crisis.team.pk])
    )
    assert [e.pk for e in team_page.context["to_sign"]] == [entry.pk]
    detail = client.get(reverse("supervision:entry_detail", args=[entry.pk]))
    assert detail.status_code == 200
    assert detail.context["can_sign"]
    # when the lead approves it
    response = client.post(
        reverse("supervision:entry_approve", args=[entry.pk]), {"comment": "辛苦了"}
    )
    # then it is approved by the lead and its hours credited
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == S.APPROVED
    assert entry.approved_by == crisis.lead
    assert HoursEntry.objects.filter(person=crisis.trainee).exists()


def test_the_lead_returns_crisis_work_with_a_comment(crisis):
    entry = _crisis_entry(crisis)
    services.practice_entry_return(actor=crisis.lead, entry=entry, comment="补充时长")
    entry.refresh_from_db()
    assert entry.status == S.RETURNED


def test_the_lead_signs_off_nothing_else_and_never_their_own(crisis, client):
    hotline = make_entry(crisis.trainee, status=S.SUBMITTED)
    own = _crisis_entry(crisis, person=crisis.lead)
    other_lead = UserFactory(home_unit=crisis.east, roles=[Role.TRAINEE])
    entry = _crisis_entry(crisis)
    assert not can_sign_off(crisis.lead, hotline)
    assert not can_sign_off(crisis.lead, own)
    assert not can_sign_off(other_lead, entry)
    client.force_login(other_lead)
    approve = reverse("supervision:entry_approve", args=[entry.pk])
    assert client.post(approve, {"comment": ""}).status_code == 404
    client.force_login(crisis.lead)
    assert (
        client.get(reverse("supervision:entry_detail", args=[hotline.pk])).status_code
        == 404
    )
    entry.refresh_from_db()
    assert entry.status == S.SUBMITTED


def test_a_deployment_without_a_team_is_signed_off_by_supervisors(crisis):
    deployment = make_deployment(crisis.east, created_by=crisis.coordinator)
    call_out(deployment, crisis.trainee)
    entry = make_entry(
        crisis.trainee,
        kind=Kind.CRISIS,
        status=S.SUBMITTED,
        deployment=deployment,
        occurred_on=deployment.starts_on,
    )
    assert not can_sign_off(crisis.lead, entry)
    assert not can_sign_off(crisis.supervisor, entry)
    assign(crisis.trainee, crisis.supervisor)
    assert can_sign_off(crisis.supervisor, entry)


def test_a_supervisor_of_the_trainee_still_signs_off_and_sees_it_in_the_inbox(
    crisis, client
):
    entry = _crisis_entry(crisis)
    assign(crisis.trainee, crisis.supervisor)
    assert can_sign_off(crisis.supervisor, entry)
    assert entry in pending_signoffs_for(user=crisis.supervisor)
    client.force_login(crisis.supervisor)
    page = client.get(reverse("supervision:inbox_show"))
    assert page.status_code == 200
    assert entry in page.context["sections"]["signoffs"].rows


def test_a_lead_who_also_supervises_finds_the_team_work_in_their_inbox(crisis):
    crisis.team.lead = crisis.supervisor
    crisis.team.save(update_fields=["lead"])
    entry = _crisis_entry(crisis)
    assert entry in pending_signoffs_for(user=crisis.supervisor)
    assert set(entries_signable_by(user=crisis.supervisor)) == {entry}


def test_an_inactive_lead_signs_off_nothing(crisis):
    entry = _crisis_entry(crisis)
    crisis.lead.is_active = False
    crisis.lead.save(update_fields=["is_active"])
    assert not can_sign_off(crisis.lead, entry)
    assert not entries_signable_by(user=crisis.lead).exists()
