"""Demo practice and supervision (used by ``manage.py demo_data`` through
``SupervisionConfig``).

The east station (东城区心理服务站) runs duty shifts twice a day for three
weeks, one of them on now so its QR screen can be tried; the trainee 张伟
has a practice supervisor (林晓岚) and a different personal-growth
supervisor (李文), shifts done this month, an approved hotline entry, an
observation of a consented case waiting for sign-off and one returned.
A volunteer mentors two grid workers of 东湖社区.  Certification: four
tracks (``load_demo_certification``), the trainee part-way through two,
and one application waiting for the coordinator.  Structure rows are made
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
    QualificationKind,
    Requirement,
    Rubric,
    RubricItem,
    ShiftSignup,
    SupervisionKind,
    SupervisionSession,
    SupervisorAssignment,
    Technique,
    Track,
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


# --- certification ------------------------------------------------------------

RUBRIC_ITEMS = [
    ("建立关系与共情", "来访者/成员感到被理解，关系稳定。"),
    ("倾听、复述与反馈", "准确复述并给出具体、及时的反馈。"),
    ("团体/会谈结构的把握", "开场、展开、收尾完整，时间控制得当。"),
    ("危机识别与转介", "能识别风险信号并按流程转介。"),
    ("伦理与保密", "遵守知情同意与保密原则，边界清楚。"),
]

P = PracticeEntry.Kind
#: (code, name, description, validity in months, requirements); each
#: requirement is (kind, title, need, parameters).  The figures follow the
#: seeds (垣曲县 "实践+督导": 每月跟岗值班四次, 5 分钟以内的视频课, 合作编写
#: 团辅方案, 每项技术至少接待三位来访者).
TRACKS = [
    (
        "group-lead",
        "团辅带领",
        "可独立承担心理团辅活动：担任团辅助教、合作编写团辅方案并在督导下实践。",
        36,
        [
            (
                "practice",
                "担任团辅助教 8 次",
                8,
                {"practice_kinds": [P.GROUP_ASSISTANT]},
            ),
            (
                "practice",
                "合作编写团辅方案 1 份",
                1,
                {"practice_kinds": [P.GROUP_PLAN]},
            ),
            ("shifts", "近一个月跟岗值班 4 次", 4, {"period_months": 1}),
            (
                "supervision",
                "接受实践督导 6 次",
                6,
                {"supervision_kind": SupervisionKind.PRACTICE},
            ),
            ("ratings", "两位督导的胜任力评价达到 4 级", 2, {"min_level": 4}),
        ],
    ),
    (
        "counselling-hotline",
        "个体咨询与热线",
        "可接待个体咨询、接听心理热线：每项技术至少接待三位受督导的来访者。",
        36,
        [
            ("techniques", "掌握 3 项咨询技术（每项至少 3 位受督导来访者）", 3, {}),
            ("practice", "旁听个案咨询 6 次", 6, {"practice_kinds": [P.OBSERVATION]}),
            ("practice", "心理热线值守 10 次", 10, {"practice_kinds": [P.HOTLINE]}),
            (
                "supervision",
                "个体督导 10 小时",
                10,
                {
                    "measure": "hours",
                    "supervision_format": SupervisionSession.Format.INDIVIDUAL,
                },
            ),
            ("qualification", "持有国家心理咨询师三级证书", 1, {}),
        ],
    ),
    (
        "lecturer",
        "心理讲师",
        "可独立承担心理讲座：录制 5 分钟以内的视频课，并在督导下开讲。",
        None,
        [
            (
                "practice",
                "录制 5 分钟以内的视频课 3 节",
                3,
                {"practice_kinds": [P.VIDEO_LESSON]},
            ),
            ("practice", "开展心理讲座 2 场", 2, {"practice_kinds": [P.LECTURE]}),
            (
                "practice",
                "合作编写团辅或讲座方案 1 份",
                1,
                {"practice_kinds": [P.GROUP_PLAN]},
            ),
        ],
    ),
    # Modelled on the Chinese Psychological Society's registration standard
    # for clinical and counselling psychology (中国心理学会《临床与咨询心理学
    # 专业机构和专业人员注册标准》), assistant psychologist (助理心理师).
    # The figures are plausible stand-ins, not quoted from the standard:
    # check the current edition before relying on them.
    (
        "csp-assistant",
        "助理心理师（参照中国心理学会注册标准）",
        "参照中国心理学会临床与咨询心理学注册系统对助理心理师的时数要求。",
        60,
        [
            (
                "hours",
                "专业实践 150 小时",
                150,
                {"measure": "hours", "hours_categories": ["practice"]},
            ),
            (
                "hours",
                "接受督导 100 小时",
                100,
                {"measure": "hours", "hours_categories": ["supervision"]},
            ),
            (
                "supervision",
                "其中个体督导 50 小时",
                50,
                {
                    "measure": "hours",
                    "supervision_format": SupervisionSession.Format.INDIVIDUAL,
                },
            ),
            (
                "hours",
                "理论学习 120 小时",
                120,
                {
                    "measure": "hours",
                    "hours_categories": ["online_theory", "offline_theory"],
                },
            ),
        ],
    ),
]


def _demo_track(row, *, city, rubric, qualification, coordinator):
    from .services import certification as services

    code, name, description, validity, requirements = row
    track = services.track_create(
        actor=coordinator,
        code=code,
        name=name,
        unit=city,
        description=description,
        validity_months=validity,
    )
    draft = track.versions.get()
    for position, (kind, title, need, parameters) in enumerate(requirements, 1):
        fields = dict(parameters)
        if kind == "ratings":
            fields["rubric"] = rubric
        if kind == "qualification":
            fields["qualification_kind"] = qualification
        Requirement.objects.create(
            version=draft,
            position=position,
            kind=kind,
            title=title,
            need=need,
            **fields,
        )
    services.track_publish(actor=coordinator, version=draft, note="首版")
    return track


def _demo_lecturer_practice(person, supervisor) -> None:
    from .services import entries as entry_services

    today = timezone.localdate()
    for days, kind, title in (
        (30, P.VIDEO_LESSON, "视频课：情绪 ABC"),
        (25, P.VIDEO_LESSON, "视频课：睡眠卫生"),
        (20, P.VIDEO_LESSON, "视频课：压力的信号"),
        (15, P.LECTURE, "讲座：警察职业压力与调适"),
        (10, P.LECTURE, "讲座：亲子沟通"),
        (12, P.GROUP_PLAN, "合作编写《压力管理》团辅方案"),
    ):
        entry = entry_services.practice_entry_create(
            actor=person,
            kind=kind,
            occurred_on=today - datetime.timedelta(days=days),
            minutes=45,
            title=title,
            reflection="在督导下完成，课后接受反馈。",
        )
        entry_services.practice_entry_submit(actor=person, entry=entry)
        entry_services.practice_entry_approve(actor=supervisor, entry=entry, comment="")


@transaction.atomic
def load_demo_certification() -> dict[str, int]:
    """Four tracks, a rubric and a qualification kind; the demo trainee
    enrolled in two tracks part-way, and 黄磊 having met every requirement
    of 心理讲师 and applied, so the coordinator's queue is not empty.
    Idempotent: does nothing when the demo tracks exist.  The application
    goes through ``enrolment_apply``, so it needs the evaluation module."""
    from .services import certification as services

    if Track.objects.filter(code="group-lead").exists():
        return {"tracks": 0}
    people = _people()
    city = OrgUnit.objects.get(code="demo-city")
    coordinator, supervisor = people["coordinator"], people["supervisor"]
    rubric, _created = Rubric.objects.get_or_create(
        name="团辅带领胜任力", defaults={"description": "五项，每项 1–5 级。"}
    )
    for position, (text, guidance) in enumerate(RUBRIC_ITEMS, 1):
        RubricItem.objects.get_or_create(
            rubric=rubric,
            text=text,
            defaults={"position": position, "guidance": guidance},
        )
    qualification, _created = QualificationKind.objects.get_or_create(
        code="counsellor-3", defaults={"name": "国家心理咨询师三级"}
    )
    tracks = {
        row[0]: _demo_track(
            row,
            city=city,
            rubric=rubric,
            qualification=qualification,
            coordinator=coordinator,
        )
        for row in TRACKS
    }
    trainee = people["trainee"]
    for code in ("group-lead", "counselling-hotline"):
        services.track_enrol(actor=trainee, person=trainee, track=tracks[code])
    applicant = people["ep_huang"]
    _demo_lecturer_practice(applicant, supervisor)
    enrolment = services.track_enrol(
        actor=applicant, person=applicant, track=tracks["lecturer"]
    )
    services.enrolment_apply(actor=applicant, enrolment=enrolment)
    return {"tracks": len(tracks)}
