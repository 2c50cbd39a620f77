"""Chinese display of check evidence. Evidence is stored with stable English keys and reasons
(machine-readable, part of the JSON report); people read it through ``describe_evidence``."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext_lazy as _

KEYS = {
    "reason": _("reason"),
    "error": _("error"),
    "message": _("message"),
    "declared": _("declared"),
    "computed": _("computed"),
    "mismatch": _("mismatch"),
    "actual": _("actual"),
    "missing": _("missing"),
    "extra": _("extra"),
    "absent": _("absent"),
    "mime": _("MIME type"),
    "puid": _("PRONOM id"),
    "format": _("format"),
    "pdfa": _("PDF/A"),
    "extension": _("extension"),
    "expected_extensions": _("expected extensions"),
    "allowed": _("allowed formats"),
    "description": _("description"),
    "signature": _("virus signature"),
    "signatures": _("electronic signatures"),
    "engine": _("antivirus engine"),
    "signature_date": _("signature date"),
    "signature_age_days": _("signature age (days)"),
    "encrypted": _("encrypted"),
    "nonpublic_compression": _("non-public compression"),
    "active_content": _("active content"),
    "fonts_not_embedded": _("fonts not embedded"),
    "pages": _("pages"),
    "duration_seconds": _("duration (s)"),
    "readable": _("readable"),
    "errors": _("errors"),
    "problems": _("problems"),
    "duplicates": _("duplicates"),
    "gaps": _("gaps"),
    "repeats": _("repeats"),
    "already_filed": _("already filed"),
    "catalogue_last_number": _("last number in the catalogue"),
    "orphan_files": _("files linked to no item"),
    "archival_code": _("archival code"),
    "differs_from_metadata": _("differs from the metadata"),
    "declared_size": _("declared size"),
    "declared_format": _("declared format"),
    "declared_created": _("declared creation time"),
    "content_created": _("creation time in the file"),
    "size": _("size"),
    "files": _("files"),
    "decision": _("decision"),
}

REASONS = {
    "no digest declared": _("no digest declared"),
    "no package digest declared": _("no package digest declared"),
    "no supported algorithm declared": _("no supported digest algorithm declared"),
    "no comparable algorithm": _("no comparable digest algorithm"),
    "electronic signature or seal present: verify manually": _(
        "electronic signature or seal present: verify manually"
    ),
    "manual item": _("checked by a person"),
    "no antivirus configured": _("no antivirus configured"),
    "format not allowed": _("format not allowed for archiving"),
    "extension does not match content": _("file extension does not match the content"),
    "no content file linked": _("no content file linked"),
    "no content file": _("no content file"),
    "archival code missing": _("archival code missing"),
    "assigned on acceptance": _("assigned on acceptance"),
    "numbers assigned on acceptance": _("numbers assigned on acceptance"),
    "no metadata scheme": _("no metadata scheme"),
    "no metadata": _("no metadata"),
    "unknown category": _("unknown category"),
    "unknown fonds": _("unknown fonds"),
    "garbled text (U+FFFD)": _("garbled text (U+FFFD)"),
    "invalid Unicode (lone surrogate)": _("invalid Unicode"),
    "no reader for this audio/video container": _("no reader for this audio/video container"),
    "larger than the XML parse limit": _("larger than the XML parse limit"),
    "empty file": _("empty file"),
    "encrypted zip entries": _("encrypted zip entries"),
    "missing resources": _("missing resources"),
    "neither UTF-8 nor GB18030": _("neither UTF-8 nor GB18030"),
    "no pages": _("no pages"),
    "no playable duration": _("no playable duration"),
    "password required": _("password required"),
    "truncated: no %%EOF marker at the end": _("truncated: the end-of-file marker is missing"),
    "OFD.xml names no DocRoot": _("OFD.xml names no document"),
}

MAX_CHARS = 400


HEX = set("0123456789abcdef")


def _short(value: Any) -> Any:
    """Digests shortened for reading (the JSON report keeps them whole)."""
    if isinstance(value, str) and len(value) >= 40 and set(value) <= HEX:
        return value[:12] + "…"
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short(v) for v in value]
    return value


def _value(key: str, value: Any) -> str:
    if key in ("reason", "error") and isinstance(value, str) and value in REASONS:
        return str(REASONS[value])
    if (
        key == "errors"
        and isinstance(value, list)
        and all(isinstance(v, dict) and "message" in v for v in value)
    ):
        return " ".join(str(v["message"]) for v in value)  # FieldError messages are already localized
    value = _short(value)
    if isinstance(value, bool):
        return str(_("yes")) if value else str(_("no"))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))
    return str(value)


def describe_evidence(evidence: dict[str, Any] | None) -> str:
    """ "键：值；…" with Chinese keys and reasons, shortened for tables."""
    parts = [f"{KEYS.get(k, k)}：{_value(k, v)}" for k, v in (evidence or {}).items()]
    text = "；".join(parts)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def by_target(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per package / item / file: the codes that did not pass, by outcome (passed targets omitted),
    targets with a failure first."""
    targets: dict[str, dict[str, list[str]]] = {}
    for r in results:
        if r["outcome"] == "passed":
            continue
        codes = targets.setdefault(r["target"], {}).setdefault(r["outcome"], [])
        if r["code"] not in codes:
            codes.append(r["code"])
    order = ["failed", "warning", "manual", "not_performed"]
    return [
        {"target": t, "outcomes": [(o, by[o]) for o in order if o in by]}
        for t, by in sorted(targets.items(), key=lambda kv: ("failed" not in kv[1], kv[0]))
    ]
