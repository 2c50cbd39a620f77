"""Format identification by content: libmagic MIME for every file, our own rule for OFD, and
PRONOM PUIDs from fido only where libmagic does not pin the format down.

Why not fido on every file: it costs ~25 ms a file even with signatures loaded once (and
~0.8 s when started per file), against ~1 ms for libmagic; PUIDs add nothing when the MIME
already maps to an allowed format, so fido runs only for files outside the allowed list,
where a precise PUID helps the archivist (PERFORMANCE-ANCHORS G7).
"""

from __future__ import annotations

import threading
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext_lazy as _

from lantai.core.errors import LantaiError

OFD_NAMESPACE = "http://www.ofdspec.org/2016"
OFD_MIME = "application/ofd"
ZIP_MIMES = {"application/zip", "application/x-zip-compressed", "application/octet-stream"}
MAX_OFD_ROOT_BYTES = 1 << 20  # OFD.xml is a few KB; a larger entry is not an OFD entry point


@dataclass
class FormatInfo:
    mime: str
    description: str
    extension: str  # lower case, from the received name
    puid: str = ""
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = {"mime": self.mime, "description": self.description[:200], "extension": self.extension}
        if self.puid:
            data["puid"] = self.puid
        if self.error:
            data["error"] = self.error
        return data


_magic_lock = threading.Lock()


@cache
def _magic(mime: bool) -> Any:
    # Imported here, not at module load: without the libmagic1 system library the web
    # server must still start; only format identification reports the missing library.
    try:
        import magic
    except ImportError as exc:
        raise LibmagicMissing() from exc
    return magic.Magic(mime=mime)


class LibmagicMissing(LantaiError):
    code = "checks.libmagic_missing"
    http_status = 500
    default_message = _("Format identification needs the libmagic1 system library; install it and retry.")


def extension_of(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else ""


def is_ofd(path: Path) -> bool:
    """GB/T 33190: a zip whose OFD.xml root element is in the OFD namespace."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("OFD.xml")
            if info.file_size > MAX_OFD_ROOT_BYTES or info.flag_bits & 0x1:
                return False
            root = SafeET.fromstring(z.read(info))
    except (KeyError, zipfile.BadZipFile, OSError, SafeET.ParseError, ValueError, NotImplementedError):
        return False
    except Exception:  # defusedxml refuses entities/DTDs: not an OFD we accept
        return False
    return str(root.tag).startswith("{" + OFD_NAMESPACE + "}")


class _FidoRunner:
    """fido with its PRONOM signatures loaded once per process."""

    def __init__(self) -> None:
        from fido.fido import CONFIG_DIR, Fido
        from fido.versions import get_local_versions

        # The defaults dict fido's CLI fills in main() is not filled for library use: name the
        # signature files of the installed release ourselves.
        versions = get_local_versions(CONFIG_DIR)
        self.matches: list[Any] = []
        self.fido = Fido(
            quiet=True,
            nocontainer=True,
            handle_matches=self._handle,
            format_files=[versions.pronom_signature, versions.fido_extension_signature],
        )
        self.lock = threading.Lock()

    def _handle(self, fullname: str, matches: list[Any], delta_t: float, matchtype: str = "") -> None:
        self.matches = matches

    def puid(self, path: Path) -> str:
        with self.lock:
            self.matches = []
            self.fido.identify_file(str(path), extension=False)
            if not self.matches:
                return ""
            return str(self.fido.get_puid(self.matches[0][0]))


@cache
def _fido() -> _FidoRunner:
    return _FidoRunner()


def pronom_puid(path: Path) -> str:
    import contextlib
    import io

    try:
        # fido writes diagnostics to stderr (e.g. zero-byte files); keep them out of our logs
        with contextlib.redirect_stderr(io.StringIO()):
            return _fido().puid(path)
    except Exception:
        return ""


def describe(path: Path) -> str:
    """libmagic's long description ("PDF document, version 1.4"): evidence for rejected files only,
    since a second libmagic pass on every file halves the identification rate."""
    try:
        with _magic_lock:
            return str(_magic(False).from_file(str(path)))[:200]
    except Exception:
        return ""


def identify(path: Path, name: str) -> FormatInfo:
    ext = extension_of(name)
    try:
        with _magic_lock:
            mime = _magic(True).from_file(str(path))
    except Exception as exc:  # libmagic failure on a hostile file: report, don't crash
        return FormatInfo("application/octet-stream", "", ext, error=f"{type(exc).__name__}: {exc}"[:200])
    info = FormatInfo(mime, "", ext)
    if mime in ZIP_MIMES and is_ofd(path):
        info.mime = OFD_MIME
        info.description = "OFD document (GB/T 33190)"
    return info
