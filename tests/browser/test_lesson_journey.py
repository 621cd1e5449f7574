"""A trainee watches a micro-lesson on a phone: seeking to the end does
not complete it; playing it through does, and the hours show up."""

import shutil

import pytest

from courses.services.videos import video_import_file
from courses.testsources import make_test_clip
from courses.video_files import local_root, video_storage
from lms.core.models import HoursEntry
from tests.browser.conftest import wait_until
from tests.conftest import PASSWORD
from tests.factories.courses import make_lesson, make_module, make_syllabus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lesson(org, tmp_path):
    clip = make_test_clip(
        tmp_path / "lesson.webm",
        seconds=6,
        size="320x240",
        vcodec="libvpx-vp9",
        acodec="libopus",
    )
    video = video_import_file(path=clip, unit=org.city, title="压力管理")
    assert video.is_ready and video.low_name
    module = make_module(
        make_syllabus(slug="syllabus"), "心理服务理论与技能", slug="theory"
    )
    yield make_lesson(module, "压力管理", video=video, hours="0.5", slug="stress")
    shutil.rmtree(local_root(video_storage()), ignore_errors=True)


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/learn/")


def play(page, *, start=None, until="ended"):
    page.evaluate(
        """([start, until]) => new Promise((resolve) => {
            const v = document.getElementById('lesson-video');
            v.muted = true;
            const go = () => {
              if (start !== null) v.currentTime = start;
              v.addEventListener(until, () => resolve(), { once: true });
              v.play();
            };
            if (v.readyState >= 1) go(); else v.addEventListener('loadedmetadata', go, { once: true });
        })""",
        [start, until],
    )


def test_trainee_plays_a_lesson_to_the_end_and_the_hours_are_credited(
    org, phone, lesson
):
    log_in(phone, "trainee")
    # the syllabus lists the lesson on the trainee's home
    phone.get_by_role("link", name="压力管理").first.click()
    phone.wait_for_url("**/syllabus/theory/stress/")
    status = phone.get_by_test_id("lesson-status")
    # when the trainee seeks to the last second and lets it end
    play(phone, start=5.2)
    wait_until(
        phone, "() => document.querySelector('[data-role=percent]').textContent !== '0'"
    )
    # then the lesson is not complete
    assert "已完成" not in status.inner_text()
    assert not HoursEntry.objects.filter(person=org.trainee).exists()
    # when they play it from the start to the end
    play(phone, start=0)
    # then it is complete and the hours are credited, without a reload
    wait_until(
        phone, "() => !document.querySelector('[data-role=done]').hidden", timeout=20
    )
    assert "0.5" in status.inner_text()
    assert HoursEntry.objects.get(person=org.trainee).hours == lesson.credit_hours
    # and their hours page lists the lesson
    phone.get_by_role("link", name="我的已认定学时").first.click()
    assert "压力管理" in phone.get_by_test_id("ledger").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_player_switches_to_360p_and_resumes_where_the_trainee_left_off(
    org, phone, lesson
):
    log_in(phone, "trainee")
    phone.goto(lesson.url)
    phone.evaluate(
        """() => new Promise((resolve) => {
            const v = document.getElementById('lesson-video');
            v.muted = true;
            v.addEventListener('timeupdate', function check() {
              if (v.currentTime > 2.5) { v.removeEventListener('timeupdate', check); v.pause(); resolve(); }
            });
            v.play();
        })"""
    )
    wait_until(
        phone, "() => document.querySelector('[data-role=percent]').textContent !== '0'"
    )
    # switching quality keeps the place
    phone.get_by_test_id("quality").select_option(label="360p")
    wait_until(
        phone,
        "() => document.getElementById('lesson-video').currentSrc.endsWith('/low.mp4')",
    )
    # a reload resumes near where the trainee paused
    phone.reload()
    wait_until(phone, "() => document.getElementById('lesson-video').currentTime > 2")


def test_the_percentage_rises_while_playing_before_any_report_is_answered(
    org, phone, lesson
):
    # given the server's answers are held back (as on a slow network)
    phone.route("**/progress/", lambda route: route.abort())
    log_in(phone, "trainee")
    phone.goto(lesson.url)
    # when the trainee plays half the clip
    phone.evaluate(
        """() => new Promise((resolve) => {
            const v = document.getElementById('lesson-video');
            v.muted = true;
            v.addEventListener('timeupdate', function check() {
              if (v.currentTime > 3) { v.removeEventListener('timeupdate', check); resolve(); }
            });
            v.play();
        })"""
    )
    # then the page shows the share played, from its own count
    percent = int(phone.locator("[data-role=percent]").inner_text())
    assert 30 <= percent <= 100
    # and nothing was credited: the server is the judge
    assert not HoursEntry.objects.filter(person=org.trainee).exists()
    assert phone.get_by_test_id("lesson-status").locator("[data-role=done]").is_hidden()
