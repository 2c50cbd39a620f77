"""A Django upload handler that streams each multipart file into staging while hashing it.

Installed on the request before its body is read (``request.upload_handlers = [...]``), it
replaces Django's temporary-file handler: every chunk is written once and fed to SM3 and
SHA-256 at the same time, so a file is on disk and hashed when the body has been read, and
never held in memory. Size limits are enforced while streaming.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from lantai.core.hashing import MultiHasher
from lantai.ingest.errors import TooLarge, TooManyFiles
from lantai.ingest.staging import StagedFile, Staging


class StagedUpload(UploadedFile):
    """The uploaded file as staged: ``staged`` carries its path, size and digests."""

    def __init__(self, staged: StagedFile, field_name: str, name: str, content_type: str | None) -> None:
        super().__init__(None, name=name, content_type=content_type, size=staged.size)
        self.staged = staged
        self.field_name = field_name

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> StagedUpload:
        self.file = self.staged.staged.open("rb")
        return self

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class StagingUploadHandler(FileUploadHandler):
    chunk_size = 1 << 20

    def __init__(self, staging: Staging, request: Any = None) -> None:
        super().__init__(request)
        self.staging = staging
        self.count = 0
        self._out: Any = None
        self._hasher: MultiHasher | None = None
        self._path: Any = None

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        if content_length and content_length > settings.INGEST_MAX_PACKAGE_BYTES + (1 << 20):
            raise TooLarge(limit=settings.INGEST_MAX_PACKAGE_BYTES)
        return None

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, Any] | None = None,
    ) -> None:
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.count += 1
        if self.count > settings.INGEST_MAX_FILES:
            raise TooManyFiles(limit=settings.INGEST_MAX_FILES)
        parts = self.staging.root / "parts"
        parts.mkdir(exist_ok=True)
        self._path = parts / f"{self.count:06d}"
        self._out = self._path.open("xb")
        self._hasher = MultiHasher()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self._out is not None and self._hasher is not None
        self.staging.count(len(raw_data))
        self._hasher.update(raw_data)
        self._out.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> StagedUpload:
        assert self._out is not None and self._hasher is not None
        self._out.close()
        d = self._hasher.result()
        staged = StagedFile(self.field_name, self._path, d.size, dict(d.values))
        self._out = None
        return StagedUpload(staged, self.field_name, self.file_name or self.field_name, self.content_type)

    def upload_interrupted(self) -> None:
        if self._out is not None:
            self._out.close()
