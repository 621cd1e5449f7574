"""Duty-shift pages: who gets what, the shifts page and its actions, the
scan-and-tap check-in, the screen, the roster with excusing, the
compliance list and its exports, and the admin viewsets.  Pages use the
real clock, so shifts are made around the present moment."""

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lms.core.models import AuditAction, AuditEvent, Notice
from supervision.models import DutyShift, QuotaExemption, ShiftSignup, ShiftSwap
from tests.factories.shifts import code_for, make_trainee, token_for
from tests.factories.supervision import make_shift, make_signup

S = ShiftSignup.Status
MIN = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)
LOGIN, ADMIN_DENIED = "login", "admin-denied"
WHO = ["anon", "trainee", "supervisor", "coordinator", "leader", "sibling"]


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
def live(org):
    """An east shift that started five minutes ago, the trainee on it."""
    shift = make_shift(
        org.east, starts_at=timezone.now() - 5 * MIN, supervisor=org.supervisor
    )
    make_signup(shift, org.trainee)
    return shift


@pytest.fixture
def coming(org):
    """An east shift in three days with one place."""
    return make_shift(
        org.east,
        starts_at=timezone.now() + 3 * DAY,
        capacity=1,
        supervisor=org.supervisor,
    )


def text(response) -> str:
    return response.content.decode()


# --- who gets what ------------------------------------------------------------------------


def urls(shift):
    return {
        "list": reverse("supervision:shift_list"),
        "signup": reverse("supervision:shift_signup", args=[shift.pk]),
        "swap": reverse("supervision:shift_swap_offer", args=[shift.pk]),
        "check_in": reverse("supervision:shift_check_in", args=[shift.pk]),
        "check_out": reverse("supervision:shift_check_out", args=[shift.pk]),
        "screen": reverse("supervision:shift_screen", args=[shift.pk]),
        "screen_token": reverse("supervision:shift_screen_token", args=[shift.pk]),
        "roster": reverse("supervision:shift_roster", args=[shift.pk]),
        "call_off": reverse("supervision:shift_call_off", args=[shift.pk]),
        "compliance": reverse("supervision:shift_compliance"),
        "compliance_east": reverse("supervision:shift_compliance")
        + f"?unit={shift.unit_id}",
        "admin_index": reverse("shift_admin:index"),
        "admin_add": reverse("shift_admin:add"),
        "admin_edit": reverse("shift_admin:edit", args=[shift.pk]),
        "admin_delete": reverse("shift_admin:delete", args=[shift.pk]),
        "admin_history": reverse("shift_admin:history", args=[shift.pk]),
        "exemptions": reverse("exemption_admin:index"),
    }


EXPECTED = {
    "list": [LOGIN, 200, 200, 200, 200, 200],
    "signup": [LOGIN, 405, 405, 405, 405, 405],
    "swap": [LOGIN, 200, 403, 403, 403, 404],
    "check_in": [LOGIN, 200, 200, 200, 200, 404],
    "check_out": [LOGIN, 405, 405, 405, 405, 405],
    "screen": [LOGIN, 403, 200, 200, 403, 404],
    "screen_token": [LOGIN, 403, 200, 200, 403, 404],
    "roster": [LOGIN, 403, 200, 200, 403, 404],
    "call_off": [LOGIN, 405, 405, 405, 405, 405],
    "compliance": [LOGIN, 403, 403, 200, 200, 200],
    "compliance_east": [LOGIN, 403, 403, 200, 200, 404],
    "admin_index": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 200],
    "admin_add": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 200],
    "admin_edit": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 404],
    "admin_delete": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 404],
    "admin_history": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 404],
    "exemptions": [LOGIN, ADMIN_DENIED, ADMIN_DENIED, 200, ADMIN_DENIED, 200],
}


def outcome(response, who):
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
    url = urls(live)[page]
    got = []
    for who in WHO:
        client.logout()
        if who != "anon":
            client.force_login(getattr(org, who))
        got.append(outcome(client.get(url), who))
    assert got == EXPECTED[page]


def test_posts_by_outsiders_are_404_and_write_nothing(org, login_en, coming):
    client = login_en(org.sibling)
    for name in ("signup", "call_off", "roster"):
        assert client.post(urls(coming)[name], {"reason": "x"}).status_code == 404
    assert not ShiftSignup.objects.exists()
    assert DutyShift.objects.get().cancelled_at is None


# --- the shifts page and its actions ----------------------------------------------------------


def test_a_trainee_sees_the_centres_shifts_with_places_left_not_the_siblings(
    org, login_en, coming
):
    # (the page shows one week: ask for the week of the shifts)
    make_shift(org.west, starts_at=coming.starts_at, title="西区值班")
    make_shift(org.city, starts_at=coming.starts_at, title="市中心值班")
    week = timezone.localdate(coming.starts_at).isoformat()
    body = text(
        login_en(org.trainee).get(reverse("supervision:shift_list") + f"?week={week}")
    )
    assert "西区值班" not in body and "市中心值班" in body
    assert 'data-testid="places-left"' in body and "1 place left" in body
    assert 'data-testid="quota-light"' in body


def test_signing_up_from_the_page_and_joining_the_waiting_list(org, login_en, coming):
    client = login_en(org.trainee)
    page = client.post(urls(coming)["signup"], follow=True)
    assert 'data-testid="signed-up"' in text(page)
    other = make_trainee(org.east_room, "other")
    page = login_en(other).post(urls(coming)["signup"], follow=True)
    assert 'data-testid="waitlisted"' in text(page)
    assert "waiting list" in text(page)


def test_cancelling_from_the_page_promotes_the_next(org, login_en, coming):
    make_signup(coming, org.trainee)
    other = make_trainee(org.east_room, "other")
    make_signup(coming, other, status=S.WAITLISTED)
    page = login_en(org.trainee).post(
        reverse("supervision:shift_cancel", args=[coming.pk]), follow=True
    )
    assert "Your place was cancelled" in text(page)
    assert ShiftSignup.objects.get(person=other).status == S.SIGNED_UP
    assert Notice.objects.filter(person=other).exists()


def test_after_the_cut_off_the_page_says_to_swap_or_ask_and_a_post_is_refused(
    org, login_en
):
    soon = make_shift(org.east, starts_at=timezone.now() + datetime.timedelta(hours=5))
    make_signup(soon, org.trainee)
    client = login_en(org.trainee)
    week = timezone.localdate(soon.starts_at).isoformat()
    body = text(client.get(reverse("supervision:shift_list") + f"?week={week}"))
    assert 'data-testid="too-late"' in body and 'data-testid="cancel"' not in body
    page = client.post(reverse("supervision:shift_cancel", args=[soon.pk]), follow=True)
    assert "too late to cancel" in text(page)
    assert ShiftSignup.objects.get().status == S.SIGNED_UP


def test_a_swap_is_offered_seen_and_accepted_through_the_pages(org, login_en, coming):
    make_signup(coming, org.trainee)
    taker = make_trainee(org.east_room, "taker")
    client = login_en(org.trainee)
    form = client.get(urls(coming)["swap"])
    assert f'value="{taker.pk}"' in text(form)
    assert f'value="{org.west_trainee.pk}"' not in text(form)
    client.post(urls(coming)["swap"], {"to_person": taker.pk})
    swap = ShiftSwap.objects.get()
    page = login_en(taker).get(reverse("supervision:shift_list"))
    assert 'data-testid="swap-offer"' in text(page)
    login_en(taker).post(reverse("supervision:shift_swap_accept", args=[swap.pk]))
    assert ShiftSignup.objects.get(person=taker).status == S.SIGNED_UP
    assert ShiftSignup.objects.get(person=org.trainee).status == S.SWAPPED_OUT


@pytest.mark.parametrize(
    "value", ["", "abc", "999999999", "<script>alert(1)</script>", "1" * 5000]
)
def test_the_swap_form_refuses_wrong_input_with_a_sentence(
    org, login_en, coming, value
):
    make_signup(coming, org.trainee)
    response = login_en(org.trainee).post(urls(coming)["swap"], {"to_person": value})
    assert response.status_code == 400
    assert 'data-testid="swap-errors"' in text(response)
    assert "<script>alert" not in text(response)
    assert not ShiftSwap.objects.exists()


def test_the_swap_form_refuses_the_sibling_trainee(org, login_en, coming):
    make_signup(coming, org.trainee)
    response = login_en(org.trainee).post(
        urls(coming)["swap"], {"to_person": org.west_trainee.pk}
    )
    assert response.status_code == 400 and "Choose someone from the list" in text(
        response
    )


def test_someone_elses_swap_is_404(org, login_en, coming):
    make_signup(coming, org.trainee)
    taker = make_trainee(org.east_room, "taker")
    swap = ShiftSwap.objects.create(signup=ShiftSignup.objects.get(), to_person=taker)
    stranger = make_trainee(org.east_room, "stranger")
    client = login_en(stranger)
    for verb in ("accept", "decline", "withdraw"):
        url = reverse(f"supervision:shift_swap_{verb}", args=[swap.pk])
        assert client.post(url).status_code == 404
    # the taker cannot withdraw, the offerer cannot accept
    assert (
        login_en(taker)
        .post(reverse("supervision:shift_swap_withdraw", args=[swap.pk]))
        .status_code
        == 404
    )
    swap.refresh_from_db()
    assert swap.status == ShiftSwap.Status.OFFERED


def test_declining_and_withdrawing_through_the_pages(org, login_en, coming):
    make_signup(coming, org.trainee)
    taker = make_trainee(org.east_room, "taker")
    row = ShiftSignup.objects.get()
    first = ShiftSwap.objects.create(signup=row, to_person=taker)
    login_en(taker).post(reverse("supervision:shift_swap_decline", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == ShiftSwap.Status.DECLINED
    second = ShiftSwap.objects.create(signup=row, to_person=taker)
    login_en(org.trainee).post(
        reverse("supervision:shift_swap_withdraw", args=[second.pk])
    )
    second.refresh_from_db()
    assert second.status == ShiftSwap.Status.WITHDRAWN


# --- check-in by scan and by code ---------------------------------------------------------------


def scan(client, shift, token=None):
    token = token_for(shift) if token is None else token
    return client.get(urls(shift)["check_in"], {"t": token})


def test_scanning_shows_a_big_button_and_tapping_it_checks_in(org, login_en, live):
    client = login_en(org.trainee)
    page = scan(client, live)
    assert 'data-testid="check-in-button"' in text(page)
    scan_pass = page.context["scan_pass"]
    done = client.post(urls(live)["check_in"], {"pass": scan_pass}, follow=True)
    assert 'data-testid="checked-in"' in text(done)
    assert ShiftSignup.objects.get().checked_in_at is not None


def test_scanning_then_checking_out(org, login_en, live):
    make_signup_in = ShiftSignup.objects.get()
    make_signup_in.checked_in_at = timezone.now() - MIN
    make_signup_in.save()
    client = login_en(org.trainee)
    page = scan(client, live)
    assert 'data-testid="check-out-button"' in text(page)
    client.post(urls(live)["check_out"], {"pass": page.context["scan_pass"]})
    assert ShiftSignup.objects.get().checked_out_at is not None


@pytest.mark.parametrize("token", ["expired", "other", "garbage"])
def test_a_bad_scan_says_why_and_offers_no_button(org, login_en, live, token):
    other = make_shift(org.east, starts_at=timezone.now())
    value = {
        "expired": token_for(live, timezone.now() - 5 * MIN),
        "other": token_for(other),
        "garbage": "<script>" * 50,
    }[token]
    page = scan(login_en(org.trainee), live, value)
    assert page.status_code == 400
    assert 'data-testid="check-in-error"' in text(page)
    assert 'data-testid="check-in-button"' not in text(page)


@pytest.mark.parametrize("value", ["", "forged", "x" * 5000])
def test_a_missing_forged_or_huge_pass_writes_nothing(org, login_en, live, value):
    response = login_en(org.trainee).post(urls(live)["check_in"], {"pass": value})
    assert response.status_code == 400
    assert ShiftSignup.objects.get().checked_in_at is None


def test_someone_elses_pass_is_refused(org, login_en, live):
    other = make_trainee(org.east_room, "other")
    make_signup(live, other)
    page = scan(login_en(org.trainee), live)
    response = login_en(other).post(
        urls(live)["check_in"], {"pass": page.context["scan_pass"]}
    )
    assert response.status_code == 400
    assert ShiftSignup.objects.get(person=other).checked_in_at is None


def test_someone_not_signed_up_is_told_and_cannot_check_in(org, login_en, live):
    other = make_trainee(org.east_room, "other")
    client = login_en(other)
    page = scan(client, live)
    assert 'data-testid="not-signed-up"' in text(page)
    response = client.post(urls(live)["check_in"], {"pass": page.context["scan_pass"]})
    assert response.status_code == 400
    assert not ShiftSignup.objects.filter(person=other).exists()


def test_checking_in_with_the_code_on_the_page(org, login_en, live):
    client = login_en(org.trainee)
    response = client.post(
        urls(live)["check_in"], {"code": code_for(live), "action": "in"}
    )
    assert response.status_code == 302
    assert ShiftSignup.objects.get().checked_in_at is not None


@pytest.mark.parametrize(
    "data",
    [
        {"code": "", "action": "in"},
        {"code": "12", "action": "in"},
        {"code": "<b>1</b>", "action": "in"},
        {"code": "1" * 5000, "action": "in"},
        {"code": "123456", "action": "sideways"},
        {},
    ],
)
def test_a_wrong_code_form_gives_a_sentence_and_writes_nothing(
    org, login_en, live, data
):
    response = login_en(org.trainee).post(urls(live)["check_in"], data)
    assert response.status_code == 400
    assert 'data-testid="code-errors"' in text(response)
    assert "<b>1</b>" not in text(response)
    assert ShiftSignup.objects.get().checked_in_at is None


def test_the_screen_shows_a_qr_code_and_its_token_endpoint_a_working_link(
    org, login_en, live
):
    client = login_en(org.supervisor)
    page = client.get(urls(live)["screen"])
    assert "<svg" in text(page) and 'data-testid="short-code"' in text(page)
    data = client.get(urls(live)["screen_token"]).json()
    assert data["code"] == code_for(live) and data["present"] == 0
    link = data["url"].split("testserver", 1)[1]
    trainee = login_en(org.trainee)
    page = trainee.get(link)
    assert 'data-testid="check-in-button"' in text(page)


# --- roster and excusing ----------------------------------------------------------------------


@pytest.fixture
def ended(org):
    """An east shift that ended an hour ago; the trainee never came."""
    shift = make_shift(
        org.east,
        starts_at=timezone.now() - datetime.timedelta(hours=5),
        supervisor=org.supervisor,
    )
    make_signup(shift, org.trainee)
    came = make_trainee(org.east_room, "came")
    make_signup(shift, came, checked_in_at=shift.starts_at)
    return shift


def test_the_roster_shows_the_no_show_and_a_coordinator_excuses_it(
    org, login_en, ended
):
    client = login_en(org.coordinator)
    page = client.get(urls(ended)["roster"])
    assert text(page).count('data-testid="no-show"') == 1
    row = ShiftSignup.objects.get(person=org.trainee)
    response = client.post(
        urls(ended)["roster"], {"signup": row.pk, "reason": "家中急事"}, follow=True
    )
    assert 'data-testid="excused"' in text(response)
    assert AuditEvent.objects.filter(action=AuditAction.ATTENDANCE_CHANGE).count() == 1


def test_the_supervisor_on_duty_sees_the_roster_but_cannot_excuse(org, login_en, ended):
    client = login_en(org.supervisor)
    assert 'data-testid="excuse-form"' not in text(client.get(urls(ended)["roster"]))
    row = ShiftSignup.objects.get(person=org.trainee)
    assert (
        client.post(
            urls(ended)["roster"], {"signup": row.pk, "reason": "x"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    "data",
    [
        {"reason": ""},
        {"reason": "   "},
        {"reason": "长" * 301},
        {"reason": "<script>x</script>", "signup": "abc"},
        {"reason": "ok", "signup": "999999"},
        {"reason": "ok", "signup": "came"},
    ],
)
def test_a_wrong_excuse_gives_a_sentence_and_writes_nothing(org, login_en, ended, data):
    row = ShiftSignup.objects.get(person=org.trainee)
    came = ShiftSignup.objects.get(person__username="came")
    data = {"signup": row.pk} | data
    if data["signup"] == "came":
        data["signup"] = came.pk
    response = login_en(org.coordinator).post(urls(ended)["roster"], data)
    assert response.status_code == 400
    assert 'data-testid="excuse-errors"' in text(response)
    assert "<script>x" not in text(response)
    assert not ShiftSignup.objects.filter(excused_at__isnull=False).exists()
    assert not AuditEvent.objects.exists()


def test_a_signup_of_another_shift_cannot_be_excused_here(org, login_en, ended):
    elsewhere = make_shift(org.east, starts_at=ended.starts_at)
    row = make_signup(elsewhere, make_trainee(org.east_room, "x"))
    response = login_en(org.coordinator).post(
        urls(ended)["roster"], {"signup": row.pk, "reason": "ok"}
    )
    assert response.status_code == 400
    row.refresh_from_db()
    assert row.excused_at is None


def test_calling_off_from_the_roster_page(org, login_en, coming):
    make_signup(coming, org.trainee)
    client = login_en(org.coordinator)
    client.post(urls(coming)["call_off"], {"reason": "场地维修"})
    coming.refresh_from_db()
    assert coming.cancelled_at is not None
    assert "场地维修" in Notice.objects.get(person=org.trainee).text
    # a huge reason is refused with a sentence and changes nothing
    other = make_shift(org.east, starts_at=timezone.now() + DAY)
    page = client.post(urls(other)["call_off"], {"reason": "长" * 301}, follow=True)
    assert "under 300 characters" in text(page)
    other.refresh_from_db()
    assert other.cancelled_at is None


def test_the_supervisor_on_duty_cannot_call_off(org, login_en, coming):
    assert login_en(org.supervisor).post(urls(coming)["call_off"]).status_code == 403


# --- compliance -------------------------------------------------------------------------------


def compliance(client, **query):
    return client.get(reverse("supervision:shift_compliance"), query)


def test_the_compliance_list_shows_the_subtrees_trainees(org, login_en, ended):
    page = compliance(login_en(org.coordinator), unit=org.east.pk)
    body = text(page)
    assert 'data-person="trainee"' in body and 'data-person="came"' in body
    assert 'data-person="west_trainee"' not in body
    rows = {r["person"].username: r for r in page.context["rows"]}
    assert rows["trainee"]["no_shows"] == 1 and rows["came"]["quota"].attended == 1


def test_a_city_leader_sees_both_stations_and_the_sibling_only_its_own(org, login_en):
    body = text(compliance(login_en(org.city_leader), unit=org.city.pk))
    assert 'data-person="trainee"' in body and 'data-person="west_trainee"' in body
    assert compliance(login_en(org.sibling), unit=org.east_room.pk).status_code == 404


@pytest.mark.parametrize(
    "query",
    [{"unit": "abc"}, {"unit": "99999999"}, {"unit": "1" * 40}, {"unit": "-1"}],
)
def test_a_wrong_unit_is_404(org, login_en, query):
    assert compliance(login_en(org.coordinator), **query).status_code == 404


@pytest.mark.parametrize(
    "month", ["2026-13", "abcd-ef", "2026/03", "9" * 5000, "<script>", "1999-01"]
)
def test_a_wrong_month_gives_a_sentence(org, login_en, month):
    response = compliance(login_en(org.coordinator), month=month)
    assert response.status_code == 400
    assert 'data-testid="compliance-error"' in text(response)
    assert "<script>" not in text(response).replace("<script src", "")


def test_the_exports_hold_the_same_rows_formula_safe(org, login_en):
    org.trainee.full_name = '=HYPERLINK("http://evil")'
    org.trainee.save()
    client = login_en(org.coordinator)
    got = compliance(client, unit=org.east.pk, month="2026-03", format="csv")
    assert got["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    assert len(rows) == 2
    book = compliance(client, unit=org.east.pk, month="2026-03", format="xlsx")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet.cell(row=2, column=1).value.startswith("'=")
    assert sheet.max_row == 2
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 2


def test_the_compliance_list_takes_a_fixed_number_of_queries(org, login_en):
    client = login_en(org.coordinator)
    now = timezone.now()

    def add(n):
        for i in range(n):
            person = make_trainee(org.east_room if i % 2 else org.east, f"p{n}-{i}")
            shift = make_shift(org.east, starts_at=now - DAY + i * MIN)
            make_signup(shift, person, checked_in_at=shift.starts_at)

    def count():
        client.get(reverse("supervision:shift_compliance"))
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("supervision:shift_compliance")).status_code == 200
            )
        return len(queries)

    add(3)
    few = count()
    add(27)
    assert count() == few


def test_the_shifts_page_takes_a_fixed_number_of_queries(org, login_en):
    client = login_en(org.trainee)
    now = timezone.now()

    def count():
        client.get(reverse("supervision:shift_list"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("supervision:shift_list"))
        return len(queries)

    make_signup(make_shift(org.east, starts_at=now + DAY), org.trainee)
    few = count()
    for i in range(10):
        shift = make_shift(org.east, starts_at=now + DAY + i * MIN)
        make_signup(shift, org.trainee)
    assert count() == few


# --- the admin --------------------------------------------------------------------------------


def admin_data(org, **changes):
    start = timezone.localtime(timezone.now() + 3 * DAY).replace(
        second=0, microsecond=0
    )
    return {
        "title": "周四值班",
        "unit": org.east.pk,
        "place": "东区站咨询室",
        "starts_at": start.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (start + datetime.timedelta(hours=4)).strftime("%Y-%m-%d %H:%M"),
        "capacity": "2",
        "supervisor": org.supervisor.pk,
        "note": "",
        "repeat_weeks": "2",
    } | changes


def test_a_coordinator_publishes_shifts_weekly_in_the_admin(org, login_en):
    response = login_en(org.coordinator).post(
        reverse("shift_admin:add"), admin_data(org)
    )
    assert response.status_code == 302, text(response)[:2000]
    assert DutyShift.objects.count() == 3


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"ends_at": "2020-01-01 08:00"}, "must end after it starts"),
        ({"capacity": "0"}, "from 1 to 200"),
        ({"capacity": "99999"}, "from 1 to 200"),
        ({"unit": "{west}"}, "Select a valid choice"),
        ({"supervisor": "{trainee}"}, "Select a valid choice"),
        ({"place": ""}, "This field is required"),
        ({"starts_at": "<script>"}, "Enter a valid date/time"),
        ({"repeat_weeks": "27"}, "less than or equal to 26"),
        ({"title": "长" * 500}, "at most 120 characters"),
    ],
)
def test_the_admin_refuses_wrong_shifts_with_a_sentence(org, login_en, changes, words):
    data = admin_data(
        org,
        **{
            k: v.format(west=org.west.pk, trainee=org.trainee.pk)
            for k, v in changes.items()
        },
    )
    response = login_en(org.coordinator).post(reverse("shift_admin:add"), data)
    assert response.status_code == 200
    assert words in text(response)
    assert not DutyShift.objects.exists()


def test_the_admin_lists_only_the_subtree_and_exports_safely(org, login_en):
    make_shift(org.east, title='=HYPERLINK("http://evil")')
    make_shift(org.west, title="西区值班")
    client = login_en(org.coordinator)
    body = text(client.get(reverse("shift_admin:index")))
    assert "HYPERLINK" in body and "西区值班" not in body
    csv_response = client.get(reverse("shift_admin:index") + "?export=csv")
    content = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in content and "西区值班" not in content


def test_the_west_coordinator_gets_404_on_an_east_shifts_edit_page(org, login_en):
    east = make_shift(org.east)
    client = login_en(org.sibling)
    assert client.get(reverse("shift_admin:edit", args=[east.pk])).status_code == 404
    response = client.post(
        reverse("shift_admin:edit", args=[east.pk]), admin_data(org, unit=org.west.pk)
    )
    assert response.status_code == 404
    east.refresh_from_db()
    assert east.unit == org.east


def test_deleting_a_shift_with_sign_ups_is_refused_in_the_admin(org, login_en, coming):
    make_signup(coming, org.trainee)
    response = login_en(org.coordinator).post(
        reverse("shift_admin:delete", args=[coming.pk]), follow=True
    )
    assert "cannot be deleted" in text(response)
    assert DutyShift.objects.filter(pk=coming.pk).exists()


def test_editing_the_capacity_in_the_admin_promotes_the_waiting(org, login_en, coming):
    make_signup(coming, org.trainee)
    other = make_trainee(org.east_room, "other")
    make_signup(coming, other, status=S.WAITLISTED)
    start = timezone.localtime(coming.starts_at)
    data = admin_data(
        org,
        starts_at=start.strftime("%Y-%m-%d %H:%M:%S"),
        ends_at=timezone.localtime(coming.ends_at).strftime("%Y-%m-%d %H:%M:%S"),
        place=coming.place,
        capacity="2",
    )
    data.pop("repeat_weeks")
    response = login_en(org.coordinator).post(
        reverse("shift_admin:edit", args=[coming.pk]), data
    )
    assert response.status_code == 302, text(response)[:3000]
    assert ShiftSignup.objects.get(person=other).status == S.SIGNED_UP


def test_exemptions_in_the_admin_need_a_reason_and_a_trainee_in_scope(org, login_en):
    client = login_en(org.coordinator)
    data = {
        "person": org.trainee.pk,
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-15",
        "reason": "住院",
    }
    assert client.post(reverse("exemption_admin:add"), data).status_code == 302
    for changes in (
        {"reason": ""},
        {"reason": "   "},
        {"person": org.west_trainee.pk},
        {"ends_on": "2026-02-01"},
        {"reason": "长" * 301},
        {"starts_on": "<script>"},
    ):
        response = client.post(reverse("exemption_admin:add"), data | changes)
        assert response.status_code == 200, changes
    assert QuotaExemption.objects.count() == 1
    west = QuotaExemption.objects.create(
        person=org.west_trainee,
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 2),
        reason="x",
        created_by=org.sibling,
    )
    assert (
        client.get(reverse("exemption_admin:edit", args=[west.pk])).status_code == 404
    )
