"""Scheme-driven form rows for the staff UI: which widget each field gets, its current value
and its inline error. Pure shaping; validation happens in ``validation``/``services``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lantai.catalog.models import Item, MetadataField, OpenStatus, RetentionPeriod, Volume
from lantai.catalog.seeds import OPEN_STATUS_NAMES, SECURITY_LEVEL_NAMES

LONG_TEXT = 300


@dataclass
class FormRow:
    code: str
    label: str
    widget: str  # "text" | "textarea" | "select" | "readonly"
    value: str
    required: bool = False
    help: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    max_length: int | None = None
    m_number: str = ""
    is_core: bool = True


def _display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    return str(value)


def initial_values(unit: Item | Volume) -> dict[str, str]:
    """The record's values as the form shows them (dates as YYYYMMDD)."""
    values: dict[str, str] = {
        "archival_code": unit.archival_code,
        "fonds_code": unit.fonds.code,
        "year": _display(unit.year),
        "retention": str(unit.retention_id),
        "org_code": unit.org_code,
        "org_name": unit.org_name,
        "number": _display(unit.number),
        "title": unit.title,
        "responsible_party": unit.responsible_party,
        "security_level": str(unit.security_level),
        "open_status": unit.open_status,
        "page_count": _display(unit.page_count),
        "notes": unit.notes,
    }
    if isinstance(unit, Item):
        values.update(document_number=unit.document_number, date=_display(unit.date))
    else:
        values.update(
            date_start=_display(unit.date_start), date_end=_display(unit.date_end), box_number=unit.box_number
        )
    for key, value in (unit.extra or {}).items():
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            value = value.replace("-", "")
        values.setdefault(key, _display(value))
    return values


def rows_for(
    fields: list[MetadataField],
    values: Mapping[str, object],
    errors: Mapping[str, str],
    *,
    clearance: int = 4,
    readonly: tuple[str, ...] = (),
) -> list[FormRow]:
    retention = [(r.code, f"{r.code} {r.name}") for r in RetentionPeriod.objects.all()]
    rows = []
    for f in fields:
        value = _display(values.get(f.code))
        row = FormRow(
            code=f.code,
            label=f.name,
            widget="text",
            value=value,
            required=f.required,
            help=f.help_text,
            error=errors.get(f.code, ""),
            max_length=f.max_length,
            m_number=f.m_number,
            is_core=f.is_core,
        )
        if f.code in readonly:
            row.widget = "readonly"
        elif f.code == "retention":
            row.widget, row.options = "select", retention
        elif f.code == "security_level":
            row.widget = "select"
            row.options = [(str(i), name) for i, name in enumerate(SECURITY_LEVEL_NAMES) if i <= clearance]
        elif f.code == "open_status":
            row.widget = "select"
            row.options = [(code, OPEN_STATUS_NAMES[code]) for code in OpenStatus.values]
        elif f.data_type == "choice" and f.choices:
            row.widget, row.options = "select", [(str(c), str(c)) for c in f.choices]
        elif f.data_type == "text" and (f.max_length is None or f.max_length > LONG_TEXT):
            row.widget = "textarea"
        if f.data_type == "date" and not row.help:
            row.help = "YYYYMMDD"
        rows.append(row)
    return rows


def posted_values(
    post: Mapping[str, Any], fields: list[MetadataField], skip: tuple[str, ...] = ()
) -> dict[str, str]:
    return {
        f.code: str(post.get(f"f_{f.code}", ""))
        for f in fields
        if f.code not in skip and f"f_{f.code}" in post
    }


def errors_by_field(details: object) -> dict[str, str]:
    found: dict[str, str] = {}
    if isinstance(details, list):
        for d in details:
            if isinstance(d, dict) and d.get("field"):
                found.setdefault(str(d["field"]), str(d.get("message") or d.get("rule") or ""))
    return found


def parse_components(text: str) -> list[dict[str, Any]]:
    """The rule editor's text form: one component per line — ``kind``, ``kind?`` (optional),
    ``number 4`` (width), ``sep -`` or ``literal ABC``."""
    components: list[dict[str, Any]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, _space, rest = line.partition(" ")
        component: dict[str, Any] = {}
        if kind.endswith("?"):
            kind = kind[:-1]
            component["optional"] = True
        component["kind"] = kind
        rest = rest.strip()
        if kind in ("sep", "literal"):
            component["value"] = rest
        elif rest:
            try:
                component["width"] = int(rest)
            except ValueError:
                component["value"] = rest
        if kind == "org_code" and "optional" not in component:
            component["optional"] = False
        components.append(component)
    return components


def format_components(components: list[dict[str, Any]]) -> str:
    lines = []
    for c in components:
        kind = str(c.get("kind", ""))
        optional = c.get("optional", kind == "org_code")
        head = kind + ("?" if optional else "")
        if kind in ("sep", "literal"):
            lines.append(f"{kind} {c.get('value', '')}")
        elif "width" in c:
            lines.append(f"{head} {c['width']}")
        else:
            lines.append(head)
    return "\n".join(lines)
