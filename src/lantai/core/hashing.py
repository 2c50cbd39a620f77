"""Fixity digests: SM3 (GB/T 32905) and SHA-256 computed together in one streaming pass.

Payload bytes are read once, whatever the number of digests. SM3 comes from OpenSSL
through ``hashlib.new("sm3")``; the pure-Python ``gmssl`` SM3 is ~2,000x slower and is
never used on payloads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK_SIZE = 1 << 20
DEFAULT_ALGORITHMS = ("sm3", "sha256")
SUPPORTED_ALGORITHMS = ("sm3", "sha256", "sha512", "md5", "sha1")


@dataclass(frozen=True)
class Digests:
    size: int
    values: dict[str, str]

    def __getitem__(self, algorithm: str) -> str:
        return self.values[algorithm]

    @property
    def sm3(self) -> str:
        return self.values["sm3"]

    @property
    def sha256(self) -> str:
        return self.values["sha256"]


class MultiHasher:
    """Feeds each chunk to every hash object, so the bytes are read once."""

    def __init__(self, algorithms: Iterable[str] = DEFAULT_ALGORITHMS) -> None:
        self._hashes = {name: new_hash(name) for name in algorithms}
        self.size = 0

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        for h in self._hashes.values():
            h.update(chunk)

    def result(self) -> Digests:
        return Digests(self.size, {name: h.hexdigest() for name, h in self._hashes.items()})


def new_hash(algorithm: str) -> hashlib._Hash:
    name = algorithm.lower().replace("-", "")
    if name not in SUPPORTED_ALGORITHMS:
        raise ValueError(f"unsupported digest algorithm: {algorithm}")
    return hashlib.new(name)


def digest_stream(stream: BinaryIO, algorithms: Iterable[str] = DEFAULT_ALGORITHMS) -> Digests:
    hasher = MultiHasher(algorithms)
    while chunk := stream.read(CHUNK_SIZE):
        hasher.update(chunk)
    return hasher.result()


def digest_file(path: Path, algorithms: Iterable[str] = DEFAULT_ALGORITHMS) -> Digests:
    with path.open("rb") as stream:
        return digest_stream(stream, algorithms)


def digest_bytes(data: bytes, algorithms: Iterable[str] = DEFAULT_ALGORITHMS) -> Digests:
    hasher = MultiHasher(algorithms)
    hasher.update(data)
    return hasher.result()


def sm3_hex(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()
