"""Virus scanning through a real ClamAV ``clamd`` (one ``VirusScanner`` protocol, one implementation).

The scanner streams each file once over INSTREAM, so clamd may run on another host and
never needs read access to staging. With no clamd configured, or clamd unreachable, the
result is ``not_configured`` / ``error`` — the virus check then reports "not performed",
never "passed".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import clamd
from django.conf import settings


class ScanStatus(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    ERROR = "error"
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class ScanResult:
    status: ScanStatus
    signature: str | None = None
    detail: str = ""  # error text or engine version, for the evidence


class VirusScanner(Protocol):
    def scan_file(self, path: Path) -> ScanResult: ...

    def describe(self) -> str:
        """Engine and signature version (``ClamAV 1.4.6/…``), or why it is unavailable."""
        ...


class NoScanner:
    """Used when neither LANTAI_CLAMD_SOCKET nor LANTAI_CLAMD_ADDRESS is set."""

    def scan_file(self, path: Path) -> ScanResult:
        return ScanResult(ScanStatus.NOT_CONFIGURED, None, "no antivirus configured")

    def describe(self) -> str:
        return ""


class ClamdScanner:
    def __init__(self, *, socket_path: str = "", address: str = "", timeout: float = 60.0) -> None:
        if not socket_path and not address:
            raise ValueError("ClamdScanner needs a unix socket path or a host:port address")
        self.socket_path = socket_path
        self.address = address
        self.timeout = timeout

    def _client(self) -> clamd.ClamdNetworkSocket:
        if self.socket_path:
            return clamd.ClamdUnixSocket(self.socket_path, timeout=self.timeout)
        host, _, port = self.address.rpartition(":")
        return clamd.ClamdNetworkSocket(host or "127.0.0.1", int(port), timeout=self.timeout)

    def describe(self) -> str:
        try:
            return str(self._client().version())
        except (clamd.ClamdError, OSError) as exc:
            return f"unavailable: {type(exc).__name__}: {exc}"

    def scan_file(self, path: Path) -> ScanResult:
        try:
            # A large read buffer: the client sends 1 KiB frames, the file is still read once.
            with open(path, "rb", buffering=1 << 20) as stream:
                answer = self._client().instream(stream)
        except clamd.BufferTooLongError as exc:
            return ScanResult(ScanStatus.ERROR, None, f"file larger than clamd StreamMaxLength: {exc}")
        except (BrokenPipeError, ConnectionResetError) as exc:
            # clamd hangs up mid-stream when a file exceeds its StreamMaxLength
            return ScanResult(
                ScanStatus.ERROR, None, f"clamd closed the stream (file over StreamMaxLength?): {exc}"
            )
        except (TimeoutError, clamd.ClamdError, OSError) as exc:
            return ScanResult(ScanStatus.ERROR, None, f"{type(exc).__name__}: {exc}")
        if not answer or "stream" not in answer:
            return ScanResult(ScanStatus.ERROR, None, f"unexpected clamd answer: {answer!r}")
        status, reason = answer["stream"]
        if status == "OK":
            return ScanResult(ScanStatus.CLEAN)
        if status == "FOUND":
            return ScanResult(ScanStatus.INFECTED, str(reason))
        return ScanResult(ScanStatus.ERROR, None, f"clamd: {status} {reason or ''}".strip())


def get_scanner() -> VirusScanner:
    """The configured scanner: the unix socket wins over the TCP address."""
    socket_path = str(getattr(settings, "CLAMD_SOCKET", "") or "")
    address = str(getattr(settings, "CLAMD_ADDRESS", "") or "")
    timeout = float(getattr(settings, "CLAMD_TIMEOUT", 60))
    if socket_path or address:
        return ClamdScanner(socket_path=socket_path, address=address, timeout=timeout)
    return NoScanner()
