"""Issue 16, item 9: signing up for a shift that starts within the unit's
cancel cut-off asks first, and signs up only once the person confirms."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from supervision.models import ShiftSignup
from tests.factories.shifts import make_trainee, set_policy
from tests.factories.supervision import make_shift, make_signup

HOUR = datetime.timedelta(hours=1)
S = ShiftSignup.Status


@pytest.fixture
def login_en(client):
    def _login(user):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(user)
        return client

    return _login


def signup_url(shift):
    return reverse("supervision:shift_signup", args=[shift.pk])


def test_inside_the_cut_off_the_first_post_asks_and_writes_nothing(org, login_en):
    soon = make_shift(org.east, starts_at=timezone.now() + 5 * HOUR)
    client = login_en(org.trainee)
    page = client.post(signup_url(soon))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="confirm-signup"' in body
    assert "starts within 24 hours" in body and "no longer cancel" in body
    assert 'name="confirm" value="1"' in body
    assert not ShiftSignup.objects.exists()


def test_the_confirmed_post_signs_up(org, login_en):
    soon = make_shift(org.east, starts_at=timezone.now() + 5 * HOUR)
    client = login_en(org.trainee)
    page = client.post(signup_url(soon), {"confirm": "1"}, follow=True)
    assert 'data-testid="signed-up"' in page.content.decode()
    assert ShiftSignup.objects.get().status == S.SIGNED_UP


def test_the_cut_off_is_the_units_rule(org, login_en):
    set_policy(org.east, cancel_cutoff_hours=2)
    in_five_hours = make_shift(org.east, starts_at=timezone.now() + 5 * HOUR)
    login_en(org.trainee).post(signup_url(in_five_hours))
    assert ShiftSignup.objects.get().status == S.SIGNED_UP
    in_one_hour = make_shift(org.east, starts_at=timezone.now() + HOUR)
    body = login_en(org.trainee).post(signup_url(in_one_hour)).content.decode()
    assert "starts within 2 hours" in body
    assert ShiftSignup.objects.count() == 1


def test_outside_the_cut_off_it_signs_up_at_once(org, login_en):
    later = make_shift(org.east, starts_at=timezone.now() + 72 * HOUR)
    page = login_en(org.trainee).post(signup_url(later))
    assert page.status_code == 302
    assert ShiftSignup.objects.get().status == S.SIGNED_UP


def test_a_full_shift_inside_the_cut_off_warns_about_the_waiting_list(org, login_en):
    soon = make_shift(org.east, starts_at=timezone.now() + 5 * HOUR, capacity=1)
    make_signup(soon, make_trainee(org.east_room, "first"))
    body = login_en(org.trainee).post(signup_url(soon)).content.decode()
    assert "if a place comes free" in body
    assert not ShiftSignup.objects.filter(person=org.trainee).exists()
    login_en(org.trainee).post(signup_url(soon), {"confirm": "1"})
    assert ShiftSignup.objects.get(person=org.trainee).status == S.WAITLISTED


@pytest.mark.parametrize(
    "confirm", ["", "0", "yes", "<script>1</script>", "1" * 100_000]
)
def test_any_other_confirm_value_only_asks_again(org, login_en, confirm):
    soon = make_shift(org.east, starts_at=timezone.now() + 5 * HOUR)
    page = login_en(org.trainee).post(signup_url(soon), {"confirm": confirm})
    assert 'data-testid="confirm-signup"' in page.content.decode()
    assert "<script>1" not in page.content.decode()
    assert not ShiftSignup.objects.exists()


def test_outsiders_get_404_and_ineligible_people_the_refusal(org, login_en):
    soon = make_shift(org.east, starts_at=timezone.now() + 5 * HOUR)
    assert login_en(org.sibling).post(signup_url(soon)).status_code == 404
    page = login_en(org.supervisor).post(signup_url(soon), follow=True)
    assert "not for your unit" in page.content.decode()
    assert not ShiftSignup.objects.exists()


def test_the_list_says_before_the_click_that_it_cannot_be_undone(org, login_en):
    make_shift(org.east, starts_at=timezone.now() + 5 * HOUR)
    body = login_en(org.trainee).get(reverse("supervision:shift_list")).content
    assert b'data-testid="inside-cutoff"' in body
