"""Validate and clean item metadata against its scheme: raw strings (from Excel, JSON or
forms) become typed values, and every problem becomes a ``FieldError`` naming the field,
its Chinese label, the rule broken and the offending value.

Nothing here writes to the database; schemes and the retention table are read through a
short-lived per-process cache (edits clear it in this process, other processes see them
within ``CACHE_SECONDS``).
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lantai.catalog.seeds import OPEN_STATUS_NAMES, SECURITY_LEVEL_NAMES

if TYPE_CHECKING:
    from lantai.catalog.models import MetadataField, MetadataScheme

CACHE_SECONDS = 30.0
VALUE_PREVIEW = 100
EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_YEAR = 1000

RULES = (
    "required",
    "max_length",
    "pattern",
    "choice",
    "date",
    "integer",
    "decimal",
    "year",
    "duration",
    "unknown_code",
    "special_characters",
    "reasonableness",
)

MESSAGES: dict[str, Promise] = {
    "required": _("%(label)s is required."),
    "max_length": _("%(label)s is longer than %(limit)s characters: “%(value)s”."),
    "pattern": _("%(label)s “%(value)s” does not have the required form (%(limit)s)."),
    "choice": _("%(label)s “%(value)s” is not one of the allowed values: %(limit)s."),
    "date": _("%(label)s “%(value)s” is not a valid date (write it as YYYYMMDD, e.g. 20110305)."),
    "integer": _("%(label)s “%(value)s” is not a whole number."),
    "decimal": _("%(label)s “%(value)s” is not a number."),
    "year": _("%(label)s “%(value)s” is not a four-digit year."),
    "duration": _("%(label)s “%(value)s” is not a duration (write it as h:mm:ss, e.g. 0:03:25)."),
    "unknown_code": _("%(label)s “%(value)s” is not a known code; use one of: %(limit)s."),
    "special_characters": _("%(label)s contains control characters that cannot be stored: “%(value)s”."),
    "reasonableness": _("%(label)s “%(value)s” is not plausible: %(limit)s."),
}

SECURITY_LEVELS: dict[str, int] = {name: level for level, name in enumerate(SECURITY_LEVEL_NAMES)}
SECURITY_LEVELS.update({"非密": 0, "国内": 1, "public": 0, "internal": 1, "secret": 2, "confidential": 3})
SECURITY_LEVELS.update({"top secret": 4, "top_secret": 4})
OPEN_STATUSES: dict[str, str] = {name: code for code, name in OPEN_STATUS_NAMES.items()}
OPEN_STATUSES.update({code: code for code in OPEN_STATUS_NAMES})
OPEN_STATUSES.update({"延期开放": "controlled", "不开放": "controlled", "未开放": "controlled"})


@dataclass(frozen=True)
class FieldError:
    field: str
    label: str
    rule: str
    message: str
    value: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class _Cache:
    def __init__(self) -> None:
        self.entries: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any, load: Any) -> Any:
        now = time.monotonic()
        hit = self.entries.get(key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
        value = load()
        self.entries[key] = (now, value)
        return value

    def clear(self) -> None:
        self.entries.clear()


_cache = _Cache()


def clear_cache() -> None:
    """Called by the services after a scheme, field or retention edit."""
    _cache.clear()


def fields_of(scheme: MetadataScheme) -> list[MetadataField]:
    from lantai.catalog.models import MetadataField

    return list(
        _cache.get(("fields", scheme.pk), lambda: list(MetadataField.objects.filter(scheme_id=scheme.pk)))
    )


def field_map(scheme: MetadataScheme) -> dict[str, MetadataField]:
    return {f.code: f for f in fields_of(scheme)}


def header_map(scheme: MetadataScheme) -> dict[str, MetadataField]:
    """Excel headers → fields: the Chinese name, then aliases and the field code where they do
    not clash with a name."""
    fields = fields_of(scheme)
    headers: dict[str, MetadataField] = {}
    for f in fields:
        for alias in [f.code, *(f.aliases or [])]:
            headers.setdefault(_header_key(str(alias)), f)
    for f in fields:
        headers[_header_key(f.name)] = f
    return headers


def _header_key(text: str) -> str:
    """Headers match regardless of full-width brackets, spaces and a trailing ``*`` (required)."""
    text = unicodedata.normalize("NFKC", text).strip().rstrip("*").strip()
    return re.sub(r"\s+", "", text)


def lookup_header(scheme: MetadataScheme, header: str) -> MetadataField | None:
    return header_map(scheme).get(_header_key(header))


def retention_codes() -> dict[str, str]:
    """Accepted spellings → retention code: codes first (so legacy 永久 stays 永久), then names."""
    from lantai.catalog.models import RetentionPeriod

    def load() -> dict[str, str]:
        rows = list(RetentionPeriod.objects.values_list("code", "name"))
        mapping: dict[str, str] = {}
        for code, name in rows:
            mapping.setdefault(name, code)
            mapping.setdefault(name.replace("（旧）", "").replace("(旧)", ""), code)
        for code, _name in rows:
            mapping[code] = code
            mapping[code.upper()] = code
        return mapping

    return dict(_cache.get(("retention",), load))


def _preview(value: object) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= VALUE_PREVIEW else text[: VALUE_PREVIEW - 1] + "…"


class _Invalid(Exception):
    def __init__(self, rule: str, limit: object = "") -> None:
        super().__init__(rule)
        self.rule = rule
        self.limit = limit


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel hands whole numbers over as floats
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    return unicodedata.normalize("NFC", str(value)).strip()


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\n\r" for ch in text)


_DATE_PATTERNS = [
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
    re.compile(
        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
        r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    ),
]


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 100000:  # an Excel serial day number
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        value = str(int(value))
    text = _as_text(value)
    if text.startswith("[") and text.endswith("]"):  # 考证日期 (DA/T 18) is written in brackets
        text = text[1:-1].strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                break
    raise _Invalid("date")


def parse_integer(value: object) -> int:
    if isinstance(value, bool):
        raise _Invalid("integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _Invalid("integer")
    text = _as_text(value).replace(",", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+\.0+", text):
        return int(text.split(".")[0])
    raise _Invalid("integer")


def parse_duration(value: object) -> str:
    """Normalised to ``H:MM:SS`` (text, so it survives JSON); seconds alone are accepted."""
    if isinstance(value, dt.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
    elif isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = int(value)
    else:
        text = _as_text(value)
        match = re.fullmatch(r"(?:(\d+):)?([0-5]?\d):([0-5]\d)(?:\.\d+)?", text)
        if match:
            hours, minutes, secs = match.groups()
            seconds = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
        elif re.fullmatch(r"\d+", text):
            seconds = int(text)
        else:
            raise _Invalid("duration")
    if seconds <= 0:
        raise _Invalid("reasonableness", gettext("a duration must be longer than zero"))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _check_year(year: int) -> int:
    if not MIN_YEAR <= year <= 9999:
        raise _Invalid("year")
    if year > dt.date.today().year + 1:
        raise _Invalid("reasonableness", gettext("the year lies in the future"))
    return year


def _clean_special(code: str, value: object) -> Any:
    """Core fields whose value domain is a code table rather than the field's choice list."""
    if code == "security_level":
        text = _as_text(value)
        text = text.split("★")[0].strip()  # 机密★10年: the period is recorded separately
        if re.fullmatch(r"[0-4]", text):
            return int(text)
        if text.lower() in SECURITY_LEVELS:
            return SECURITY_LEVELS[text.lower()]
        raise _Invalid("choice", "、".join(SECURITY_LEVEL_NAMES))
    if code == "open_status":
        text = _as_text(value)
        if text.lower() in OPEN_STATUSES:
            return OPEN_STATUSES[text.lower()]
        raise _Invalid("choice", "、".join(OPEN_STATUS_NAMES.values()))
    if code == "retention":
        text = _as_text(value)
        codes = retention_codes()
        if text in codes:
            return codes[text]
        if text.upper() in codes:
            return codes[text.upper()]
        raise _Invalid("unknown_code", "、".join(sorted(set(codes.values()), key=lambda c: (len(c), c))))
    raise KeyError(code)


SPECIAL_CODES = {"security_level", "open_status", "retention"}


def clean_value(f: MetadataField, value: object) -> Any:
    """One field's typed value; raises ``_Invalid`` (internal) with the rule broken."""
    if f.code in SPECIAL_CODES:
        return _clean_special(f.code, value)
    kind = f.data_type
    if kind == "date":
        date = parse_date(value)
        if date.year < MIN_YEAR:
            raise _Invalid("date")
        if date > dt.date.today() + dt.timedelta(days=1):
            raise _Invalid("reasonableness", gettext("the date lies in the future"))
        return date
    if kind == "year":
        try:
            return _check_year(parse_integer(value))
        except _Invalid as exc:
            if exc.rule == "integer":
                raise _Invalid("year") from None
            raise
    if kind == "integer":
        number = parse_integer(value)
        if number < 0 or (f.code == "number" and number < 1):
            raise _Invalid("reasonableness", gettext("the number must not be negative or zero"))
        return number
    if kind == "decimal":
        try:
            return Decimal(_as_text(value).replace(",", ""))
        except InvalidOperation:
            raise _Invalid("decimal") from None
    if kind == "duration":
        return parse_duration(value)
    text = _as_text(value)
    if _has_control_characters(text):
        raise _Invalid("special_characters")
    if f.max_length and len(text) > f.max_length:
        raise _Invalid("max_length", f.max_length)
    if kind == "choice" and f.choices and text not in [str(c) for c in f.choices]:
        raise _Invalid("choice", "、".join(str(c) for c in f.choices))
    if f.pattern and not re.fullmatch(f.pattern, text):
        raise _Invalid("pattern", f.help_text or f.pattern)
    return text


def empty_value(f: MetadataField) -> Any:
    return "" if f.data_type in ("text", "choice") and f.code not in SPECIAL_CODES else None


def field_error(f: MetadataField, rule: str, value: object, limit: object = "") -> FieldError:
    preview = _preview(value) if value is not None else ""
    message = gettext(str(MESSAGES[rule])) % {"label": f.name, "value": preview, "limit": limit}
    return FieldError(field=f.code, label=f.name, rule=rule, message=message, value=preview)


def validate_values(
    scheme: MetadataScheme, raw: Mapping[str, object], *, partial: bool = False
) -> tuple[dict[str, object], list[FieldError]]:
    """Clean ``raw`` (keyed by field code) against the scheme. Unknown keys are ignored. With
    ``partial`` only the keys present are checked (an update); otherwise missing required
    fields are errors (a new item). Returns the cleaned values and the errors, in field order."""
    return validate_fields(fields_of(scheme), raw, partial=partial)


def validate_fields(
    fields: list[MetadataField], raw: Mapping[str, object], *, partial: bool = False
) -> tuple[dict[str, object], list[FieldError]]:
    """``validate_values`` for a field list not stored as a scheme (e.g. volume fields)."""
    cleaned: dict[str, object] = {}
    errors: list[FieldError] = []
    for f in fields:
        if f.code not in raw:
            if f.required and not partial:
                errors.append(field_error(f, "required", ""))
            continue
        value = raw[f.code]
        if _is_empty(value):
            if f.required:
                errors.append(field_error(f, "required", ""))
            else:
                cleaned[f.code] = empty_value(f)
            continue
        try:
            cleaned[f.code] = clean_value(f, value)
        except _Invalid as exc:
            errors.append(field_error(f, exc.rule, value, exc.limit))
    return cleaned, errors


def json_value(value: object) -> object:
    """A cleaned value as stored in ``Item.extra`` (dates as YYYY-MM-DD, decimals as text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
