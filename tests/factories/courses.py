import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from courses.models import LessonPage, ModulePage, SyllabusIndexPage, Video
from courses.video_files import video_storage


def site_root() -> Page:
    """The default site's home page.  Migrations create it, but a
    transactional test's flush removes it, so make it again if need be."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        return site.root_page
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root")
    )
    home = root.add_child(instance=Page(title="Home", slug="home"))
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return home


def make_syllabus(title="培训大纲", slug=None) -> SyllabusIndexPage:
    page = SyllabusIndexPage(title=title, slug=slug or f"s-{uuid.uuid4().hex[:8]}")
    site_root().add_child(instance=page)
    return page


def make_module(syllabus, title="心理服务理论与技能", slug=None) -> ModulePage:
    page = ModulePage(title=title, slug=slug or f"m-{uuid.uuid4().hex[:8]}")
    syllabus.add_child(instance=page)
    return page


def make_lesson(
    module,
    title="压力管理",
    *,
    video=None,
    hours="0.5",
    quiz=None,
    prerequisites=(),
    live=True,
    slug=None,
) -> LessonPage:
    page = LessonPage(
        title=title,
        slug=slug or f"l-{uuid.uuid4().hex[:8]}",
        video=video,
        credit_hours=Decimal(hours),
        quiz=quiz or [],
        live=live,
    )
    module.add_child(instance=page)
    if prerequisites:
        page.prerequisites.set(prerequisites)
        page.save()
    return LessonPage.objects.get(pk=page.pk)


def make_ready_video(
    unit, *, title="测试视频", duration=60.0, data=b"\x00" * 2048, **fields
) -> Video:
    """A video marked ready, with small placeholder files in storage (no
    ffmpeg): for tests about progress, permissions and serving."""
    video = Video(
        title=title, unit=unit, status=Video.Status.READY, duration=duration, **fields
    )
    storage = video_storage()
    names = {}
    for part, filename in (
        ("main", "main.mp4"),
        ("low", "low.mp4"),
        ("poster", "poster.jpg"),
    ):
        names[part] = storage.save(f"{video.key}/{filename}", ContentFile(data))
    video.original_name = storage.save(
        f"{video.key}/original.mp4", ContentFile(b"original")
    )
    video.main_name, video.low_name, video.poster_name = (
        names["main"],
        names["low"],
        names["poster"],
    )
    video.width, video.height = 1280, 720
    video.save()
    return video


SINGLE_QUESTION = {
    "type": "question",
    "value": {
        "question": "压力大时怎么办？",
        "kind": "single",
        "choices": [
            {"text": "硬扛", "correct": False},
            {"text": "放松并倾诉", "correct": True},
        ],
    },
}
MULTIPLE_QUESTION = {
    "type": "question",
    "value": {
        "question": "常见的压力反应有哪些？",
        "kind": "multiple",
        "choices": [
            {"text": "失眠", "correct": True},
            {"text": "注意力不集中", "correct": True},
            {"text": "毫无变化", "correct": False},
        ],
    },
}
