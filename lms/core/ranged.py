"""Serve a stored file with HTTP Range support, so a <video> element can seek.

Django's ``FileResponse`` always answers 200 with the whole file. Browsers
need 206 Partial Content to seek in a video (Safari will not even start
playback without it), and media files here are permission-checked, so they
cannot simply be left to the web server's static file handling.

This module reads through the Django storage API only (``open``, ``size``,
optionally ``get_modified_time``), never ``storage.path``, so it works the
same on the local disk and on S3. It streams in 64 KiB chunks from a seek and
never holds the file in memory.

A production deployment may replace this with ``X-Accel-Redirect`` (nginx)
or ``X-Sendfile``: the view checks permissions, then hands an internal URL to
the web server, which does the ranges itself. This code is the fallback that
works everywhere, including ``runserver`` and the tests.

Only single ranges are honoured; a multi-range request is answered with the
whole file, which RFC 9110 allows.
"""

import re
from collections.abc import Iterator
from typing import IO

from django.core.files.storage import Storage
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import (
    content_disposition_header,
    http_date,
    parse_http_date_safe,
)

CHUNK_SIZE = 64 * 1024

_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")


class _RangeNotSatisfiable(Exception):
    """The Range header uses bytes but names no byte inside the file."""


class _Validators:
    """The ETag and modification time of a stored file, when the storage knows."""

    def __init__(self, *, storage: Storage, name: str, size: int) -> None:
        try:
            modified = storage.get_modified_time(name)
        except NotImplementedError:
            modified = None
        self.timestamp: int | None = None
        self.etag: str | None = None
        if modified is not None:
            self.timestamp = int(modified.timestamp())
            self.etag = f'"{size:x}-{int(modified.timestamp() * 1_000_000):x}"'

    def match_if_range(self, value: str) -> bool:
        """Whether an If-Range value still names this version of the file."""
        value = value.strip()
        if value.startswith(('"', "W/")):
            # A weak ETag never matches: If-Range needs a strong comparison.
            return self.etag is not None and value == self.etag
        date = parse_http_date_safe(value)
        return date is not None and date == self.timestamp


class _FileChunks:
    """The bytes ``start`` to ``start + length`` of an open file, in chunks.

    ``StreamingHttpResponse`` calls ``close()`` when the response is finished,
    even if the body was never read (client gone), so the file never leaks;
    reading to the end closes it too.
    """

    def __init__(self, *, file: IO[bytes], start: int, length: int) -> None:
        self._file = file
        self._start = start
        self._length = length

    def __iter__(self) -> Iterator[bytes]:
        try:
            self._file.seek(self._start)
            remaining = self._length
            while remaining > 0:
                chunk = self._file.read(min(CHUNK_SIZE, remaining))
                if not chunk:
                    # The file shrank after we measured it; the client will
                    # see a short body rather than a hang.
                    break
                remaining -= len(chunk)
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self._file.close()


def ranged_file_response(
    request: HttpRequest,
    *,
    storage: Storage,
    name: str,
    content_type: str,
    filename: str | None = None,
    max_age: int = 3600,
) -> HttpResponseBase:
    """Answer a GET or HEAD for the stored file ``name``, honouring Range.

    The caller has already checked permission; the response is marked
    ``private`` so shared caches do not keep it. Answers 200 (whole file),
    206 (one byte range) or 416 (a byte range outside the file). HEAD gets
    the headers of the 200 answer and no body.
    """
    size = storage.size(name)
    validators = _Validators(storage=storage, name=name, size=size)
    try:
        byte_range = _requested_range(request=request, size=size, validators=validators)
    except _RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Content-Length"] = "0"
    else:
        response = _content_response(
            request=request,
            storage=storage,
            name=name,
            size=size,
            byte_range=byte_range,
        )
    _set_file_headers(
        response=response,
        content_type=content_type,
        filename=filename,
        max_age=max_age,
        validators=validators,
    )
    return response


def video_file_response(
    request: HttpRequest, *, storage: Storage, video, quality: str | None = None
) -> HttpResponseBase:
    """A processed video's rendition (``quality`` ``"main"`` 720p or
    ``"low"`` 360p) or, without ``quality``, its poster; a 404 until the
    video is ready or for a rendition it does not have.  Never the
    original upload.  ``video`` is anything with ``is_ready``,
    ``main_name``, ``low_name`` and ``poster_name`` (a courses video); the
    caller has already checked that the person may watch it."""
    if quality is None:
        name, content_type = video.poster_name, "image/jpeg"
    else:
        name = {"main": video.main_name, "low": video.low_name}.get(quality)
        content_type = "video/mp4"
    if not video.is_ready or not name:
        raise Http404
    return ranged_file_response(
        request, storage=storage, name=name, content_type=content_type
    )


def _requested_range(
    *, request: HttpRequest, size: int, validators: _Validators
) -> tuple[int, int] | None:
    """The (first, last) byte to send, or None to send the whole file."""
    header = request.headers.get("Range")
    if request.method != "GET" or not header:
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and not validators.match_if_range(if_range):
        # The client's partial copy is stale: it needs the whole new file.
        return None
    return _parse_range(header=header, size=size)


def _parse_range(*, header: str, size: int) -> tuple[int, int] | None:
    """Parse one ``bytes=`` range against a file of ``size`` bytes.

    Returns None for a header to ignore (another unit, several ranges) and
    raises ``_RangeNotSatisfiable`` for a bytes range that is malformed or
    starts past the end.
    """
    unit, equals, spec = header.partition("=")
    if not equals or unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _RANGE_SPEC.fullmatch(spec.strip())
    if match is None or match.groups() == ("", ""):
        raise _RangeNotSatisfiable
    first, last = match.groups()
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise _RangeNotSatisfiable
        return max(size - suffix, 0), size - 1
    start = int(first)
    if start >= size or (last and int(last) < start):
        raise _RangeNotSatisfiable
    end = size - 1 if not last else min(int(last), size - 1)
    return start, end


def _content_response(
    *,
    request: HttpRequest,
    storage: Storage,
    name: str,
    size: int,
    byte_range: tuple[int, int] | None,
) -> HttpResponseBase:
    """A 200 or 206 response streaming the chosen bytes (none for HEAD)."""
    start, end = byte_range or (0, size - 1)
    length = end - start + 1
    if request.method == "HEAD":
        # Not even opened: HEAD must not carry a body, whatever serves it.
        response: HttpResponseBase = HttpResponse(status=200)
    else:
        chunks = _FileChunks(file=storage.open(name, "rb"), start=start, length=length)
        response = StreamingHttpResponse(chunks, status=206 if byte_range else 200)
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    return response


def _set_file_headers(
    *,
    response: HttpResponseBase,
    content_type: str,
    filename: str | None,
    max_age: int,
    validators: _Validators,
) -> None:
    """Headers every answer carries, whatever its status."""
    response["Content-Type"] = content_type
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"private, max-age={max_age}"
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=filename)
        if filename
        else "inline"
    )
    if validators.etag is not None:
        response["ETag"] = validators.etag
        response["Last-Modified"] = http_date(validators.timestamp)
