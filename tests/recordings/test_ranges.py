"""Recordings served with byte ranges, so players can seek (stories/recordings/ranges.py).

No database: a FileSystemStorage on a temporary directory and RequestFactory
requests are all file_response() needs.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import StreamingHttpResponse
from django.test import RequestFactory, override_settings

from stories.recordings import ranges
from stories.recordings.ranges import file_response

SIZE = 200_000
# Every byte value, over and over: a slice from the wrong offset shows.
CONTENT = (bytes(range(256)) * (SIZE // 256 + 1))[:SIZE]
NAME = "recordings/story-12.mp3"
EMPTY = "recordings/empty.mp3"


class RecordingStorage(FileSystemStorage):
    """Keeps every file it opens, so a test can see whether each was closed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.opened = []

    def open(self, name, mode="rb"):
        file = super().open(name, mode)
        self.opened.append(file)
        return file


class NoModifiedTimeStorage(RecordingStorage):
    def get_modified_time(self, name):
        # As a storage that has no modification times (the base class's).
        return Storage.get_modified_time(self, name)


@pytest.fixture
def storage(tmp_path):
    storage = RecordingStorage(location=tmp_path)
    storage.save(NAME, ContentFile(CONTENT))
    storage.save(EMPTY, ContentFile(b""))
    storage.opened.clear()
    return storage


def serve(storage, name=NAME, method="get", **meta):
    request = getattr(RequestFactory(), method)("/recording", **meta)
    return file_response(
        request, storage, name, content_type="audio/mpeg", download_name="story-12.mp3"
    )


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def assert_whole(response):
    assert response.status_code == 200
    assert "Content-Range" not in response
    assert response["Content-Length"] == str(SIZE)
    assert body(response) == CONTENT


# The whole file


def test_no_range_sends_the_whole_file(storage):
    response = serve(storage)
    assert response.streaming
    assert_whole(response)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'inline; filename="story-12.mp3"'


def test_no_range_on_an_empty_file(storage):
    response = serve(storage, EMPTY)
    assert response.status_code == 200
    assert response["Content-Length"] == "0"
    assert body(response) == b""


def test_the_file_is_read_in_chunks(storage):
    chunks = list(serve(storage).streaming_content)
    assert len(chunks) == -(-SIZE // ranges.CHUNK_SIZE)
    assert max(len(chunk) for chunk in chunks) == ranges.CHUNK_SIZE
    assert b"".join(chunks) == CONTENT


# One range


@pytest.mark.parametrize(
    "header, start, end",
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, SIZE - 1),
        ("bytes=-500", SIZE - 500, SIZE - 1),
        # The end clamped to the file's.
        ("bytes=199990-300000", 199990, SIZE - 1),
        ("bytes=5-5", 5, 5),
        ("bytes=0-0", 0, 0),
        ("bytes=199999-", SIZE - 1, SIZE - 1),
        # A suffix longer than the file is the whole file, still as a range.
        ("bytes=-300000", 0, SIZE - 1),
        # Spread over several chunks, starting and ending inside one.
        ("bytes=1000-150000", 1000, 150000),
        # The unit is case-insensitive; whitespace and empty list elements are allowed.
        ("Bytes = 0-99 ", 0, 99),
        ("bytes=0-99,", 0, 99),
        ("bytes=, 0-99", 0, 99),
        ("bytes=000100-000199", 100, 199),
        # Numbers too long for int() still mean "beyond the end".
        ("bytes=10-" + "9" * 5000, 10, SIZE - 1),
        ("bytes=-" + "9" * 5000, 0, SIZE - 1),
    ],
)
def test_one_range_is_partial_content(storage, header, start, end):
    response = serve(storage, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert response["Content-Length"] == str(end - start + 1)
    assert body(response) == CONTENT[start : end + 1]
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'inline; filename="story-12.mp3"'


@pytest.mark.parametrize(
    "name, header",
    [
        (NAME, "bytes=200000-"),
        (NAME, "bytes=200000-200010"),
        (NAME, "bytes=" + "9" * 5000 + "-"),
        (NAME, "bytes=5-2"),
        (NAME, "bytes=-0"),
        (EMPTY, "bytes=0-"),
        (EMPTY, "bytes=0-10"),
        (EMPTY, "bytes=-10"),
    ],
)
def test_a_range_beyond_the_file_is_unsatisfiable(storage, name, header):
    response = serve(storage, name, HTTP_RANGE=header)
    size = SIZE if name == NAME else 0
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"
    assert response["Content-Length"] == "0"
    assert body(response) == b""
    assert response["Cache-Control"] == "no-store"
    assert storage.opened == []


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc",
        "items=0-1",
        "bytes=",
        "bytes=-",
        "bytes",
        "0-99",
        "bytes=0-1,5-6",
        "bytes=0-99,-5",
        "bytes=-5-10",
        "bytes=-1-",
        "bytes=1.5-2",
        "bytes=+1-2",
        "bytes=0x10-",
        "bytes=1 - 2",
        "bytes=\u0661-\u0662",  # Arabic-Indic digits, which int() would take
        "bytes=0-99;q=1",
        "",
    ],
)
def test_a_range_that_cannot_be_parsed_is_ignored(storage, header):
    assert_whole(serve(storage, HTTP_RANGE=header))


# HEAD


@pytest.mark.parametrize(
    "header, status, length",
    [(None, 200, SIZE), ("bytes=100-199", 206, 100), ("bytes=200000-", 416, 0)],
)
def test_head_answers_as_get_without_the_body(storage, header, status, length):
    headers = {"HTTP_RANGE": header} if header else {}
    head = serve(storage, method="head", **headers)
    get = serve(storage, **headers)
    assert head.status_code == get.status_code == status
    assert head["Content-Length"] == str(length)
    assert body(head) == b""
    for field in (
        "Content-Length",
        "Content-Range",
        "Content-Type",
        "Content-Disposition",
        "Cache-Control",
        "Accept-Ranges",
        "ETag",
    ):
        assert head.get(field) == get.get(field)
    body(get)
    # HEAD never opens the file: GET's was the only one.
    assert len(storage.opened) == (1 if status != 416 else 0)


# If-Range and the ETag


def test_the_etag_is_the_size_and_the_modification_time(storage):
    modified = int(storage.get_modified_time(NAME).timestamp())
    assert serve(storage)["ETag"] == f'"{SIZE}-{modified}"'


def test_if_range_with_the_current_etag_sends_the_range(storage):
    etag = serve(storage)["ETag"]
    response = serve(storage, HTTP_RANGE="bytes=0-99", HTTP_IF_RANGE=etag)
    assert response.status_code == 206
    assert body(response) == CONTENT[:100]


@pytest.mark.parametrize(
    "if_range",
    [
        '"1-2"',
        "W/{etag}",  # A weak validator never matches (a strong comparison).
        "Sat, 01 Jan 2000 00:00:00 GMT",  # Only ETags are compared.
        "",
    ],
)
def test_if_range_with_another_validator_sends_the_whole_file(storage, if_range):
    etag = serve(storage)["ETag"]
    response = serve(storage, HTTP_RANGE="bytes=0-99", HTTP_IF_RANGE=if_range.format(etag=etag))
    assert_whole(response)


def test_if_range_that_does_not_match_overrides_an_unsatisfiable_range(storage):
    assert_whole(serve(storage, HTTP_RANGE="bytes=300000-", HTTP_IF_RANGE='"1-2"'))


def test_without_modification_times_there_is_no_etag(tmp_path):
    storage = NoModifiedTimeStorage(location=tmp_path)
    storage.save(NAME, ContentFile(CONTENT))
    response = serve(storage, HTTP_RANGE="bytes=0-99")
    assert "ETag" not in response
    assert response.status_code == 206
    body(response)
    # Any If-Range, then, can only mean the whole file.
    assert_whole(serve(storage, HTTP_RANGE="bytes=0-99", HTTP_IF_RANGE='"200000-0"'))


# The file is closed


def test_the_file_is_closed_once_the_response_is_consumed(storage):
    response = serve(storage, HTTP_RANGE="bytes=10-")
    (file,) = storage.opened
    assert not file.closed
    assert body(response) == CONTENT[10:]
    assert file.closed


@pytest.fixture
def no_connection_upkeep():
    """Closing a response sends request_finished, whose receiver checks the database
    connections; these tests have no database, and one an earlier test opened must not be
    touched from here (pytest-django blocks it)."""
    request_finished.disconnect(close_old_connections)
    yield
    request_finished.connect(close_old_connections)


def test_the_file_is_closed_when_the_response_is_closed_unread(storage, no_connection_upkeep):
    response = serve(storage)
    (file,) = storage.opened
    assert not file.closed
    response.close()
    assert file.closed


def test_the_file_is_closed_when_the_response_is_closed_half_read(storage, no_connection_upkeep):
    response = serve(storage)
    (file,) = storage.opened
    next(iter(response))
    assert not file.closed
    response.close()
    assert file.closed


def test_a_file_that_shrank_ends_the_body_early(storage):
    response = serve(storage)
    with open(storage.path(NAME), "r+b") as f:
        f.truncate(1000)
    assert body(response) == CONTENT[:1000]
    assert storage.opened[0].closed


# X-Accel-Redirect


@override_settings(RECORDINGS_ACCEL_REDIRECT="/_protected/recordings/")
@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize("range_header", [None, "bytes=0-99"])
def test_accel_redirect_hands_the_file_to_nginx(storage, method, range_header):
    headers = {"HTTP_RANGE": range_header} if range_header else {}
    response = serve(storage, "recordings/story 12?#%.mp3", method=method, **headers)
    assert not isinstance(response, StreamingHttpResponse)
    # nginx answers the range itself; Django only names the file.
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == (
        "/_protected/recordings/recordings/story%2012%3F%23%25.mp3"
    )
    assert response.content == b""
    assert "Content-Length" not in response
    assert "Content-Range" not in response
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'inline; filename="story-12.mp3"'
    assert storage.opened == []


def test_accel_redirect_is_off_by_default(storage, settings):
    del settings.RECORDINGS_ACCEL_REDIRECT
    response = serve(storage)
    assert "X-Accel-Redirect" not in response
    assert_whole(response)
