"""The practice home: notices and the sections each role is offered."""

from unittest import mock

from django.urls import reverse

from lms.core.models import Notice
from lms.core.services.notices import notice_send
from lms.core.tasks import notice_email_task


def test_a_notice_shows_on_the_home_page_until_marked_read(org, login, mailoutbox):
    # given a notice for the trainee
    notice_send(person=org.trainee, text="您已从候补名单递补", url="/practice/")
    client = login(org.trainee)
    # when they open their practice home
    page = client.get(reverse("supervision:home"))
    # then it is listed as unread
    assert "您已从候补名单递补" in page.content.decode()
    assert page.context["unread"] == 1
    # and marking read clears the count
    client.post(reverse("supervision:notices_read"))
    assert client.get(reverse("supervision:home")).context["unread"] == 0


def test_a_notice_is_queued_for_email_after_the_commit(
    org, django_capture_on_commit_callbacks
):
    # the broker is outside the process: only the hand-over is replaced
    with (
        mock.patch.object(notice_email_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        notice = notice_send(person=org.trainee, text="您的实践记录已退回")
    delay.assert_called_once_with(notice_id=notice.pk)


def test_the_email_task_sends_the_notice_with_its_link(org, mailoutbox):
    notice = notice_send(
        person=org.trainee, text="您的实践记录已退回", url="/practice/log/", email=False
    )
    assert notice_email_task(notice_id=notice.pk) is True
    assert mailoutbox[0].to == [org.trainee.email]
    assert "/practice/log/" in mailoutbox[0].body
    assert notice_email_task(notice_id=notice.pk + 999) is False


def test_nobody_sees_another_persons_notices(org, login):
    notice_send(person=org.trainee, text="只属于学员的通知", email=False)
    page = login(org.supervisor).get(reverse("supervision:home"))
    assert "只属于学员的通知" not in page.content.decode()
    assert Notice.objects.filter(person=org.supervisor).count() == 0


def test_marking_read_touches_only_ones_own_notices(org, login):
    notice_send(person=org.trainee, text="a", email=False)
    login(org.supervisor).post(reverse("supervision:notices_read"))
    assert Notice.objects.get(person=org.trainee).read_at is None


def test_the_home_page_needs_a_login(client):
    response = client.get(reverse("supervision:home"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_coordinators_are_offered_the_compliance_list_not_the_trainee_sections(org):
    from supervision.home_sections import SECTIONS, sections_for

    names = {section["name"] for section in sections_for(org.coordinator)}
    trainee_only = {name for name, _label, roles in SECTIONS if roles == {"trainee"}}
    assert not names & trainee_only
