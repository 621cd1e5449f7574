"""Demo syllabus (used by ``manage.py demo_data`` through ``CoursesConfig``).

Three modules from the seed documents, lessons with their Chinese titles,
and videos made at demo time from ffmpeg's test sources and put through
the real pipeline (half arrive as web-ready MP4 and are remuxed, half as
WebM and are transcoded).  No video file is kept in git.
"""

import datetime
import tempfile
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from lms.core.models import OrgUnit, Role, User

from .models import (
    Cohort,
    CohortAssignment,
    CohortMember,
    LessonPage,
    ModulePage,
    OfflineSession,
    SyllabusIndexPage,
    Video,
)
from .services.videos import video_import_file
from .testsources import make_test_clip

SYLLABUS_SLUG = "syllabus"

# slug, title, intro, lessons: (slug, title, hours, seconds, web_ready, body)
MODULES = [
    (
        "theory",
        "心理服务理论与技能",
        "心理健康基础知识与常用技能：压力、情绪、家庭关系与执法场景中的心理学。",
        [
            (
                "stress",
                "压力管理",
                "0.5",
                12,
                True,
                "认识压力反应，学习呼吸放松与认知调整等自我调适方法。",
            ),
            (
                "emotion",
                "情绪管理",
                "0.5",
                10,
                False,
                "识别情绪、接纳情绪、表达情绪：情绪管理的三个步骤。",
            ),
            (
                "family",
                "家庭关系处理",
                "0.5",
                10,
                True,
                "促进邻里家庭关系：沟通技巧与常见家庭矛盾的化解。",
            ),
            (
                "duty-emotion",
                "执勤执法中的情绪管理",
                "1",
                12,
                False,
                "执勤执法现场的情绪识别与自我控制，避免冲突升级。",
            ),
            (
                "micro-expression",
                "微表情识谎",
                "0.5",
                8,
                True,
                "常见微表情的识别要点及其在询问中的运用与局限。",
            ),
            (
                "complaints",
                "公安群众心理与投诉预防",
                "0.5",
                8,
                False,
                "理解群众心理需求，从源头减少投诉。",
            ),
        ],
    ),
    (
        "practice",
        "心理服务实践督导",
        "“实践+督导”：跟岗值班、个案旁听、团辅助教，每次实践之后都有督导。",
        [
            (
                "duty-shifts",
                "跟岗值班须知",
                "0.5",
                8,
                True,
                "每月跟岗值班不少于4次；签到签退、实践记录与督导的流程。",
            ),
            (
                "consent",
                "个案旁听与知情同意",
                "0.5",
                8,
                False,
                "旁听个案前须取得来访者知情同意；来访者以编号记录。",
            ),
        ],
    ),
    (
        "growth",
        "个人成长",
        "个人成长督导：觉察自我、照顾自我，才能更好地服务他人。",
        [
            (
                "self-awareness",
                "自我觉察与心理调适",
                "0.5",
                8,
                True,
                "通过个人成长督导觉察自身情绪与需要。",
            ),
        ],
    ),
]

QUIZ = [
    {
        "type": "question",
        "value": {
            "question": "感到压力很大时，下列哪种做法最有助于自我调适？",
            "kind": "single",
            "choices": [
                {"text": "独自硬扛，不与人交流", "correct": False},
                {"text": "进行腹式呼吸放松，并与信任的人倾诉", "correct": True},
                {"text": "通过饮酒缓解", "correct": False},
            ],
        },
    },
    {
        "type": "question",
        "value": {
            "question": "以下哪些是常见的压力反应？",
            "kind": "multiple",
            "choices": [
                {"text": "失眠、易疲劳", "correct": True},
                {"text": "注意力难以集中", "correct": True},
                {"text": "完全没有任何变化", "correct": False},
            ],
        },
    },
]


#: The site root's title and the site's name in the page chooser and the
#: explorer, in place of Wagtail's "Welcome to your new Wagtail site!".
SITE_TITLE = "心训 · 培训内容"
SITE_NAME = "心训"
#: Titles Wagtail gives the page it creates as the first site root.
_WAGTAIL_WELCOME = (
    "Welcome to your new Wagtail site!",
    "Welcome to your Wagtail site!",
)


def demo_site_root() -> Page:
    """The default site's root page, made the product's own: Wagtail's
    stock welcome page is renamed (its URL, /, stays ours: the product's
    home page answers there)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return Page.objects.get(depth=1)
    root = site.root_page.specific
    if root.title in _WAGTAIL_WELCOME or root.draft_title in _WAGTAIL_WELCOME:
        root.title = root.draft_title = SITE_TITLE
        root.save(update_fields=["title", "draft_title"])
    if site.site_name != SITE_NAME:
        site.site_name = SITE_NAME
        site.save(update_fields=["site_name"])
    return root


def _syllabus() -> tuple[SyllabusIndexPage, bool]:
    home = demo_site_root()
    existing = SyllabusIndexPage.objects.filter(slug=SYLLABUS_SLUG).first()
    if existing:
        return existing, False
    syllabus = SyllabusIndexPage(
        title="心理服务培训大纲",
        slug=SYLLABUS_SLUG,
        intro="<p>“实践+督导”培训大纲：理论学习、跟岗实践与个人成长三个模块。</p>",
    )
    home.add_child(instance=syllabus)
    PageViewRestriction.objects.create(
        page=syllabus, restriction_type=PageViewRestriction.LOGIN
    )
    return syllabus, True


def _child(parent: Page, model, slug: str, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
    return page


def _video(
    unit: OrgUnit, title: str, seconds: int, web_ready: bool, folder: Path
) -> Video:
    existing = Video.objects.filter(title=title, status=Video.Status.READY).first()
    if existing:
        return existing
    if web_ready:
        path = make_test_clip(
            folder / f"{seconds}-ready.mp4",
            seconds=seconds,
            size="1280x720",
            container_args=["-movflags", "+faststart"],
        )
    else:
        path = make_test_clip(
            folder / f"{seconds}-source.webm",
            seconds=seconds,
            size="960x540",
            vcodec="libvpx-vp9",
            acodec="libopus",
        )
    return video_import_file(path=path, unit=unit, title=title)


def load_demo_syllabus(*, unit_code: str = "demo-city") -> dict[str, int]:
    """Create the demo syllabus and process its videos; a second run
    changes nothing."""
    unit = OrgUnit.objects.get(code=unit_code)
    created = {"lessons": 0, "videos": 0}
    with transaction.atomic():
        syllabus, _new = _syllabus()
    with tempfile.TemporaryDirectory() as tmp:
        for m_slug, m_title, m_intro, lessons in MODULES:
            module = _child(
                syllabus, ModulePage, m_slug, title=m_title, intro=f"<p>{m_intro}</p>"
            )
            previous = None
            for slug, title, hours, seconds, web_ready, body in lessons:
                lesson = LessonPage.objects.child_of(module).filter(slug=slug).first()
                if lesson is None:
                    video = _video(unit, title, seconds, web_ready, Path(tmp))
                    created["videos"] += 1
                    lesson = LessonPage(
                        slug=slug,
                        title=title,
                        body=f"<p>{body}</p>",
                        credit_hours=Decimal(hours),
                        video=video,
                        quiz=QUIZ if slug == "stress" else [],
                    )
                    module.add_child(instance=lesson)
                    if slug == "duty-emotion" and previous is not None:
                        lesson.prerequisites.add(previous)
                    lesson.save_revision().publish()
                    created["lessons"] += 1
                previous = lesson
    return created


COHORT_NAME = "2026 新警心理专题训练班"


@transaction.atomic
def load_demo_cohort() -> bool:
    """A six-month online class for the east station's trainees: the theory
    module is open and due in a month, the practice module opens in two
    weeks.  Dates are relative to today so the demo always shows both."""
    if Cohort.objects.filter(name=COHORT_NAME).exists():
        return False
    east = OrgUnit.objects.get(code="demo-east")
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        name=COHORT_NAME,
        unit=east,
        mode=Cohort.Mode.ONLINE,
        starts_on=today - datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=160),
        description="东城区新警心理健康专题培训（线上，6个月）。",
    )
    cohort.coordinators.set(User.objects.filter(username="east_coord"))
    trainees = User.objects.filter(
        east.subtree_q("home_unit__"), groups__name=Role.TRAINEE
    ).distinct()
    CohortMember.objects.bulk_create(
        CohortMember(cohort=cohort, person=p) for p in trainees
    )
    modules = {
        m.slug: m for m in ModulePage.objects.filter(slug__in=["theory", "practice"])
    }
    CohortAssignment.objects.create(
        cohort=cohort,
        page=modules["theory"],
        release_on=today - datetime.timedelta(days=20),
        due_on=today + datetime.timedelta(days=30),
        position=0,
    )
    CohortAssignment.objects.create(
        cohort=cohort,
        page=modules["practice"],
        release_on=today + datetime.timedelta(days=14),
        due_on=today + datetime.timedelta(days=60),
        position=1,
    )
    return True


@transaction.atomic
def load_demo_sessions() -> int:
    """A lecture at the east station that is on now (so check-in works when
    the demo starts) and a group session tomorrow, both for the cohort."""
    if OfflineSession.objects.filter(title__startswith="示范：").exists():
        return 0
    east = OrgUnit.objects.get(code="demo-east")
    cohort = Cohort.objects.filter(name=COHORT_NAME).first()
    now = timezone.now().replace(second=0, microsecond=0)
    plans = [
        (
            OfflineSession.Kind.LECTURE,
            "示范：执勤执法中的情绪管理讲座",
            now - datetime.timedelta(minutes=10),
            120,
            "1.5",
        ),
        (
            OfflineSession.Kind.GROUP,
            "示范：新警压力疏导团辅",
            now + datetime.timedelta(days=1, hours=2),
            90,
            "1",
        ),
    ]
    for kind, title, starts_at, minutes, hours in plans:
        session = OfflineSession.objects.create(
            kind=kind,
            title=title,
            unit=east,
            cohort=cohort,
            place="东城区心理服务站二楼活动室",
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=minutes),
            credit_hours=Decimal(hours),
            capacity=40,
        )
        session.facilitators.set(User.objects.filter(username="east_sup"))
    return len(plans)
