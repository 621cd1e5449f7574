"""Demo practice and supervision (used by ``manage.py demo_data`` through
``SupervisionConfig``).

The east station (东城区心理服务站) runs duty shifts twice a day for three
weeks, one of them on now so its QR screen can be tried; the trainee 张伟
has a practice supervisor (林晓岚) and a different personal-growth
supervisor (李文), shifts done this month, an approved hotline entry, an
observation of a consented case waiting for sign-off and one returned.
A volunteer mentors two grid workers of 东湖社区.  Structure rows are made
directly; every workflow step goes through its service, so history,
hours and notices are what the product would have written.
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from lms.core.models import OrgUnit, PersonCategory, User

from .models import (
    Case,
    Consent,
    DutyShift,
    Pairing,
    PairingContact,
    PracticeEntry,
    ShiftSignup,
    SupervisionKind,
    SupervisorAssignment,
    Technique,
)

TECHNIQUES = [
    ("空椅子技术", "格式塔疗法中处理未完成事件的对话技术。"),
    ("焦点解决短程治疗", "关注资源与例外，以小步改变为目标。"),
    ("正念减压", "以呼吸与身体扫描练习接纳当下体验。"),
    ("认知重构", "识别并调整自动化负性思维。"),
    ("沙盘游戏", "借助沙具与沙盘的非言语表达技术。"),
]
CATEGORIES = {
    "ep_": PersonCategory.POLICE,
    "trainee": PersonCategory.POLICE,
    "el_": PersonCategory.GRID_WORKER,
    "wr_": PersonCategory.GRID_WORKER,
    "wp_": PersonCategory.POLICE,
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _people() -> dict[str, User]:
    return {user.username: user for user in User.objects.all()}


def _categorise(people: dict[str, User]) -> None:
    for username, person in people.items():
        for prefix, category in CATEGORIES.items():
            if username.startswith(prefix) and not person.category:
                person.category = category
                person.save(update_fields=["category"])
    people["ep_he"].category = PersonCategory.VOLUNTEER
    people["ep_he"].save(update_fields=["category"])


def _shifts(east: OrgUnit, supervisor: User, coordinator: User) -> list[DutyShift]:
    local = timezone.localtime()
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    shifts = [
        DutyShift.objects.create(
            unit=east,
            title="心理服务站值班（进行中）",
            place="东城区心理服务站 接待室",
            starts_at=local - datetime.timedelta(minutes=30),
            ends_at=local + datetime.timedelta(hours=3),
            capacity=3,
            supervisor=supervisor,
            created_by=coordinator,
        )
    ]
    for day in range(-20, 21):
        for start, title in ((9, "上午值班"), (14, "下午值班")):
            starts_at = today + datetime.timedelta(days=day, hours=start)
            if abs(starts_at - shifts[0].starts_at) < datetime.timedelta(hours=4):
                continue
            shifts.append(
                DutyShift.objects.create(
                    unit=east,
                    title=title,
                    place="东城区心理服务站 接待室",
                    starts_at=starts_at,
                    ends_at=starts_at + datetime.timedelta(hours=3),
                    capacity=2,
                    supervisor=supervisor,
                    created_by=coordinator,
                )
            )
    return shifts


def _attend(shifts, trainee: User) -> DutyShift | None:
    """Past shifts this month the trainee worked (and one missed)."""
    now = timezone.now()
    month_start = timezone.localdate().replace(day=1)
    past = [
        s
        for s in shifts
        if s.ends_at < now and timezone.localdate(s.starts_at) >= month_start
    ]
    worked = None
    for index, shift in enumerate(past[-3:]):
        signup = ShiftSignup.objects.create(
            shift=shift, person=trainee, status="signed_up", queued_at=shift.created_at
        )
        if index < 2:
            signup.checked_in_at = shift.starts_at + datetime.timedelta(minutes=3)
            signup.checked_out_at = shift.ends_at
            signup.save(update_fields=["checked_in_at", "checked_out_at"])
            worked = shift
    return worked


@transaction.atomic
def load_demo_practice() -> dict[str, int]:
    """Idempotent: does nothing when demo shifts exist."""
    if DutyShift.objects.filter(unit__code="demo-east").exists():
        return {"shifts": 0}
    from .services import entries as entry_services

    people = _people()
    _categorise(people)
    east = OrgUnit.objects.get(code="demo-east")
    trainee, supervisor = people["trainee"], people["supervisor"]
    growth, coordinator = people["east_sup"], people["east_coord"]
    for name, description in TECHNIQUES:
        Technique.objects.get_or_create(
            name=name, defaults={"description": description}
        )
    starts_on = timezone.localdate() - datetime.timedelta(days=60)
    east_trainees = [
        p
        for p in people.values()
        if p.home_unit and east.contains(p.home_unit) and p.has_role("trainee")
    ]
    for person in east_trainees:
        for kind, who in (
            (SupervisionKind.PRACTICE, supervisor),
            (SupervisionKind.GROWTH, growth),
        ):
            if who.pk != person.pk:
                SupervisorAssignment.objects.create(
                    trainee=person,
                    supervisor=who,
                    kind=kind,
                    starts_on=starts_on,
                    created_by=coordinator,
                )
    shifts = _shifts(east, supervisor, coordinator)
    worked = _attend(shifts, trainee)
    case = Case.objects.create(
        unit=east,
        practitioner=supervisor,
        presenting_issue="工作压力与睡眠困扰",
        opened_on=timezone.localdate() - datetime.timedelta(days=20),
        created_by=supervisor,
    )
    consent = Consent(
        case=case,
        signed_on=case.opened_on,
        covers_observation=True,
        covers_discussion=True,
        recorded_by=supervisor,
    )
    consent.form.save("consent.pdf", ContentFile(PDF), save=False)
    consent.save()
    today = timezone.localdate()
    hotline = entry_services.practice_entry_create(
        actor=trainee,
        kind=PracticeEntry.Kind.HOTLINE,
        occurred_on=timezone.localdate(worked.starts_at) if worked else today,
        minutes=120,
        title="心理热线值守",
        reflection="接听三通来电，练习共情与澄清。",
        shift=worked,
    )
    entry_services.practice_entry_submit(actor=trainee, entry=hotline)
    entry_services.practice_entry_approve(
        actor=supervisor, entry=hotline, comment="记录完整。"
    )
    observation = entry_services.practice_entry_create(
        actor=trainee,
        kind=PracticeEntry.Kind.OBSERVATION,
        occurred_on=today - datetime.timedelta(days=2),
        minutes=50,
        title="旁听个案咨询",
        reflection="观察咨询师如何在首次访谈中建立关系。",
        case=case,
    )
    entry_services.practice_entry_submit(actor=trainee, entry=observation)
    mediation = entry_services.practice_entry_create(
        actor=people["ep_liu"],
        kind=PracticeEntry.Kind.MEDIATION,
        occurred_on=today - datetime.timedelta(days=3),
        minutes=40,
        title="邻里纠纷调解",
        reflection="协助社区民警调解噪音纠纷。",
    )
    entry_services.practice_entry_submit(actor=people["ep_liu"], entry=mediation)
    entry_services.practice_entry_return(
        actor=supervisor,
        entry=mediation,
        comment="请补充你在调解中具体做了什么，以及你的感受。",
    )
    mentor = people["ep_he"]
    for mentee, contacted in ((people["el_guo"], True), (people["el_ma"], False)):
        pairing = Pairing.objects.create(
            mentor=mentor,
            mentee=mentee,
            unit=mentee.home_unit,
            starts_on=today - datetime.timedelta(days=45),
            created_by=coordinator,
        )
        if contacted:
            PairingContact.objects.create(
                pairing=pairing,
                occurred_on=today - datetime.timedelta(days=5),
                channel=PairingContact.Channel.IN_PERSON,
                note="一起走访社区，讨论如何识别情绪困扰。",
                logged_by=mentor,
            )
    return {"shifts": len(shifts)}
