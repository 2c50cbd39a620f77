"""The object store seam: put a file once by its content, open, verify and delete it.

``LocalObjectStore`` keeps objects under ``LANTAI_DATA_DIR/objects`` as
``sha256/ab/cd/<hex>`` (two fan-out levels, so no directory grows beyond 65,536 entries).
A put writes to a temporary file in the same directory tree, fsyncs it and renames it in
place, so a crash leaves either nothing or a whole object; putting the same bytes twice is
a no-op. Optional replica roots (``LANTAI_STORAGE_REPLICAS``) receive the same layout.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lantai.core.errors import LantaiError
from lantai.core.hashing import CHUNK_SIZE, MultiHasher, digest_file


class ObjectMissing(LantaiError):
    code = "storage.object_missing"
    http_status = 404
    default_message = _("The stored object is missing.")


class ObjectCorrupt(LantaiError):
    code = "storage.object_corrupt"
    http_status = 500
    default_message = _("The stored object does not match its digest.")


@dataclass(frozen=True)
class ObjectRef:
    key: str
    size: int
    sm3: str
    sha256: str


class ObjectStore(Protocol):
    def put_file(self, path: Path, *, sha256: str | None = None, sm3: str | None = None) -> ObjectRef: ...

    def open(self, key: str) -> BinaryIO: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def verify(self, key: str) -> ObjectRef: ...


def key_for(sha256: str) -> str:
    return f"sha256/{sha256}"


class LocalObjectStore:
    """Content-addressed files on a local (or mounted) file system."""

    def __init__(self, root: Path, replicas: list[Path] | None = None) -> None:
        self.root = root
        self.replicas = replicas or []

    def _path(self, root: Path, key: str) -> Path:
        algorithm, _sep, hexdigest = key.partition("/")
        if (
            algorithm != "sha256"
            or len(hexdigest) != 64
            or not all(c in "0123456789abcdef" for c in hexdigest)
        ):
            raise ObjectMissing(details={"key": key})
        return root / algorithm / hexdigest[:2] / hexdigest[2:4] / hexdigest

    def path_of(self, key: str) -> Path:
        return self._path(self.root, key)

    def put_file(self, path: Path, *, sha256: str | None = None, sm3: str | None = None) -> ObjectRef:
        """Store the file's bytes. When the caller already knows both digests (it hashed the
        file while receiving it) the copy is not hashed again, but the digest of the copy is
        still checked when the object is new, so a changed staging file is never stored
        under a wrong key."""
        if sha256 and sm3:
            size = path.stat().st_size
            ref = ObjectRef(key_for(sha256), size, sm3, sha256)
            if self.exists(ref.key) and self.path_of(ref.key).stat().st_size == size:
                self._replicate(ref)
                return ref
            if self._link_in(path, ref):
                self._replicate(ref)
                return ref
        ref = self._copy_in(self.root, path)
        if sha256 and ref.sha256 != sha256:
            raise ObjectCorrupt(details={"expected": sha256, "actual": ref.sha256, "path": str(path)})
        self._replicate(ref)
        return ref

    def _link_in(self, source: Path, ref: ObjectRef) -> bool:
        """Hard-link a file whose digests were computed when it was received (staging and the
        store share a file system): no byte is read or written again. False when linking is
        not possible (another file system), so the caller copies instead."""
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        tmp = tmp_dir / f"link-{ref.sha256}-{os.getpid()}"
        try:
            os.link(source, tmp)
        except OSError:
            return False
        try:
            final = self.path_of(ref.key)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
        finally:
            if tmp.exists():
                tmp.unlink()
        return True

    def _copy_in(self, root: Path, source: Path) -> ObjectRef:
        """Copy while hashing (one read of the source), then fsync and rename into place."""
        hasher = MultiHasher()
        tmp_dir = root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="put-")
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                while chunk := src.read(CHUNK_SIZE):
                    hasher.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            digests = hasher.result()
            ref = ObjectRef(key_for(digests.sha256), digests.size, digests.sm3, digests.sha256)
            final = self._path(root, ref.key)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists() and final.stat().st_size == ref.size:
                os.unlink(tmp_name)
            else:
                os.replace(tmp_name, final)
                _fsync_dir(final.parent)
            return ref
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def _replicate(self, ref: ObjectRef) -> None:
        for replica in self.replicas:
            target = self._path(replica, ref.key)
            if target.exists() and target.stat().st_size == ref.size:
                continue
            copied = self._copy_in(replica, self.path_of(ref.key))
            if copied.sha256 != ref.sha256:
                raise ObjectCorrupt(details={"key": ref.key, "replica": str(replica)})

    def open(self, key: str) -> BinaryIO:
        path = self.path_of(key)
        if not path.exists():
            raise ObjectMissing(details={"key": key})
        return path.open("rb")

    def exists(self, key: str) -> bool:
        return self.path_of(key).exists()

    def delete(self, key: str) -> None:
        for root in [self.root, *self.replicas]:
            path = self._path(root, key)
            if path.exists():
                path.unlink()

    def verify(self, key: str) -> ObjectRef:
        """Re-read the object and compare with its key; raises storage.object_corrupt."""
        path = self.path_of(key)
        if not path.exists():
            raise ObjectMissing(details={"key": key})
        digests = digest_file(path)
        if key_for(digests.sha256) != key:
            raise ObjectCorrupt(details={"key": key, "actual": digests.sha256})
        return ObjectRef(key, digests.size, digests.sm3, digests.sha256)

    def replica_count(self, key: str) -> int:
        return sum(1 for replica in self.replicas if self._path(replica, key).exists())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def get_store() -> LocalObjectStore:
    return LocalObjectStore(Path(settings.STORAGE_ROOT), [Path(p) for p in settings.STORAGE_REPLICAS])


def clear_tmp(store: LocalObjectStore) -> None:
    """Remove leftovers of interrupted puts (called by the staging sweeper)."""
    for root in [store.root, *store.replicas]:
        shutil.rmtree(root / "tmp", ignore_errors=True)
