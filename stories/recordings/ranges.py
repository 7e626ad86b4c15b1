"""Serving a stored recording with HTTP range requests.

Audio players seek by asking for a byte range (``Range: bytes=123456-``); a
server that answers every request with the whole file makes most players
unable to seek, and some (Safari's) unable to play at all. Django's
FileResponse ignores the Range header, so recordings go through
file_response() here, which honours a single byte range (RFC 9110, section
14) and otherwise sends the whole file.

The view that calls file_response() decides who may hear a recording: it is
never served straight from the storage's directory. In production the bytes
can instead be handed to nginx, which then answers ranges itself: set
RECORDINGS_ACCEL_REDIRECT to the address prefix of an ``internal`` nginx
location whose ``alias`` is the storage's directory, for instance::

    RECORDINGS_ACCEL_REDIRECT = "/_recordings/"

    location /_recordings/ {
        internal;                          # never reachable from outside
        alias /srv/perspectives/media/;    # the storage's location, trailing slash
    }

A recording named ``recordings/story 12.mp3`` is then sent as
``X-Accel-Redirect: /_recordings/recordings/story%2012.mp3``;
nginx decodes the percent-escapes, refuses ``..``, and keeps the
Content-Type, Content-Disposition and Cache-Control headers set here.
"""

import re
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

# Large enough that a seek does not cost thousands of reads, small enough that
# many listeners at once do not hold much memory.
CHUNK_SIZE = 64 * 1024

# One range-spec: "first-last", "first-" or "-suffix". ASCII digits only:
# int() would also accept other scripts' digits and surrounding whitespace.
_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")

# Any number of more digits than this is beyond the end of any file, so all of
# them behave alike; capping them keeps int() away from its limit on digit
# count (a header of 5,000 digits would otherwise raise ValueError).
_MAX_DIGITS = 30


def file_response(request, storage, name, *, content_type, download_name) -> HttpResponseBase:
    """Answer GET/HEAD for the stored file `name` in `storage` (a Django Storage).

    One byte range is honoured: 200 with the whole file when there is no
    usable Range header, 206 with the asked-for bytes, 416 when the range
    lies beyond the file. The caller checks the method and who may listen;
    this only serves bytes.
    """
    headers = {
        "Content-Type": content_type,
        "Content-Disposition": content_disposition_header(False, download_name),
        # Recordings are never cached, by rule: a narrator may withdraw one
        # at any time, and no proxy or browser may keep a copy.
        "Cache-Control": "no-store",
    }

    accel_prefix = getattr(settings, "RECORDINGS_ACCEL_REDIRECT", "")
    if accel_prefix:
        # nginx reads the file and answers Range and If-Range itself, from
        # the file on disk; a Content-Length here would be the empty body's.
        response = HttpResponse(b"", headers=headers)
        response["X-Accel-Redirect"] = accel_prefix + quote(name, safe="/")
        return response

    size = storage.size(name)
    headers["Accept-Ranges"] = "bytes"
    etag = _etag(storage, name, size)
    if etag:
        headers["ETag"] = etag

    byte_range = None
    # Range is defined for GET; HEAD answers as GET would, without the body.
    if request.method in ("GET", "HEAD") and _if_range_holds(request, etag):
        byte_range = _parse_range(request.headers.get("Range"))

    if byte_range is None:
        status, start, length = 200, 0, size
    else:
        satisfiable = _resolve(byte_range, size)
        if satisfiable is None:
            headers["Content-Range"] = f"bytes */{size}"
            headers["Content-Length"] = "0"
            return HttpResponse(b"", status=416, headers=headers)
        start, end = satisfiable
        status, length = 206, end - start + 1
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"

    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return HttpResponse(b"", status=status, headers=headers)
    return StreamingHttpResponse(
        _FileSlice(storage.open(name, "rb"), start, length), status=status, headers=headers
    )


def _etag(storage, name, size):
    """A strong validator from the size and the modification time, if the storage has one."""
    try:
        modified = storage.get_modified_time(name)
    except NotImplementedError:
        return None
    return f'"{size}-{int(modified.timestamp())}"'


def _if_range_holds(request, etag):
    """Whether a Range may be honoured: If-Range, when sent, must name the file as it is now.

    Only the ETag is compared. An HTTP date in If-Range never matches, which
    costs the player a whole file instead of a range but never gives it
    bytes from a file that has since changed.
    """
    if_range = request.headers.get("If-Range")
    if if_range is None:
        return True
    # A strong comparison (RFC 9110, 13.1.5): a weak validator never matches.
    return etag is not None and if_range.strip() == etag


def _parse_range(header):
    """(first, last) or (None, suffix_length) from a Range header, or None to ignore it.

    A header that cannot be parsed is ignored, as RFC 9110 allows (14.2).
    So are several ranges: answering them needs a multipart/byteranges body
    that players never ask for, and the whole file is a correct answer.
    """
    if not header:
        return None
    unit, sep, range_set = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    # The list syntax allows empty elements ("bytes=0-99,"); they count for nothing.
    specs = [spec.strip() for spec in range_set.split(",") if spec.strip()]
    if len(specs) != 1:
        return None
    match = _RANGE_SPEC.fullmatch(specs[0])
    if match is None:
        return None
    first, last = match.groups()
    if first:
        return _number(first), _number(last) if last else None
    if last:
        return None, _number(last)
    return None


def _number(digits):
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


def _resolve(byte_range, size):
    """The (start, end) byte positions, both included, or None when the range is unsatisfiable."""
    first, last = byte_range
    if first is None:
        # A suffix: the last `last` bytes, or the whole file if it is shorter.
        if last == 0 or size == 0:
            return None
        return max(0, size - last), size - 1
    if first >= size or (last is not None and last < first):
        return None
    end = size - 1 if last is None else min(last, size - 1)
    return first, end


class _FileSlice:
    """Iterates over `length` bytes of an open file from `start`, and closes it.

    A class rather than a generator: a generator's finally block only runs
    once it has started, so a response closed before its first chunk (a
    client gone, a middleware replacing it) would leave the file open.
    Django calls close() on this when it closes the response.
    """

    def __init__(self, file, start, length):
        self.file = file
        self.start = start
        self.length = length

    def __iter__(self):
        try:
            self.file.seek(self.start)
            remaining = self.length
            while remaining > 0:
                chunk = self.file.read(min(CHUNK_SIZE, remaining))
                if not chunk:
                    # The file shrank since its size was read; the client
                    # sees a short body rather than this waiting forever.
                    break
                remaining -= len(chunk)
                yield chunk
        finally:
            # Closed as soon as the last byte is out, not only when the
            # server gets round to closing the response.
            self.close()

    def close(self):
        self.file.close()
