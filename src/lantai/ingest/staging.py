"""Staging folders: where a submission's bytes wait, hashed as they are written.

Each received submission gets ``<LANTAI_INGEST_STAGING_DIR>/<uuid>/``; ``upload/`` holds the
raw upload (a package file), ``payload/`` the files under their package paths. A folder is
removed on every refusal (``Staging`` is a context manager that removes it unless
``keep()`` was called) and once its submission is accepted, returned or failed;
``sweep_stale`` removes folders left by a killed process.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from django.conf import settings

from lantai.core.hashing import CHUNK_SIZE, SUPPORTED_ALGORITHMS, MultiHasher, digest_file
from lantai.ingest.errors import TooLarge

DEFAULT = ("sm3", "sha256")


def algorithms_for(declared: Iterable[str]) -> tuple[str, ...]:
    """SM3 and SHA-256 always, plus the algorithms the sender declared, so that one read
    pass yields every digest that will be compared."""
    extra = [a for a in declared if a in SUPPORTED_ALGORITHMS and a not in DEFAULT]
    return DEFAULT + tuple(sorted(set(extra)))


@dataclass
class StagedFile:
    path: str  # package-relative, NFC
    staged: Path  # absolute path of the bytes
    size: int
    digests: dict[str, str] = field(default_factory=dict)

    def ensure(self, algorithms: Iterable[str]) -> None:
        """Add digests for algorithms that were not known when the file was received (a
        legacy md5/sha1 declared inside per-item metadata): a second read, for those only."""
        missing = [a for a in algorithms if a not in self.digests and a in SUPPORTED_ALGORITHMS]
        if missing:
            self.digests.update(digest_file(self.staged, missing).values)


def staging_root() -> Path:
    root = Path(settings.INGEST_STAGING_DIR)
    root.mkdir(parents=True, exist_ok=True)
    return root


class Staging:
    """One staging folder; removed on exit unless kept."""

    def __init__(self, key: str | None = None) -> None:
        self.key = key or uuid.uuid4().hex
        self.root = staging_root() / self.key
        self.root.mkdir(parents=True, exist_ok=True)
        self.payload = self.root / "payload"
        self.payload.mkdir(exist_ok=True)
        self._keep = False
        self.bytes_written = 0
        self._lock = threading.Lock()

    def keep(self) -> None:
        self._keep = True

    @property
    def kept(self) -> bool:
        return self._keep

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._keep or exc_type is not None:
            self.remove()

    def count(self, n: int) -> None:
        with self._lock:  # several copy threads may write into one staging folder
            self.bytes_written += n
            total = self.bytes_written
        if total > settings.INGEST_MAX_PACKAGE_BYTES:
            raise TooLarge(limit=settings.INGEST_MAX_PACKAGE_BYTES)

    def write_stream(
        self, target: Path, stream: BinaryIO, algorithms: Iterable[str] = DEFAULT
    ) -> tuple[int, dict[str, str]]:
        """Copy a stream to ``target`` while hashing: each byte is read once."""
        hasher = MultiHasher(algorithms)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as out:
            while chunk := stream.read(CHUNK_SIZE):
                self.count(len(chunk))
                hasher.update(chunk)
                out.write(chunk)
        d = hasher.result()
        return d.size, dict(d.values)


def open_staging(key: str) -> Path:
    return staging_root() / key


def remove_staging(key: str) -> None:
    if key:
        shutil.rmtree(staging_root() / key, ignore_errors=True)


def sweep_stale(max_age_hours: int | None = None) -> list[str]:
    """Remove staging folders older than the limit that no live submission points to."""
    from lantai.ingest.models import Submission

    limit = (max_age_hours or settings.INGEST_STAGING_MAX_AGE_HOURS) * 3600
    root = staging_root()
    live = set(
        Submission.objects.filter(
            status__in=[Submission.Status.RECEIVED, Submission.Status.CHECKING, Submission.Status.PASSED]
        )
        .exclude(staging_key="")
        .values_list("staging_key", flat=True)
    )
    removed = []
    now = time.time()
    for entry in root.iterdir():
        if entry.name in live or not entry.is_dir():
            continue
        if now - entry.stat().st_mtime >= limit:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def canonical_listing(files: Iterable[StagedFile]) -> str:
    """The package's content listing: ``<sha256>  <path>`` lines sorted by path (the same
    form as a BagIt manifest). Its digest identifies the content for idempotency."""
    return "".join(f"{f.digests['sha256']}  {f.path}\n" for f in sorted(files, key=lambda f: f.path))


def listing_digests(files: Iterable[StagedFile], metadata_json: str = "") -> dict[str, str]:
    text = (canonical_listing(files) + metadata_json).encode("utf-8")
    return {"sm3": hashlib.new("sm3", text).hexdigest(), "sha256": hashlib.sha256(text).hexdigest()}


def file_size(path: Path) -> int:
    return os.stat(path).st_size
