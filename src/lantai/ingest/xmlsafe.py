"""Parsing XML the senders give us (目录文件.XML, per-item metadata, EEP) without DTDs.

Any DOCTYPE, entity declaration or external reference is refused with
``ingest.xml_forbidden_construct`` (defusedxml, expat underneath: no network, no
expansion). Declared GB18030/GBK/GB2312 documents are transcoded to UTF-8 first, because
expat only knows single-byte encodings natively.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings

from lantai.ingest.errors import TooLarge, XmlForbiddenConstruct, XmlMalformed

_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.-]+)[\"'][^>]*\?>", re.I)
_NATIVE = {"utf-8", "utf8", "us-ascii", "ascii", "utf-16", "iso-8859-1", "latin-1"}


def parse_bytes(data: bytes, label: str) -> ET.Element:
    data = _to_utf8(data, label)
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise XmlForbiddenConstruct(path=label) from exc
    except (ET.ParseError, ValueError) as exc:
        raise XmlMalformed(path=label, reason=str(exc)[:200]) from exc


def parse_file(path: Path, label: str) -> ET.Element:
    size = path.stat().st_size
    if size > settings.INGEST_MAX_XML_BYTES:
        raise TooLarge(limit=settings.INGEST_MAX_XML_BYTES)
    return parse_bytes(path.read_bytes(), label)


def _to_utf8(data: bytes, label: str) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    m = _DECL.match(data[:400])
    if not m:
        return data
    encoding = m.group(1).decode("ascii").lower()
    if encoding in _NATIVE:
        return data
    if encoding in {"gbk", "gb2312", "gb18030", "cp936"}:
        encoding = "gb18030"  # a superset of both
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise XmlMalformed(path=label, reason=f"encoding {encoding}: {str(exc)[:120]}") from exc
    body = text[m.end() :]  # the declaration is ASCII: as many characters as bytes
    return b'<?xml version="1.0" encoding="UTF-8"?>' + body.encode("utf-8")


def local(tag: str) -> str:
    """Tag name without a namespace."""
    return tag.rsplit("}", 1)[-1]


def text_of(el: ET.Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def leaves(el: ET.Element) -> dict[str, str]:
    """The text of every leaf element under ``el`` by local tag name (first one wins)."""
    out: dict[str, str] = {}
    for child in el.iter():
        if child is el or len(child):
            continue
        name = local(child.tag)
        if name not in out and (child.text or "").strip():
            out[name] = (child.text or "").strip()
    return out
