"""
Uploads stop being read into a file once they pass the recording size limit.

Django keeps every uploaded file, whatever its size, in memory or in a
temporary file before any form sees it: a 2 GB upload would fill a disk to be
refused afterwards. This handler, first in FILE_UPLOAD_HANDLERS, passes a
file's bytes on until the file passes ``RECORDING_MAX_BYTES``, then drops the
rest and hands the form an empty ``OversizedUpload`` that carries the size it
reached, so the form refuses it with its own message and keeps the other fields.

The web server's own limit on request bodies (docs/deploy.md) stays the outer
wall; this one is what a narrator meets.
"""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(SimpleUploadedFile):
    """A file that was too large: no content, and its size as far as it was read."""

    def __init__(self, size):
        super().__init__("oversized", b"", content_type="application/octet-stream")
        self.size = size


class SizeLimitedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.RECORDING_MAX_BYTES:
            return None  # the handlers after this one get no more of it
        return raw_data

    def file_complete(self, file_size):
        if self.received > settings.RECORDING_MAX_BYTES:
            return OversizedUpload(self.received)
        return None  # the next handler gives the file
