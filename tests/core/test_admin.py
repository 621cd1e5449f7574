"""Coordinators manage units and people in the Wagtail admin, only within
their subtree; input that is wrong is refused with a sentence and nothing
is written."""

import pytest
from django.urls import reverse

from lms.core.models import AuditAction, AuditEvent, OrgUnit, Role, User
from tests.factories.core import UserFactory


def person_data(org, **overrides):
    data = {
        "username": "new_person",
        "full_name": "新学员",
        "email": "new@example.com",
        "home_unit": org.east_room.pk,
        "staff_number": "",
        "phone": "",
        "is_active": "on",
        "roles": [Role.TRAINEE],
        "password": "",
    }
    data.update(overrides)
    return data


def test_units_index_lists_only_the_subtree(org, login):
    response = login(org.coordinator).get(reverse("org_units:index"))
    assert response.status_code == 200
    body = response.content.decode()
    # the parent of the top unit is named (as context) but never listed as a row
    assert "东区一室" in body and "西区" not in body
    assert reverse("org_units:edit", args=[org.city.pk]) not in body


def test_editing_a_sibling_unit_is_404(org, login):
    client = login(org.coordinator)
    assert client.get(reverse("org_units:edit", args=[org.west.pk])).status_code == 404
    assert client.get(reverse("org_units:edit", args=[org.east.pk])).status_code == 200


def unit_data(*, name, code, parent):
    return {
        "name": name,
        "code": code,
        "level": "grassroots",
        "address": "",
        "is_active": "on",
        "parent": parent.pk,
    }


def test_coordinator_adds_a_unit_below_their_own(org, login):
    response = login(org.coordinator).post(
        reverse("org_units:add"),
        unit_data(name="东区二室", code="East-Room-2", parent=org.east),
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="east-room-2")
    assert unit.get_parent() == org.east
    assert AuditEvent.objects.filter(
        action=AuditAction.UNIT_CREATE, object_id=str(unit.pk)
    ).exists()


def test_coordinator_cannot_add_a_unit_under_a_sibling(org, login):
    response = login(org.coordinator).post(
        reverse("org_units:add"), unit_data(name="渗透", code="evil", parent=org.west)
    )
    assert response.status_code == 200
    assert not OrgUnit.objects.filter(code="evil").exists()
    assert (
        "Select a valid choice" in response.content.decode()
        or "选择一个有效" in response.content.decode()
    )


def test_coordinator_creates_a_person_with_roles_and_an_invitation(
    org, login, mailoutbox, django_capture_on_commit_callbacks
):
    client = login(org.coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("wagtailusers_users:add"), person_data(org))
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(username="new_person")
    assert person.home_unit == org.east_room
    assert person.roles == {Role.TRAINEE}
    assert not person.has_usable_password()
    assert len(callbacks) == 1  # the invitation task is queued after commit
    assert AuditEvent.objects.filter(
        action=AuditAction.PERSON_CREATE, actor=org.coordinator
    ).exists()


def test_invitation_email_links_to_setting_a_password(org, mailoutbox):
    from lms.core.invitations import person_send_invitation

    person = User.objects.create(
        username="invitee", email="i@example.com", home_unit=org.east
    )
    person.set_unusable_password()
    person.save()
    assert person_send_invitation(person_id=person.pk)
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    person.set_password("now-has-one-123")
    person.save()
    assert not person_send_invitation(person_id=person.pk)
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "overrides, message_fragment",
    [
        ({"username": ""}, "username"),
        ({"full_name": ""}, "full_name"),
        ({"username": "x" * 500}, "username"),
        ({"username": "<script>alert(1)</script>"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "", "password": ""}, "email"),
        ({"roles": ["superuser"]}, "roles"),
        ({"home_unit": "999999"}, "home_unit"),
    ],
)
def test_bad_person_input_is_refused_and_nothing_is_written(
    org, login, overrides, message_fragment
):
    client = login(org.coordinator)
    before = User.objects.count()
    response = client.post(
        reverse("wagtailusers_users:add"), person_data(org, **overrides)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert message_fragment in form.errors
    assert all(str(message) for message in form.errors[message_fragment])
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action=AuditAction.PERSON_CREATE).exists()


def test_placing_a_person_in_a_sibling_unit_is_refused(org, login):
    response = login(org.coordinator).post(
        reverse("wagtailusers_users:add"), person_data(org, home_unit=org.west_room.pk)
    )
    assert "home_unit" in response.context["form"].errors
    assert not User.objects.filter(username="new_person").exists()


def test_duplicate_email_is_refused(org, login):
    response = login(org.coordinator).post(
        reverse("wagtailusers_users:add"),
        person_data(org, email=org.trainee.email.upper()),
    )
    assert "email" in response.context["form"].errors


def test_people_index_and_export_hold_only_the_subtree(org, login):
    client = login(org.coordinator)
    index = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert "trainee" in index and "west_trainee" not in index
    export = client.get(reverse("wagtailusers_users:index") + "?export=csv")
    assert export.status_code == 200
    content = (
        b"".join(export.streaming_content).decode()
        if export.streaming
        else export.content.decode()
    )
    assert "trainee" in content and "west_trainee" not in content


def test_editing_a_sibling_person_is_404(org, login):
    client = login(org.coordinator)
    assert (
        client.get(
            reverse("wagtailusers_users:edit", args=[org.west_trainee.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("wagtailusers_users:edit", args=[org.trainee.pk])
        ).status_code
        == 200
    )


def test_coordinator_changes_roles_through_the_admin(org, login):
    client = login(org.coordinator)
    data = person_data(
        org,
        username="trainee",
        full_name="改名",
        email=org.trainee.email,
        roles=[Role.TRAINEE, Role.SUPERVISOR],
    )
    data.pop("password")
    response = client.post(
        reverse("wagtailusers_users:edit", args=[org.trainee.pk]), data
    )
    assert response.status_code == 302
    org.trainee.refresh_from_db()
    assert org.trainee.full_name == "改名"
    assert set(User.objects.get(pk=org.trainee.pk).roles) == {
        Role.TRAINEE,
        Role.SUPERVISOR,
    }


def test_coordinator_cannot_delete_people(org, login):
    client = login(org.coordinator)
    response = client.post(reverse("wagtailusers_users:delete", args=[org.trainee.pk]))
    assert response.status_code in (302, 403)
    assert User.objects.filter(pk=org.trainee.pk).exists()


@pytest.mark.parametrize("user_attr", ["trainee", "supervisor", "leader"])
def test_other_roles_have_no_admin(org, login, user_attr):
    response = login(getattr(org, user_attr)).get(reverse("wagtailadmin_home"))
    assert response.status_code in (302, 403)


def test_csv_exports_write_formulas_as_text(org, login):
    # given a person whose name a spreadsheet would run as a formula
    UserFactory(
        username="evil",
        full_name='=HYPERLINK("http://example.com","点我")',
        home_unit=org.east_room,
    )
    export = login(org.coordinator).get(
        reverse("wagtailusers_users:index") + "?export=csv"
    )
    text = b"".join(export.streaming_content).decode()
    # then the export holds it as text, behind an apostrophe
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
