"""Safe unpacking: package paths checked and decoded, zip entries inflated under limits.

Refused (before anything is written under the entry's name): absolute paths, drive letters,
``..``, backslash tricks, control characters, symbolic links, encrypted entries, compression
other than stored/deflate/bzip2/lzma, entries that inflate beyond the size or ratio limits
(counted on the bytes actually produced, not on the headers). Names without the UTF-8 flag
are decoded as UTF-8 when they are valid UTF-8, else as GB18030 (what Chinese Windows
writes), and kept in NFC — never transliterated. Nested archives stay files: they are
scanned by the antivirus, not unpacked.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings

from lantai.core.hashing import CHUNK_SIZE, MultiHasher
from lantai.core.i18n import nfc
from lantai.ingest.errors import (
    BadFileName,
    DuplicatePath,
    EncryptedEntry,
    SymlinkRefused,
    TooManyFiles,
    UnparseablePackage,
    UnsafePath,
    UnsupportedCompression,
    ZipBomb,
)
from lantai.ingest.staging import DEFAULT, StagedFile, Staging

ACCEPTED_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Entries smaller than this are not judged by ratio (a tiny file of zeros compresses 1000:1).
RATIO_FLOOR_BYTES = 1 << 20


def safe_relpath(name: str) -> str:
    """Validate a package path and return it NFC-normalised with '/' separators."""
    if not name or _CONTROL.search(name):
        raise BadFileName(path=name[:200])
    text = nfc(name.replace("\\", "/"))
    if text.startswith("/") or _DRIVE.match(text) or text.startswith("~"):
        raise UnsafePath(path=text[:200])
    parts = text.split("/")
    if parts and parts[-1] == "":
        parts = parts[:-1]  # a directory entry
    if ".." in parts:
        raise UnsafePath(path=text[:200])
    parts = [p for p in parts if p not in ("", ".")]
    if not parts:
        raise BadFileName(path=name[:200])
    return "/".join(parts)


def decode_zip_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise BadFileName(path=info.filename[:200]) from exc


def is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def scan_zip_algorithms(zf: zipfile.ZipFile) -> set[str]:
    """Algorithms named by BagIt manifests in the archive, known before any payload is read."""
    found = set()
    for info in zf.infolist():
        m = re.search(r"(?:^|/)(?:tag)?manifest-(\w+)\.txt$", info.filename)
        if m:
            found.add(m.group(1).lower())
    return found


def unpack_zip(zip_path: Path, staging: Staging) -> tuple[dict[str, StagedFile], tuple[str, ...]]:
    """Extract every entry into ``staging.payload`` while hashing it. Returns the files by
    package path and the algorithms computed."""
    from lantai.ingest.staging import algorithms_for

    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnparseablePackage(kind="zip", reason=str(exc)[:200]) from exc
    files: dict[str, StagedFile] = {}
    with zf:
        infos = zf.infolist()
        if len(infos) > settings.INGEST_MAX_FILES:
            raise TooManyFiles(limit=settings.INGEST_MAX_FILES)
        algorithms = algorithms_for(scan_zip_algorithms(zf))
        # Headers first: refuse what is visibly unsafe before writing a single byte.
        declared_total = 0
        entries: list[tuple[zipfile.ZipInfo, str]] = []
        seen: set[str] = set()
        for info in infos:
            name = decode_zip_name(info)
            path = safe_relpath(name)
            if is_symlink(info):
                raise SymlinkRefused(path=path)
            if info.flag_bits & 0x1:
                raise EncryptedEntry(path=path)
            if info.compress_type not in ACCEPTED_COMPRESSION:
                raise UnsupportedCompression(path=path)
            if info.is_dir() or name.endswith(("/", "\\")):
                continue
            if path in seen:
                raise DuplicatePath(path=path)
            seen.add(path)
            declared_total += info.file_size
            if declared_total > settings.INGEST_MAX_PACKAGE_BYTES or _ratio_exceeded(
                info.file_size, info.compress_size
            ):
                raise ZipBomb(path=path)
            entries.append((info, path))
        for info, path in entries:
            files[path] = _extract(zf, info, path, staging, algorithms)
    return files, algorithms


def _ratio_exceeded(produced: int, compressed: int) -> bool:
    return produced > RATIO_FLOOR_BYTES and produced > settings.INGEST_MAX_RATIO * max(compressed, 1)


def _extract(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, staging: Staging, algorithms: Iterable[str]
) -> StagedFile:
    target = staging.payload / path
    hasher = MultiHasher(algorithms)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, target.open("xb") as out:
            while chunk := src.read(CHUNK_SIZE):
                hasher.update(chunk)
                staging.count(len(chunk))
                # Counted on the bytes produced: a lying header cannot hide a bomb.
                if hasher.size > info.file_size or _ratio_exceeded(hasher.size, info.compress_size):
                    raise ZipBomb(path=path)
                out.write(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise UnparseablePackage(kind="zip", reason=f"{path}: {str(exc)[:150]}") from exc
    d = hasher.result()
    return StagedFile(path, target, d.size, dict(d.values))


def copy_tree(source: Path, staging: Staging, algorithms: Iterable[str] = DEFAULT) -> dict[str, StagedFile]:
    """Copy a folder package (CLI, DA/T 93 folder) into staging while hashing; symlinks refused.

    Every path is validated before a byte is copied. Files are copied by a few threads: SM3
    runs at ~200 MB/s a core and hashlib releases the GIL on large updates, so a multi-file
    transfer uses every core (each file is still read once)."""
    entries: list[tuple[Path, str]] = []
    seen: set[str] = set()
    for item in sorted(source.rglob("*")):
        rel = item.relative_to(source).as_posix()
        if item.is_symlink():
            raise SymlinkRefused(path=nfc(rel))
        if item.is_dir():
            continue
        if len(entries) >= settings.INGEST_MAX_FILES:
            raise TooManyFiles(limit=settings.INGEST_MAX_FILES)
        path = safe_relpath(rel)
        if path in seen:
            raise DuplicatePath(path=path)
        seen.add(path)
        entries.append((item, path))
    algs = tuple(algorithms)

    def copy_one(entry: tuple[Path, str]) -> StagedFile:
        item, path = entry
        with item.open("rb") as src:
            size, digests = staging.write_stream(staging.payload / path, src, algs)
        return StagedFile(path, staging.payload / path, size, digests)

    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest-copy") as pool:
        return {f.path: f for f in pool.map(copy_one, entries)}


def folder_algorithms(source: Path) -> set[str]:
    found = set()
    for item in source.rglob("*manifest-*.txt"):
        m = re.search(r"manifest-(\w+)\.txt$", item.name)
        if m:
            found.add(m.group(1).lower())
    return found


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
