"""Issue 4's journey: a coordinator imports a roster, builds a cohort and a
lecture in the admin; a trainee, on a phone, sees only the released
lessons and checks in to the lecture by the QR link."""

import datetime

import pytest
from django.utils import timezone

from courses.models import Attendance, Cohort, OfflineSession
from lms.core.models import User
from tests.browser.conftest import close_quietly
from tests.conftest import PASSWORD
from tests.factories.courses import make_lesson, make_module, make_syllabus
from tests.factories.roster import roster_xlsx
from tests.factories.sessions import token_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username, home):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"**{home}")


def fill_date(page, selector, value):
    """Type into a Wagtail date field and close its date picker, which
    would otherwise cover the buttons below it."""
    page.fill(selector, value)
    page.keyboard.press("Tab")
    hide_date_pickers(page)


def hide_date_pickers(page):
    """Wagtail's date pickers open on focus and open again when the page
    scrolls to a field near them; taken out of the page (the typed dates
    stay in their inputs), they cover nothing."""
    page.evaluate(
        "document.querySelectorAll('.xdsoft_datetimepicker').forEach(el => el.remove())"
    )


@pytest.fixture
def desk(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="zh-CN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    close_quietly(context)


def test_coordinator_builds_a_class_and_a_trainee_follows_it(
    org, desk, phone, tmp_path
):
    syllabus = make_syllabus(slug="syllabus")
    theory = make_module(syllabus, "心理服务理论与技能", slug="theory")
    practice = make_module(syllabus, "心理服务实践督导", slug="practice")
    make_lesson(theory, "压力管理", slug="stress")
    make_lesson(practice, "跟岗值班须知", slug="duty")
    today = timezone.localdate()
    log_in(desk, "coordinator", "/manage/")

    # the coordinator imports a roster of two new trainees
    desk.goto("/manage/roster/")
    roster = tmp_path / "名单.xlsx"
    roster.write_bytes(
        roster_xlsx(
            [
                [
                    "王小明",
                    "east-room",
                    "wxm@example.com",
                    "13800138000",
                    "J001",
                    "学员",
                ],
                [
                    "李小红",
                    "east-room",
                    "lxh@example.com",
                    "13900139000",
                    "J002",
                    "学员",
                ],
            ]
        )
    )
    desk.select_option("select[name=unit]", str(org.east.pk))
    desk.set_input_files("input[name=file]", str(roster))
    desk.locator("[data-testid=roster-upload] button[type=submit]").click()
    desk.locator("[data-testid=start-import] button[type=submit]").click()
    desk.get_by_test_id("import-done").wait_for()
    newcomers = User.objects.filter(staff_number__in=["J001", "J002"])
    assert newcomers.count() == 2

    # builds a cohort: theory open today, practice in a week
    desk.goto("/admin/cohorts/new/")
    desk.fill("#id_name", "2026 新警心理专题训练班")
    desk.select_option("#id_unit", str(org.east.pk))
    fill_date(desk, "#id_starts_on", today.isoformat())
    fill_date(desk, "#id_ends_on", (today + datetime.timedelta(days=180)).isoformat())
    # the member picker is searched, and shows each person's unit and role
    picker = desk.locator("[data-member-picker]")
    picker.get_by_test_id("member-search").fill("王小明")
    visible = picker.locator("label:visible")
    assert visible.count() == 1
    assert "东区一室" in visible.first.inner_text()
    assert "学员" in visible.first.inner_text()
    # nobody outside the coordinator's subtree is offered
    assert f'value="{org.west_trainee.pk}"' not in picker.inner_html()
    picker.get_by_test_id("member-search").fill("")
    for person in [org.trainee, *newcomers]:
        hide_date_pickers(desk)
        desk.check(f"input[name=member_people][value='{person.pk}']")
    for index, (module, opens) in enumerate([(theory, 0), (practice, 7)]):
        desk.eval_on_selector("#id_assignments-ADD", "el => el.click()")
        # Wagtail's page chooser writes the chosen page's id here.
        desk.eval_on_selector(
            f"#id_assignments-{index}-page",
            "(el, value) => { el.value = value; }",
            str(module.pk),
        )
        fill_date(
            desk,
            f"#id_assignments-{index}-release_on",
            (today + datetime.timedelta(days=opens)).isoformat(),
        )
    desk.eval_on_selector(
        "#w-editor-form button[type=submit].button-longrunning", "el => el.click()"
    )
    desk.wait_for_url("**/admin/cohorts/")
    cohort = Cohort.objects.get()
    assert cohort.members.count() == 3 and cohort.assignments.count() == 2

    # and a lecture for the cohort, on now
    starts = timezone.localtime() - datetime.timedelta(minutes=5)
    desk.goto("/admin/sessions/new/")
    desk.select_option("#id_kind", "lecture")
    desk.fill("#id_title", "执勤执法中的情绪管理讲座")
    desk.select_option("#id_unit", str(org.east.pk))
    desk.select_option("#id_cohort", str(cohort.pk))
    desk.fill("#id_place", "东区站二楼会议室")
    fill_date(desk, "#id_starts_at", starts.strftime("%Y-%m-%d %H:%M"))
    fill_date(
        desk,
        "#id_ends_at",
        (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
    )
    desk.fill("#id_credit_hours", "1.5")
    desk.eval_on_selector(
        "#w-editor-form button[type=submit].button-longrunning", "el => el.click()"
    )
    desk.wait_for_url("**/admin/sessions/")
    lecture = OfflineSession.objects.get()

    # the trainee, on a phone, sees the theory lesson and not the practice one
    log_in(phone, "trainee", "/learn/")
    cohort_card = phone.get_by_test_id("cohort")
    assert "心理服务理论与技能" in cohort_card.inner_text()
    opens_on = (today + datetime.timedelta(days=7)).isoformat()
    assert opens_on in cohort_card.inner_text()
    phone.goto("/syllabus/practice/duty/")
    assert phone.get_by_test_id("locked").is_visible()
    phone.goto("/syllabus/theory/stress/")
    assert phone.locator("[data-testid=locked]").count() == 0

    # and checks in to the lecture by the QR link
    phone.goto(f"/sessions/{lecture.pk}/check-in/?t={token_now(lecture)}")
    phone.get_by_test_id("check-in-button").click()
    phone.get_by_test_id("checked-in").wait_for()
    assert Attendance.objects.filter(session=lecture, person=org.trainee).exists()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
