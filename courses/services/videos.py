"""Video services: upload, process into web renditions, sweep stale jobs.

Upload validates with ffprobe before anything is stored; processing runs
in a Celery task (``courses.tasks``) and is idempotent: the status row is
the guard, outputs have fixed names and are moved into place, and a lease
tells a live worker from a lost one.
"""

import contextlib
import logging
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import leases, transcoding, video_files
from courses.models import Video
from lms.core.models import OrgUnit, User
from lms.core.permissions import can_manage_unit
from lms.core.status import status_change, status_check, status_record

log = logging.getLogger(__name__)

#: Processing attempts before a video that keeps killing its worker fails.
MAX_ATTEMPTS = 3
#: A queued video whose message may have been lost is sent again after this.
RESEND_AFTER = timedelta(minutes=10)


def _limits() -> dict:
    return {
        "max_seconds": settings.LMS_VIDEO_MAX_SECONDS,
        "max_bytes": settings.LMS_VIDEO_MAX_BYTES,
        "max_dimension": settings.LMS_VIDEO_MAX_DIMENSION,
    }


def _time_budget(info: transcoding.Probe) -> float:
    """ffmpeg's time for this video: follows its real length (``probe``'s)."""
    return transcoding.time_budget(
        info.duration,
        per_second=settings.LMS_VIDEO_TIMEOUT_PER_SECOND,
        ceiling=settings.LMS_VIDEO_TIMEOUT_SECONDS,
    )


def _move(video: Video, to: str, *, actor: User | None = None, note: str = "") -> None:
    """``lms.core.status.status_change`` for a video, which also stamps
    ``status_changed_at`` (the sweeper's clock) and saves the whole row:
    the caller sets the other fields first (and holds the row lock)."""
    status_check(video, to=to)
    video.status_changed_at = timezone.now()
    status_change(video, to=to, actor=actor, comment=note)


#: Characters that reorder text: U+202E (right-to-left override) before
#: "4pm.exe" makes a title read "exe.mp4" in every listing.  Bidi embeddings,
#: overrides, isolates and marks.
_BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_TITLE_MAX = Video._meta.get_field("title").max_length


def video_title_clean(text: str) -> str:
    """``text`` fit to show as a title: bidi controls and other control
    characters removed, line breaks and runs of spaces made one space.

    Pure; for typed titles and titles made from file names alike (the
    trainee's video lessons use it too).
    """
    kept = []
    for char in str(text or ""):
        category = unicodedata.category(char)
        if char.isspace() or category in ("Zl", "Zp"):
            kept.append(" ")
        elif not (
            char in _BIDI_CONTROLS or category in ("Cc", "Cs") or char == "\ufeff"
        ):
            kept.append(char)
    return " ".join("".join(kept).split())


def _cut(text: str, length: int) -> str:
    """``text`` in at most ``length`` characters, not ending on half of a
    joined sequence (a combining accent's letter, an emoji's joiner)."""
    if len(text) <= length:
        return text
    cut = text[:length]
    while cut and (
        unicodedata.combining(text[len(cut)]) or unicodedata.category(cut[-1]) == "Cf"
    ):
        cut = cut[:-1]
    return cut.rstrip()


def _clean_title(title: str, filename: str) -> str:
    """The typed title, or one made from the file name.

    A typed title that is too long is refused (its author can shorten it); a
    file name's is cut to fit, whole characters only, since nobody typed it.
    """
    title = video_title_clean(title)
    if not title:
        title = _cut(video_title_clean(Path(filename or "").stem), _TITLE_MAX)
    if not title:
        raise ValidationError(_("Please give the video a title."))
    if len(title) > _TITLE_MAX:
        raise ValidationError(_("The title is too long; keep it under 200 characters."))
    return title


def _suffix(filename: str) -> str:
    suffix = Path(filename or "").suffix.lower()[:9]
    return suffix if suffix[1:].isalnum() else ""


def video_upload(
    *,
    actor: User,
    upload: File,
    filename: str,
    title: str,
    unit: OrgUnit,
    in_library: bool = True,
) -> Video:
    """Check an upload, store it and queue its processing.

    Coordinators upload for units in their subtree; anyone may upload for
    their own home unit (trainees' video lessons).  The check
    (``transcoding.probe``) takes no header's word: it reads where the last
    packet ends and decodes a frame.  A refused file raises
    ``ValidationError`` with a sentence naming the reason, and nothing is
    stored.  An empty title is made from the file name, cut to fit; bidi
    and control characters leave typed and made titles alike.  Processing is queued after the transaction commits.  A video
    not ``in_library`` (a trainee's own recording) stays out of the unit's
    library: coordinators neither list nor reuse it.
    """
    if not (can_manage_unit(actor, unit) or unit.pk == actor.home_unit_id):
        raise PermissionDenied
    return _store(
        upload=upload,
        filename=filename,
        title=title,
        unit=unit,
        uploaded_by=actor,
        in_library=in_library,
    )


def _store(
    *,
    upload: File,
    filename: str,
    title: str,
    unit: OrgUnit,
    uploaded_by: User | None,
    queue: bool = True,
    in_library: bool = True,
) -> Video:
    title = _clean_title(title, filename)
    with video_files.local_path_of(upload) as path:
        try:
            info = transcoding.probe(path, **_limits())
        except transcoding.VideoRefused as refused:
            raise ValidationError(refused.message, code=refused.code) from refused
        except transcoding.TranscodeFailed as failed:
            raise ValidationError(failed.message, code="probe_failed") from failed
    video = Video(
        title=title, unit=unit, uploaded_by=uploaded_by, in_library=in_library
    )
    storage = video_files.video_storage()
    stored = storage.save(f"{video.key}/original{_suffix(filename)}", upload)
    try:
        with transaction.atomic():
            video.original_name = stored
            # For display only: cleaned as a title is.
            video.original_filename = video_title_clean(Path(filename or "").name)[:255]
            video.original_size = info.size
            video.duration = info.duration
            video.save()
            status_record(video, actor=uploaded_by, comment="uploaded")
            if queue:
                _queue_processing(video)
    except BaseException:
        video_files.delete_folder(storage, str(video.key))
        raise
    return video


def _queue_processing(video: Video) -> None:
    from courses.tasks import video_transcode_task

    video_transcode_task.delay_on_commit(video_id=video.pk)


def _lease_seconds() -> int:
    return settings.LMS_VIDEO_LEASE_SECONDS


def _claim(video_id: int) -> tuple[Video, str] | None:
    """Take the video for processing, or None if there is nothing to do."""
    now = timezone.now()
    with transaction.atomic():
        video = Video.objects.select_for_update().filter(pk=video_id).first()
        if video is None or video.status in (Video.Status.READY, Video.Status.FAILED):
            return None
        if video.status == Video.Status.PROCESSING:
            if (
                video.lease_until
                and video.lease_until > now
                and leases.holder_alive(video.lease_holder)
            ):
                raise leases.LeaseHeld((video.lease_until - now).total_seconds())
            _move(video, Video.Status.QUEUED, note="lease lapsed; taken over")
        holder = leases.new_holder()
        video.lease_holder = holder
        video.lease_until = now + timedelta(seconds=_lease_seconds())
        video.attempts += 1
        _move(video, Video.Status.PROCESSING, note=holder)
    return video, holder


def _renew(video_id: int, holder: str) -> None:
    Video.objects.filter(pk=video_id, lease_holder=holder).update(
        lease_until=timezone.now() + timedelta(seconds=_lease_seconds())
    )


def _fail(video_id: int, holder: str, code: str, detail: str = "") -> Video:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video_id)
        if video.status == Video.Status.PROCESSING and video.lease_holder == holder:
            video.failure_code = code
            video.failure_detail = detail[-4000:]
            video.lease_holder, video.lease_until = "", None
            _move(video, Video.Status.FAILED, note=code)
    return video


def _finish(
    video_id: int, holder: str, done: transcoding.Renditions, names: dict
) -> Video:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video_id)
        if video.status != Video.Status.PROCESSING or video.lease_holder != holder:
            # Someone else took the video over while we worked; the files
            # have the same names, so theirs and ours are interchangeable.
            return video
        video.main_name = names["main"]
        video.low_name = names.get("low", "")
        video.poster_name = names["poster"]
        video.duration = done.duration
        video.width, video.height = done.width, done.height
        video.remuxed = done.remuxed
        video.failure_code = video.failure_detail = ""
        video.lease_holder, video.lease_until = "", None
        video.ready_at = timezone.now()
        _move(
            video, Video.Status.READY, note="remuxed" if done.remuxed else "transcoded"
        )
        if done.remuxed:
            from courses.tasks import video_low_rendition_task

            video_low_rendition_task.delay_on_commit(video_id=video.pk)
    return video


def video_process(*, video_id: int) -> Video | None:
    """Make the web renditions, poster and duration of a queued video.

    Idempotent: a ready or failed video is left alone; a video another live
    worker holds raises ``LeaseHeld`` (the task retries later); a lapsed
    lease is taken over.  Files are made in a work folder and moved to
    fixed names, so a second delivery never makes duplicates, and the
    status becomes ready only once they are all in place.
    """
    claimed = _claim(video_id)
    if claimed is None:
        return Video.objects.filter(pk=video_id).first()
    video, holder = claimed
    with leases.running(holder):
        return _run(video, holder)


@contextlib.contextmanager
def _workspace(storage, name: str):
    """The stored file ``name`` as a local path, ffprobe's view of it, and a
    work folder for ffmpeg's output (removed afterwards)."""
    with video_files.local_copy(storage, name) as source:
        info = transcoding.probe(source, **_limits())
        with video_files.work_dir(storage) as folder:
            yield source, info, folder


def _run(video: Video, holder: str) -> Video:
    storage = video_files.video_storage()
    try:
        with _workspace(storage, video.original_name) as (source, info, folder):
            done = transcoding.make_renditions(
                source,
                info,
                out_dir=folder,
                timeout=_time_budget(info),
                low=not info.is_web_ready,
                max_seconds=settings.LMS_VIDEO_MAX_SECONDS,
                on_tick=lambda: _renew(video.pk, holder),
            )
            names = {
                "main": video_files.publish(
                    storage, done.main, f"{video.key}/main.mp4"
                ),
                "poster": video_files.publish(
                    storage, done.poster, f"{video.key}/poster.jpg"
                ),
            }
            if done.low:
                names["low"] = video_files.publish(
                    storage, done.low, f"{video.key}/low.mp4"
                )
    except FileNotFoundError:
        return _fail(video.pk, holder, "missing")
    except transcoding.VideoRefused as refused:
        return _fail(video.pk, holder, "refused", refused.message)
    except transcoding.TranscodeFailed as failed:
        code = "timeout" if failed.timed_out else "damaged"
        log.warning("video %s failed: %s", video.pk, failed.detail)
        return _fail(video.pk, holder, code, failed.detail)
    return _finish(video.pk, holder, done, names)


def video_make_low(*, video_id: int) -> Video | None:
    """Add the 360p rendition to a video that was ready by a remux.

    Idempotent: does nothing when the rendition exists; the file has a
    fixed name and is moved into place before the row points at it.
    """
    video = Video.objects.filter(pk=video_id).first()
    if video is None or video.status != Video.Status.READY or video.low_name:
        return video
    storage = video_files.video_storage()
    with _workspace(storage, video.main_name) as (source, info, folder):
        made = transcoding.make_low_rendition(
            source,
            info,
            out_path=folder / "low.mp4",
            timeout=_time_budget(info),
            max_seconds=settings.LMS_VIDEO_MAX_SECONDS,
        )
        name = video_files.publish(storage, made, f"{video.key}/low.mp4")
    Video.objects.filter(pk=video.pk, low_name="").update(low_name=name)
    video.refresh_from_db()
    return video


def video_retry(*, actor: User | None, video: Video) -> Video:
    """Queue a failed video again (after a fix to the pipeline, say)."""
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        video.failure_code = video.failure_detail = ""
        video.attempts = 0
        _move(video, Video.Status.QUEUED, actor=actor, note="retry")
        _queue_processing(video)
    return video


def _requeue_one(video_id: int, now: datetime) -> bool:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video_id)
        if video.status != Video.Status.PROCESSING:
            return False
        lapsed = video.lease_until is None or video.lease_until <= now
        if not lapsed and leases.holder_alive(video.lease_holder):
            return False
        video.lease_holder, video.lease_until = "", None
        if video.attempts >= MAX_ATTEMPTS:
            video.failure_code = "crashed"
            _move(video, Video.Status.FAILED, note="gave up after lost workers")
            return False
        _move(video, Video.Status.QUEUED, note="worker lost; re-queued")
        _queue_processing(video)
        return True


def videos_requeue_stale(*, now: datetime | None = None) -> list[int]:
    """Put videos whose worker was lost back in the queue.

    Run by Celery beat every minute and when a worker starts.  A video in
    processing whose lease lapsed, or whose process on this machine is
    gone, goes back to queued (or to failed after ``MAX_ATTEMPTS``), and
    the work folders such processes left are removed; a
    queued video waiting longer than ``RESEND_AFTER`` is sent again, and a
    remuxed video still missing its 360p rendition gets it queued again.
    Sending twice is harmless: processing is idempotent.
    """
    from courses.tasks import video_low_rendition_task, video_transcode_task

    now = now or timezone.now()
    video_files.remove_orphaned_work(
        video_files.video_storage(),
        older_than=settings.LMS_VIDEO_TIMEOUT_SECONDS + 2 * _lease_seconds(),
    )
    requeued = [
        pk
        for pk in Video.objects.filter(status=Video.Status.PROCESSING).values_list(
            "pk", flat=True
        )
        if _requeue_one(pk, now)
    ]
    waiting = Video.objects.filter(
        status=Video.Status.QUEUED, status_changed_at__lt=now - RESEND_AFTER
    )
    for pk in list(waiting.values_list("pk", flat=True)):
        Video.objects.filter(pk=pk).update(status_changed_at=now)
        video_transcode_task.delay(video_id=pk)
        requeued.append(pk)
    for pk in Video.objects.filter(
        status=Video.Status.READY,
        remuxed=True,
        low_name="",
        ready_at__lt=now - RESEND_AFTER,
    ).values_list("pk", flat=True):
        video_low_rendition_task.delay(video_id=pk)
    return requeued


def video_delete(*, actor: User, video: Video) -> None:
    """Delete a video and all its files.  Lessons showing it lose their
    video (their text and quiz stay)."""
    if not (actor.is_superuser or can_manage_unit(actor, video.unit)):
        raise PermissionDenied
    key = str(video.key)
    video.delete()
    transaction.on_commit(
        lambda: video_files.delete_folder(video_files.video_storage(), key)
    )


def video_discard(*, video: Video) -> None:
    """Remove an upload its caller gave up on: the rows and the files that
    ``video_upload`` (and any processing since) made for it.

    For the code that just uploaded ``video``, when its own transaction
    fails, so there is no actor to check.  The files go at once, not on
    commit: the caller's transaction is usually the one rolling back.  The
    rows are found by the video's key, never by a primary key a rollback
    may have handed to another video.
    """
    if not video.key:
        return
    Video.objects.filter(key=video.key).delete()
    video_files.delete_folder(video_files.video_storage(), str(video.key))


def video_import_file(*, path: Path, unit: OrgUnit, title: str = "") -> Video:
    """Validate and process a file on this machine, in this process.

    For the ``video_import`` command and the demo data: whoever can run
    commands on the server is trusted, so there is no actor.  Raises
    ``ValidationError`` for a refused file (nothing stored); returns the
    video, ready or failed.
    """
    with open(path, "rb") as handle:
        video = _store(
            upload=File(handle, name=str(path)),
            filename=path.name,
            title=title,
            unit=unit,
            uploaded_by=None,
            queue=False,
        )
    video = video_process(video_id=video.pk)
    if video.is_ready and video.remuxed and not video.low_name:
        video = video_make_low(video_id=video.pk)
    return video
