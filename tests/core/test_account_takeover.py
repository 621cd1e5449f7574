"""Issue 10, item 3: a coordinator cannot take over an account.

The attack: change a supervisor's e-mail address in the admin to one the
coordinator controls, request a password reset, set a password, log in as
the supervisor.  Now a coordinator sets the address when creating a person
and may correct it only while nobody has used the account; after that
only the person changes it, through allauth's verified change, and the old
address is told.  Nobody sets another person's password.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from lms.core.forms import PersonForm
from lms.core.models import AuditAction, AuditEvent, Role, User
from lms.core.services.people import mask_email, person_create, person_update
from tests.conftest import PASSWORD
from tests.factories.core import UserFactory

RESET_LINK = re.compile(r"/accounts/password/reset/key/[0-9a-z]+-[^/\s]+/")


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def person_data(person, **changes):
    return {
        "username": person.username,
        "full_name": person.full_name,
        "email": person.email,
        "home_unit": person.home_unit_id,
        "staff_number": person.staff_number,
        "phone": person.phone,
        "category": person.category,
        "is_active": "on",
        "roles": sorted(person.groups.values_list("name", flat=True)),
    } | changes


def edit(client, person, **changes):
    return client.post(
        reverse("wagtailusers_users:edit", args=[person.pk]),
        person_data(person, **changes),
    )


def invite(org, email="wrong@x.cn", **fields):
    return person_create(
        actor=org.coordinator,
        username=fields.pop("username", "invitee"),
        full_name=fields.pop("full_name", "受邀者"),
        email=email,
        home_unit=org.east_room,
        roles=fields.pop("roles", [Role.SUPERVISOR]),
    )


def reset_links_to(mailoutbox, address: str) -> list[str]:
    return [
        link
        for mail in mailoutbox
        if address in mail.to
        for link in RESET_LINK.findall(mail.body)
    ]


# --- the attack ----------------------------------------------------------------------


def test_the_admin_keeps_a_used_accounts_address_and_resets_go_nowhere_new(
    org, login, client, mailoutbox
):
    # given a supervisor who has used their account
    coordinator = login(org.coordinator)
    # when the coordinator posts the supervisor's record with their own address
    response = edit(coordinator, org.supervisor, email="me@evil.cn")
    # then the address is unchanged (the field is disabled) and nothing audited
    assert response.status_code == 302
    assert User.objects.get(pk=org.supervisor.pk).email == "supervisor@example.com"
    assert not AuditEvent.objects.filter(action=AuditAction.EMAIL_CHANGE).exists()
    # and a password reset asked for the coordinator's address sends no link
    client.logout()
    client.post(reverse("account_reset_password"), {"email": "me@evil.cn"})
    assert reset_links_to(mailoutbox, "me@evil.cn") == []


def test_the_admin_shows_a_used_accounts_address_locked(org, login):
    response = login(org.coordinator).get(
        reverse("wagtailusers_users:edit", args=[org.supervisor.pk])
    )
    assert response.context["form"].fields["email"].disabled
    assert "only its owner changes this address" in response.content.decode()


@pytest.mark.parametrize("used_by", ["password", "login"])
def test_the_service_refuses_to_change_a_used_accounts_address(org, used_by):
    # given an account that has a password, or has logged in
    person = User.objects.get(pk=org.supervisor.pk)
    if used_by == "login":
        person.set_unusable_password()
        person.last_login = timezone.now()
        person.save()
    # when the coordinator changes the address through the service
    person.email = "me@evil.cn"
    with pytest.raises(ValidationError) as refused:
        person_update(actor=org.coordinator, person=person)
    # then it is refused on the email field, in a sentence
    assert "only its owner can change" in refused.value.message_dict["email"][0]
    assert User.objects.get(pk=org.supervisor.pk).email == "supervisor@example.com"


def test_nobody_changes_their_own_address_in_the_admin(org, login):
    person = User.objects.get(pk=org.coordinator.pk)
    person.email = "new@x.cn"
    with pytest.raises(ValidationError) as refused:
        person_update(actor=org.coordinator, person=person)
    assert "under My account" in refused.value.message_dict["email"][0]
    edit(login(org.coordinator), org.coordinator, email="new@x.cn")
    assert User.objects.get(pk=org.coordinator.pk).email == "coordinator@example.com"


def test_wagtails_account_page_offers_no_address_to_change(org, login):
    response = login(org.coordinator).get(reverse("wagtailadmin_account"))
    assert 'name="name_email-email"' not in response.content.decode()


# --- a never-used account ------------------------------------------------------------


def test_a_never_used_accounts_address_is_corrected_and_kept_consistent(
    org, login, client, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    # given an account created with a mistyped address, its invitation sent
    with django_capture_on_commit_callbacks(execute=True):
        person = invite(org, email="wrong@x.cn")
    (old_link,) = reset_links_to(mailoutbox, "wrong@x.cn")
    mailoutbox.clear()
    # when the coordinator corrects it in the admin
    with django_capture_on_commit_callbacks(execute=True):
        response = edit(login(org.coordinator), person, email="right@x.cn")
    # then the account and allauth's address agree
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "right@x.cn"
    assert list(
        EmailAddress.objects.filter(user=person).values_list(
            "email", "primary", "verified"
        )
    ) == [("right@x.cn", True, True)]
    # and the row names the field with both addresses masked
    row = AuditEvent.objects.get(action=AuditAction.EMAIL_CHANGE)
    assert row.detail == "email: w***@x.cn → r***@x.cn"
    # and the invitation goes to the new address, the old one is told
    assert len(reset_links_to(mailoutbox, "right@x.cn")) == 1
    told = [mail for mail in mailoutbox if mail.to == ["wrong@x.cn"]]
    assert len(told) == 1 and row.detail in told[0].body
    assert reset_links_to(mailoutbox, "wrong@x.cn") == []
    # and the link sent to the old address no longer works
    client.logout()
    page = client.get(old_link, follow=True)
    assert page.context["token_fail"]


def test_the_correction_is_refused_once_the_invitation_was_used(
    org, login, client, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    # given an invited person who set their password from the invitation
    with django_capture_on_commit_callbacks(execute=True):
        person = invite(org, email="real@x.cn")
    (link,) = reset_links_to(mailoutbox, "real@x.cn")
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "a-new-secret-42", "password2": "a-new-secret-42"},
    )
    person.refresh_from_db()
    assert person.has_usable_password()
    # when the coordinator tries to point the account elsewhere
    response = edit(login(org.coordinator), person, email="me@evil.cn")
    # then the address stays
    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).email == "real@x.cn"


# --- passwords -----------------------------------------------------------------------


def test_the_person_form_has_no_password_field(org):
    assert not any(
        "password" in name for name in PersonForm(for_user=org.coordinator).fields
    )
    edit_form = PersonForm(instance=org.trainee, for_user=org.coordinator)
    assert not any("password" in name for name in edit_form.fields)


def test_a_posted_password_is_ignored(org, login):
    response = login(org.coordinator).post(
        reverse("wagtailusers_users:add"),
        {
            "username": "posted",
            "full_name": "有密码",
            "email": "posted@x.cn",
            "home_unit": org.east_room.pk,
            "is_active": "on",
            "roles": [Role.TRAINEE],
            "password": "chosen-by-coordinator-1",
        },
    )
    assert response.status_code == 302
    assert not User.objects.get(username="posted").has_usable_password()


def test_the_service_refuses_a_coordinator_setting_a_password(org):
    with pytest.raises(PermissionDenied):
        person_create(
            actor=org.coordinator,
            username="pw",
            full_name="密码",
            email="pw@x.cn",
            home_unit=org.east_room,
            roles=[Role.TRAINEE],
            password="chosen-by-coordinator-1",
        )
    assert not User.objects.filter(username="pw").exists()
    person = User.objects.get(pk=org.supervisor.pk)
    person.set_password("chosen-by-coordinator-1")
    with pytest.raises(PermissionDenied):
        person_update(actor=org.coordinator, person=person)
    assert User.objects.get(pk=org.supervisor.pk).check_password(PASSWORD)


def test_an_account_needs_an_address_for_its_invitation(org):
    with pytest.raises(ValidationError) as refused:
        invite(org, email="")
    assert "email" in refused.value.message_dict


def test_an_address_someone_holds_is_refused(org):
    EmailAddress.objects.create(
        user=org.trainee, email="second@x.cn", verified=True, primary=False
    )
    with pytest.raises(ValidationError):
        invite(org, email="Second@x.cn")


# --- the person's own change ---------------------------------------------------------


def test_the_person_changes_their_address_and_the_old_one_is_told(
    org, client, mailoutbox
):
    # given a person created by a coordinator, who has set a password
    person = invite(org, email="old@x.cn")
    person.set_password(PASSWORD)
    person.save()
    client.force_login(person)
    # when they ask to change to a new address
    client.post(reverse("account_email"), {"email": "new@x.cn", "action_add": ""})
    # then nothing changes until the new address confirms it
    assert User.objects.get(pk=person.pk).email == "old@x.cn"
    (confirm,) = [
        match
        for mail in mailoutbox
        if mail.to == ["new@x.cn"]
        for match in re.findall(r"/accounts/confirm-email/[^/\s]+/", mail.body)
    ]
    client.post(confirm)
    # and then the address is the new one, and the old address is told
    assert User.objects.get(pk=person.pk).email == "new@x.cn"
    told = [mail for mail in mailoutbox if mail.to == ["old@x.cn"]]
    assert told and "new@x.cn" in told[-1].body
    assert list(
        EmailAddress.objects.filter(user=person).values_list("email", "verified")
    ) == [("new@x.cn", True)]
    # and the change is in the audit log, masked
    assert AuditEvent.objects.filter(
        action=AuditAction.EMAIL_CHANGE,
        actor=person,
        detail="email: o***@x.cn → n***@x.cn",
    ).exists()


# --- masking and the migration ------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("zhang@example.com", "z***@example.com"),
        ("a@evil.cn", "a***@evil.cn"),
        ("", "—"),
        ("no-at-sign", "n***"),
    ],
)
def test_addresses_are_masked_in_audit_rows(address, masked):
    assert mask_email(address) == masked


def test_the_migration_gives_each_account_its_verified_address(org):
    from importlib import import_module

    migration = import_module("lms.core.migrations.0005_security_audit_actions")
    # given one person without an allauth address, one with it unverified,
    # and one whose address someone else holds verified
    EmailAddress.objects.create(user=org.leader, email="leader@example.com")
    EmailAddress.objects.create(
        user=org.sibling, email="trainee@example.com", verified=True
    )
    # when the data step runs
    migration.addresses_match_accounts(apps, None)

    # then
    def rows(user):
        return list(
            EmailAddress.objects.filter(user=user).values_list(
                "email", "primary", "verified"
            )
        )

    assert rows(org.supervisor) == [("supervisor@example.com", True, True)]
    assert rows(org.leader) == [("leader@example.com", True, True)]
    assert rows(org.trainee) == []


def test_a_never_used_account_made_without_a_form_is_corrected_by_the_service(org):
    person = UserFactory(username="fresh", home_unit=org.east_room, email="a@x.cn")
    person.set_unusable_password()
    person.save()
    person.email = "b@x.cn"
    person_update(actor=org.coordinator, person=person)
    assert User.objects.get(pk=person.pk).email == "b@x.cn"
