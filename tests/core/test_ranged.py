"""Range requests for stored files: what a <video> element needs to seek."""

import random
import tempfile
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.test import RequestFactory
from django.utils.http import http_date
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.core.ranged import CHUNK_SIZE, ranged_file_response

DATA = bytes(range(10)) * 10  # 100 bytes, every position distinguishable mod 10
NAME = "clip.mp4"


class RecordingStorage(FileSystemStorage):
    """A local storage that remembers every file it opened."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.opened = []

    def _open(self, name, mode="rb"):
        file = super()._open(name, mode)
        self.opened.append(file)
        return file


class MemoryStorage(Storage):
    """A remote-like storage: no ``path()`` and no modification times."""

    def __init__(self, files):
        self.files = files

    def _open(self, name, mode="rb"):
        return ContentFile(self.files[name], name=name)

    def size(self, name):
        return len(self.files[name])

    def exists(self, name):
        return name in self.files


@pytest.fixture
def storage(tmp_path):
    return RecordingStorage(location=tmp_path)


def _store(storage, data=DATA, name=NAME):
    return storage.save(name, ContentFile(data))


def _get(storage, name=NAME, method="get", **kwargs):
    headers = {key.replace("_", "-"): value for key, value in kwargs.items()}
    request = getattr(RequestFactory(), method)("/media/", headers=headers)
    return ranged_file_response(
        request, storage=storage, name=name, content_type="video/mp4"
    )


def _body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_whole_file_is_streamed_with_headers(storage):
    _store(storage)

    response = _get(storage)

    assert response.status_code == 200
    assert response.streaming
    assert _body(response) == DATA
    assert response["Content-Length"] == "100"
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["Content-Disposition"] == "inline"
    assert not response.has_header("Content-Range")
    modified = storage.get_modified_time(NAME)
    assert response["Last-Modified"] == http_date(int(modified.timestamp()))
    assert response["ETag"].startswith('"64-')  # size in hex, then the mtime


def test_max_age_is_configurable(storage):
    _store(storage)
    request = RequestFactory().get("/media/")

    response = ranged_file_response(
        request, storage=storage, name=NAME, content_type="video/mp4", max_age=60
    )

    assert response["Cache-Control"] == "private, max-age=60"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=2-5", 2, 5),
        ("bytes=0-0", 0, 0),
        ("bytes=7-", 7, 99),
        ("bytes=99-", 99, 99),
        ("bytes=-3", 97, 99),
        ("bytes=-100", 0, 99),
        ("bytes=-500", 0, 99),  # a suffix longer than the file is the whole file
        ("bytes=90-150", 90, 99),  # the end is clamped to the last byte
        ("bytes=0-99999999999999999999", 0, 99),
        ("Bytes = 2-5", 2, 5),
    ],
)
def test_single_range_gets_partial_content(storage, header, start, end):
    _store(storage)

    response = _get(storage, range=header)

    assert response.status_code == 206
    assert response.streaming
    assert _body(response) == DATA[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/100"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=100-",
        "bytes=100-200",
        "bytes=-0",
        "bytes=5-2",
        "bytes=abc",
        "bytes=-",
        "bytes=",
        "bytes=1-2-3",
        "bytes=--5",
    ],
)
def test_unsatisfiable_or_malformed_byte_range_is_416(storage, header):
    _store(storage)

    response = _get(storage, range=header)

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */100"
    assert response["Content-Length"] == "0"
    assert _body(response) == b""
    assert response["X-Content-Type-Options"] == "nosniff"
    assert storage.opened == []


def test_empty_file_is_served_whole(storage):
    _store(storage, data=b"")

    response = _get(storage)

    assert response.status_code == 200
    assert response["Content-Length"] == "0"
    assert _body(response) == b""


@pytest.mark.parametrize("header", ["bytes=0-", "bytes=0-0", "bytes=-1"])
def test_range_on_empty_file_is_416(storage, header):
    _store(storage, data=b"")

    response = _get(storage, range=header)

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */0"


@pytest.mark.parametrize(
    "header", ["bytes=0-1,5-6", "bytes=0-1, 200-300", "items=0-5", "0-5", ""]
)
def test_multi_range_or_other_unit_is_ignored(storage, header):
    _store(storage)

    response = _get(storage, range=header)

    assert response.status_code == 200
    assert _body(response) == DATA
    assert response["Content-Length"] == "100"
    assert not response.has_header("Content-Range")


def test_if_range_with_current_etag_gets_partial_content(storage):
    _store(storage)
    etag = _get(storage, method="head")["ETag"]

    response = _get(storage, range="bytes=10-19", if_range=etag)

    assert response.status_code == 206
    assert _body(response) == DATA[10:20]


def test_if_range_with_current_date_gets_partial_content(storage):
    _store(storage)
    last_modified = _get(storage, method="head")["Last-Modified"]

    response = _get(storage, range="bytes=10-19", if_range=last_modified)

    assert response.status_code == 206
    assert _body(response) == DATA[10:20]


@pytest.mark.parametrize(
    "if_range",
    [
        '"64-stale"',
        "Thu, 01 Jan 2015 00:00:00 GMT",
        "not a validator",
    ],
)
def test_if_range_that_does_not_match_gets_whole_file(storage, if_range):
    _store(storage)

    response = _get(storage, range="bytes=10-19", if_range=if_range)

    assert response.status_code == 200
    assert _body(response) == DATA


def test_if_range_with_weak_etag_gets_whole_file(storage):
    _store(storage)
    etag = _get(storage, method="head")["ETag"]

    response = _get(storage, range="bytes=10-19", if_range=f"W/{etag}")

    assert response.status_code == 200
    assert _body(response) == DATA


def test_storage_without_path_or_mtime_still_serves_ranges():
    # given a storage like S3: path() and get_modified_time() raise
    storage = MemoryStorage({NAME: DATA})

    # when
    partial = _get(storage, range="bytes=10-19")
    guarded = _get(storage, range="bytes=10-19", if_range='"anything"')

    # then
    assert partial.status_code == 206
    assert _body(partial) == DATA[10:20]
    assert not partial.has_header("ETag")
    assert not partial.has_header("Last-Modified")
    assert guarded.status_code == 200  # nothing to validate If-Range against
    assert _body(guarded) == DATA


def test_head_sends_headers_without_body_or_opening_the_file(storage):
    _store(storage)

    response = _get(storage, method="head")

    assert response.status_code == 200
    assert response["Content-Length"] == "100"
    assert response["Accept-Ranges"] == "bytes"
    assert response.has_header("ETag")
    assert _body(response) == b""
    assert storage.opened == []


def test_head_ignores_range(storage):
    _store(storage)

    response = _get(storage, method="head", range="bytes=10-19")

    assert response.status_code == 200
    assert response["Content-Length"] == "100"
    assert not response.has_header("Content-Range")


def test_large_file_is_streamed_in_chunks(storage):
    data = random.Random(0).randbytes(5 * 1024 * 1024)
    _store(storage, data=data)

    whole = _get(storage)
    partial = _get(storage, range="bytes=1000-4000000")

    assert whole.streaming and partial.streaming
    whole_chunks = list(whole.streaming_content)
    partial_chunks = list(partial.streaming_content)
    assert len(whole_chunks) == 5 * 1024 * 1024 // CHUNK_SIZE
    assert max(len(chunk) for chunk in whole_chunks) == CHUNK_SIZE
    assert b"".join(whole_chunks) == data
    assert len(partial_chunks) > 1
    assert max(len(chunk) for chunk in partial_chunks) <= CHUNK_SIZE
    assert b"".join(partial_chunks) == data[1000:4000001]
    assert partial["Content-Length"] == str(4000001 - 1000)


@pytest.mark.parametrize("header", [None, "bytes=10-19"])
def test_file_is_closed_once_the_body_is_consumed(storage, header):
    _store(storage)
    response = _get(storage, range=header) if header else _get(storage)
    [opened] = storage.opened
    assert not opened.closed

    _body(response)

    assert opened.closed


def test_file_is_closed_when_response_closes_unread(storage):
    # A client that goes away before the first chunk: the server still
    # calls close() on the response.
    _store(storage)
    response = _get(storage, range="bytes=10-19")
    [opened] = storage.opened

    response.close()

    assert opened.closed


@pytest.mark.parametrize(
    ("method", "header"),
    [
        ("get", None),
        ("get", "bytes=0-1"),
        ("get", "bytes=500-"),
        ("get", "bytes=0-1,3-4"),
        ("head", None),
    ],
)
def test_nosniff_is_always_sent(storage, method, header):
    _store(storage)
    headers = {"range": header} if header else {}

    response = _get(storage, method=method, **headers)

    assert response["X-Content-Type-Options"] == "nosniff"


def test_chinese_filename_is_encoded_in_content_disposition(storage):
    _store(storage)
    filename = "第一课 倾听.mp4"
    request = RequestFactory().get("/media/")

    response = ranged_file_response(
        request, storage=storage, name=NAME, content_type="video/mp4", filename=filename
    )

    disposition = response["Content-Disposition"]
    assert disposition == f"inline; filename*=utf-8''{quote(filename)}"
    assert "%E7%AC%AC" in disposition  # 第, percent-encoded UTF-8
    disposition.encode("latin-1")  # a valid header value


def test_ascii_filename_is_quoted_in_content_disposition(storage):
    _store(storage)
    request = RequestFactory().get("/media/")

    response = ranged_file_response(
        request, storage=storage, name=NAME, content_type="video/mp4", filename="a.mp4"
    )

    assert response["Content-Disposition"] == 'inline; filename="a.mp4"'


@settings(max_examples=150, deadline=None)
@given(data=st.data(), size=st.integers(min_value=1, max_value=5000))
def test_any_satisfiable_range_returns_exactly_those_bytes(data, size):
    content = random.Random(size).randbytes(size)
    start = data.draw(st.integers(min_value=0, max_value=size - 1), label="start")
    end = data.draw(st.integers(min_value=start, max_value=size + 50), label="end")
    last = min(end, size - 1)
    with tempfile.TemporaryDirectory() as location:
        storage = RecordingStorage(location=location)
        _store(storage, data=content)

        response = _get(storage, range=f"bytes={start}-{end}")
        body = _body(response)

        assert storage.opened[0].closed
    assert response.status_code == 206
    assert body == content[start : last + 1]
    assert response["Content-Range"] == f"bytes {start}-{last}/{size}"
    assert int(response["Content-Length"]) == len(body) == last - start + 1
