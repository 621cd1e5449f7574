"""Import video files from this machine through the same validation and
processing as an upload, in this process (no worker needed)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from courses.models import LessonPage, Video
from courses.services.videos import video_import_file
from lms.core.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Validate and process video files; one line per file. Exits non-zero "
        "if any file was refused or failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--lesson", type=int, help="Attach the video to this lesson page id."
        )
        parser.add_argument(
            "--unit",
            help="Code of the unit owning the videos (default: the root unit).",
        )

    def handle(self, *args, files, lesson=None, unit=None, **options):
        lesson_page = self._lesson(lesson, files)
        owner = self._unit(unit)
        problems = 0
        for path in files:
            outcome, ok = self._one(path, owner, lesson_page)
            problems += not ok
            self.stdout.write(f"{path}: {outcome}")
        if problems:
            raise CommandError(f"{problems} of {len(files)} file(s) refused or failed")

    def _lesson(self, lesson_id, files):
        if lesson_id is None:
            return None
        if len(files) != 1:
            raise CommandError("--lesson takes exactly one file")
        page = LessonPage.objects.filter(pk=lesson_id).first()
        if page is None:
            raise CommandError(f"no lesson with id {lesson_id}")
        return page

    def _unit(self, code):
        units = OrgUnit.objects.filter(code=code) if code else OrgUnit.get_root_nodes()
        unit = units.first()
        if unit is None:
            raise CommandError(f"no unit {code!r}" if code else "create a unit first")
        return unit

    def _one(
        self, path: Path, unit: OrgUnit, lesson: LessonPage | None
    ) -> tuple[str, bool]:
        if not path.is_file():
            return "refused: no such file", False
        try:
            video = video_import_file(path=path, unit=unit)
        except ValidationError as refused:
            return f"refused: {' '.join(refused.messages)}", False
        if video.status != Video.Status.READY:
            return f"failed: {video.failure_message}", False
        if lesson is not None:
            self._attach(lesson, video)
        how = "remuxed" if video.remuxed else "transcoded"
        return (
            f"ready: video {video.pk}, {video.duration:.1f} s, "
            f"{video.width}x{video.height}, {how}"
            + (f", attached to lesson {lesson.pk}" if lesson else "")
        ), True

    @transaction.atomic
    def _attach(self, lesson: LessonPage, video: Video) -> None:
        # A new revision, published only if the lesson was already live:
        # editors keep control of what goes out.
        page = lesson.get_latest_revision_as_object()
        page.video = video
        revision = page.save_revision()
        if lesson.live:
            revision.publish()
