"""Catalogue import from Excel (.xlsx) and CSV: read, validate every row, then write all or nothing.

The import runs as two passes over a stream, so 100,000 rows never sit in memory at once:

1. **check** — the file is streamed (openpyxl ``read_only``, or CSV decoded as UTF-8 then
   GB18030), headers are mapped to scheme fields by their Chinese names and aliases, and
   every row goes through ``ROW_CHECKS`` in order. Clean rows are spooled to a temporary
   file in batches; errors name the row, the column and the rule. A dry run stops here.
2. **write** — only when the whole file is clean: one transaction reserves explicit
   archival-code numbers, allocates the missing ones per class, ``bulk_create``\\ s the items
   in batches from the spool, calls the item hooks and writes one ``catalog.imported``
   audit event. Any failure rolls everything back; the spool is always deleted.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import pickle
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from lantai.accounts.actor import Actor
from lantai.audit import services as audit
from lantai.catalog.models import (
    ArchivalCodeRule,
    Category,
    Fonds,
    Item,
    MetadataField,
    MetadataScheme,
)
from lantai.core.errors import LantaiError, NotFound
from lantai.core.hashing import digest_file
from lantai.core.i18n import nfc, pinyin_key

BATCH_SIZE = 2000
DB_CHECK_CHUNK = 500
MAX_KEPT_ERRORS = 10_000  # all errors are counted; this many are kept for the report
PREVIEW_ROWS = 20
VALUE_PREVIEW = 60

# Fields the importer can fill itself when the column is absent or the cell is empty.
AUTO_FIELDS = frozenset({"archival_code", "number", "fonds_code"})

# Common header spellings seen in agencies' spreadsheets, used when the scheme does not
# list them itself (the scheme's own names and aliases come first).
HEADER_ALIASES: dict[str, str] = {
    "档号": "archival_code",
    "全宗号": "fonds_code",
    "全宗代号": "fonds_code",
    "年度": "year",
    "年份": "year",
    "保管期限": "retention",
    "期限": "retention",
    "机构(问题)代码": "org_code",
    "机构（问题）代码": "org_code",
    "机构问题代码": "org_code",
    "机构代码": "org_code",
    "问题代码": "org_code",
    "件号": "number",
    "题名": "title",
    "文件题名": "title",
    "标题": "title",
    "责任者": "responsible_party",
    "责任人": "responsible_party",
    "发文机关": "responsible_party",
    "文号": "document_number",
    "文件编号": "document_number",
    "发文字号": "document_number",
    "日期": "date",
    "成文日期": "date",
    "文件日期": "date",
    "形成日期": "date",
    "密级": "security_level",
    "开放状态": "open_status",
    "开放标识": "open_status",
    "页数": "page_count",
    "备注": "notes",
    "附注": "notes",
    "盒号": "box_number",
}

# Rules of our own, on top of the validation rules of ``catalog.validation``.
RULE_LABELS: dict[str, Any] = {
    "required": gettext_lazy("required"),
    "max_length": gettext_lazy("too long"),
    "pattern": gettext_lazy("wrong form"),
    "choice": gettext_lazy("not in the value list"),
    "date": gettext_lazy("date"),
    "integer": gettext_lazy("whole number"),
    "decimal": gettext_lazy("number"),
    "year": gettext_lazy("year"),
    "duration": gettext_lazy("duration"),
    "unknown_code": gettext_lazy("unknown code"),
    "special_characters": gettext_lazy("special characters"),
    "reasonableness": gettext_lazy("implausible value"),
    "encoding": gettext_lazy("text encoding"),
    "unknown_header": gettext_lazy("unknown column"),
    "missing_column": gettext_lazy("missing column"),
    "duplicate_header": gettext_lazy("duplicate column"),
    "archival_code": gettext_lazy("archival code form"),
    "archival_code_mismatch": gettext_lazy("archival code does not match the row"),
    "duplicate_in_file": gettext_lazy("archival code repeated in the file"),
    "duplicate_in_database": gettext_lazy("archival code already in the catalogue"),
    "fonds_mismatch": gettext_lazy("another fonds"),
}

# Stable error codes per rule (the API and the report carry them).
RULE_CODES: dict[str, str] = {
    "required": "catalog.import.missing_required",
    "date": "catalog.import.bad_date",
    "year": "catalog.import.bad_year",
    "integer": "catalog.import.bad_number",
    "decimal": "catalog.import.bad_number",
    "duration": "catalog.import.bad_duration",
    "choice": "catalog.import.unknown_code",
    "unknown_code": "catalog.import.unknown_code",
    "max_length": "catalog.import.too_long",
    "pattern": "catalog.import.bad_format",
    "special_characters": "catalog.import.special_characters",
    "reasonableness": "catalog.import.implausible",
    "encoding": "catalog.import.bad_encoding",
    "unknown_header": "catalog.import.unknown_header",
    "missing_column": "catalog.import.missing_column",
    "duplicate_header": "catalog.import.duplicate_header",
    "archival_code": "catalog.archival_code_invalid",
    "archival_code_mismatch": "catalog.import.archival_code_mismatch",
    "duplicate_in_file": "catalog.import.duplicate_in_file",
    "duplicate_in_database": "catalog.duplicate_archival_code",
    "fonds_mismatch": "catalog.import.fonds_mismatch",
}


class ImportUnreadableFile(LantaiError):
    code = "catalog.import.unreadable_file"
    default_message = gettext_lazy(
        "The file cannot be read as an Excel workbook (.xlsx) or a CSV file: %(reason)s"
    )


class ImportBadEncoding(LantaiError):
    code = "catalog.import.bad_encoding"
    default_message = gettext_lazy(
        "The CSV file is neither UTF-8 nor GB18030/GBK text; save it again as UTF-8 or as an .xlsx workbook."
    )


class ImportEmpty(LantaiError):
    code = "catalog.import.empty"
    default_message = gettext_lazy("The file has no header row or no data rows.")


class ImportRejected(LantaiError):
    """The file has errors; nothing was written. ``details`` lists them (row, column, rule)."""

    code = "catalog.import.rejected"
    http_status = 422
    default_message = gettext_lazy(
        "The import was refused: %(count)d errors were found, and nothing was written."
    )


class ImportWriteFailed(LantaiError):
    code = "catalog.import.write_failed"
    http_status = 409
    default_message = gettext_lazy(
        "The items could not be written (%(reason)s); the import was rolled back and nothing was written."
    )


@dataclass(frozen=True)
class RowError:
    """One problem: spreadsheet row (header = 1; 0 for the file), column header, rule, value."""

    row: int
    column: str
    rule: str
    value: str
    message: str

    @property
    def code(self) -> str:
        return RULE_CODES.get(self.rule, f"catalog.import.{self.rule}")

    @property
    def rule_label(self) -> str:
        label = RULE_LABELS.get(self.rule)
        return str(label) if label is not None else self.rule

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "rule_label": self.rule_label,
            "code": self.code,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class ImportResult:
    file_name: str
    sm3: str
    dry_run: bool
    columns: dict[str, str] = field(default_factory=dict)  # header -> field code
    ignored_headers: list[str] = field(default_factory=list)
    total_rows: int = 0
    valid_rows: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict[str, str]] = field(default_factory=list)
    created: int = 0
    item_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "sm3": self.sm3,
            "dry_run": self.dry_run,
            "columns": self.columns,
            "ignored_headers": self.ignored_headers,
            "total_rows": self.total_rows,
            "valid_rows": self.valid_rows,
            "error_count": self.error_count,
            "created": self.created,
            "errors": [e.as_dict() for e in self.errors[:200]],
            "preview": self.preview,
        }


Progress = Callable[[str, int, int | None], None]  # (phase "check" | "write", rows done, total or None)


def _no_progress(phase: str, done: int, total: int | None) -> None:
    return None


# --- reading ----------------------------------------------------------------------------------


class Table(Protocol):
    """A header row and data rows, streamed. Row numbers are the spreadsheet's (header = 1)."""

    headers: list[str]
    total: int | None

    def rows(self) -> Iterator[tuple[int, list[object]]]: ...

    def close(self) -> None: ...


def _cell_text(value: object) -> object:
    """Excel cells arrive typed; the validator wants text or dates. Integral floats lose their .0."""
    if value is None:
        return ""
    if isinstance(value, str):
        return nfc(value.strip())
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value)


class XlsxTable:
    def __init__(self, path: Path) -> None:
        import openpyxl

        try:
            self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            sheet = self._wb.worksheets[0]
            self._iter = sheet.iter_rows(values_only=True)
            first = next(self._iter, None)
        except LantaiError:
            raise
        except Exception as exc:  # zip, XML and openpyxl errors all mean the same to the user
            raise ImportUnreadableFile(reason=type(exc).__name__) from exc
        if first is None:
            raise ImportEmpty()
        self.headers = [str(_cell_text(v)) for v in first]
        max_row = sheet.max_row
        self.total: int | None = max_row - 1 if isinstance(max_row, int) and max_row > 1 else None

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        try:
            for number, values in enumerate(self._iter, start=2):
                yield number, [_cell_text(v) for v in values]
        except Exception as exc:
            raise ImportUnreadableFile(reason=type(exc).__name__) from exc

    def close(self) -> None:
        self._wb.close()


CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def detect_csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK/GB2312)."""
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as stream:
                while chunk := stream.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ImportBadEncoding()


class CsvTable:
    def __init__(self, path: Path) -> None:
        encoding = detect_csv_encoding(path)
        self._stream: IO[str] = path.open(encoding=encoding, newline="")
        sample = self._stream.read(8192)
        self._stream.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        self._reader = csv.reader(self._stream, dialect)
        first = next(self._reader, None)
        if not first:
            self._stream.close()
            raise ImportEmpty()
        self.headers = [str(_cell_text(v)) for v in first]
        self.total: int | None = None

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        for number, values in enumerate(self._reader, start=2):
            yield number, [_cell_text(v) for v in values]

    def close(self) -> None:
        self._stream.close()


class RowsTable:
    """In-memory rows (the demo data and tests use the same pipeline as files)."""

    def __init__(self, headers: list[str], rows: list[list[object]]) -> None:
        self.headers = [nfc(h.strip()) for h in headers]
        self._rows = rows
        self.total: int | None = len(rows)

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        for number, values in enumerate(self._rows, start=2):
            yield number, [_cell_text(v) for v in values]

    def close(self) -> None:
        return None


def open_table(path: Path, name: str | None = None) -> Table:
    """Open by content: an .xlsx is a zip (``PK``); anything else is read as CSV text."""
    name = name or path.name
    with path.open("rb") as stream:
        magic = stream.read(8)
    if magic.startswith(b"PK"):
        return XlsxTable(path)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportUnreadableFile(reason=_("old .xls format; save it as .xlsx"))
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportUnreadableFile(reason=_("not a zip archive"))
    return CsvTable(path)


# --- the check pass -----------------------------------------------------------------------------


@dataclass
class Context:
    """What the row checks share: the target, the column map, and the file-wide state."""

    actor: Actor
    fonds: Fonds
    category: Category
    scheme: MetadataScheme
    fields: dict[str, MetadataField]
    rule: ArchivalCodeRule | None
    columns: list[tuple[int, MetadataField | None, str]]  # (index, field or None for OWN_COLUMNS, header)
    labels: dict[str, str]  # field code -> header used in the file (or the scheme name)
    codes: dict[int, str] = field(default_factory=dict)  # column index -> field code
    seen_codes: dict[str, int] = field(default_factory=dict)  # 档号 -> first row
    pending_db_check: list[tuple[int, str]] = field(default_factory=list)
    explicit_max: dict[str, tuple[dict[str, object], int]] = field(default_factory=dict)
    auto_counts: dict[str, tuple[dict[str, object], int]] = field(default_factory=dict)


@dataclass
class Row:
    number: int
    raw: dict[str, object]
    values: dict[str, object] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    code_values: dict[str, object] = field(default_factory=dict)
    class_key: str = ""


def _short(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= VALUE_PREVIEW else text[: VALUE_PREVIEW - 1] + "…"


# Columns the importer fills Item columns from although no scheme field describes them.
OWN_COLUMNS: dict[str, tuple[str, int]] = {"盒号": ("box_number", 20)}


def map_headers(
    scheme: MetadataScheme, headers: list[str]
) -> tuple[list[tuple[int, MetadataField | None, str]], list[str], list[RowError]]:
    """Match headers to scheme fields; report duplicates and, before any row is read, missing
    required columns. Unknown headers are returned (they are ignored, and listed in the result).
    A ``None`` field marks one of ``OWN_COLUMNS``."""
    from lantai.catalog import validation

    by_code = validation.field_map(scheme)
    columns: list[tuple[int, MetadataField | None, str]] = []
    ignored: list[str] = []
    errors: list[RowError] = []
    used: dict[str, str] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", header)).rstrip("*")
        found = validation.lookup_header(scheme, header)
        if found is None:
            alias = HEADER_ALIASES.get(key) or HEADER_ALIASES.get(header)
            found = by_code.get(alias) if alias else None
        code = found.code if found is not None else OWN_COLUMNS.get(key, ("", 0))[0]
        if not code:
            ignored.append(header)
            continue
        if code in used:
            errors.append(
                RowError(
                    1,
                    header,
                    "duplicate_header",
                    header,
                    _("Column %(column)s maps to the same field as column %(other)s.")
                    % {"column": header, "other": used[code]},
                )
            )
            continue
        used[code] = header
        columns.append((index, found, header))
    for f in by_code.values():
        if f.required and f.code not in used and f.code not in AUTO_FIELDS:
            errors.append(
                RowError(
                    1,
                    f.name,
                    "missing_column",
                    "",
                    _("The required column %(column)s is missing from the header row.") % {"column": f.name},
                )
            )
    return columns, ignored, errors


def own_code(header: str) -> tuple[str, int]:
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", header)).rstrip("*")
    return OWN_COLUMNS[key]


def check_encoding(ctx: Context, row: Row) -> None:
    """Replacement characters mean the text was decoded with the wrong encoding upstream."""
    for code, value in row.raw.items():
        if isinstance(value, str) and "\ufffd" in value:
            row.errors.append(
                RowError(
                    row.number,
                    ctx.labels.get(code, code),
                    "encoding",
                    _short(value),
                    _("The text contains undecodable characters (�): it was saved in a wrong encoding."),
                )
            )


def check_values(ctx: Context, row: Row) -> None:
    """The scheme's rules, through catalog.validation (types, required, value lists, lengths)."""
    from lantai.catalog import validation

    raw = {k: v for k, v in row.raw.items() if v != "" and k in ctx.fields}
    raw.setdefault("fonds_code", ctx.fonds.code)
    values, field_errors = validation.validate_values(ctx.scheme, raw)
    for header, (code, limit) in OWN_COLUMNS.items():
        text = str(row.raw.get(code, ""))
        if len(text) > limit:
            row.errors.append(
                RowError(
                    row.number,
                    ctx.labels.get(code, header),
                    "max_length",
                    _short(text),
                    _("%(column)s is longer than %(limit)d characters.")
                    % {"column": ctx.labels.get(code, header), "limit": limit},
                )
            )
        elif text:
            values[code] = text
    for fe in field_errors:
        if fe.rule == "required" and fe.field in AUTO_FIELDS:
            continue
        row.errors.append(
            RowError(row.number, ctx.labels.get(fe.field, fe.label), fe.rule, _short(fe.value), fe.message)
        )
    row.values = values
    for code in ("title", "retention"):
        if code not in ctx.fields and not values.get(code):
            row.errors.append(
                RowError(
                    row.number,
                    ctx.labels.get(code, code),
                    "required",
                    "",
                    _("%(column)s is required.") % {"column": ctx.labels.get(code, code)},
                )
            )


def check_fonds(ctx: Context, row: Row) -> None:
    given = row.values.get("fonds_code")
    if given and str(given).strip().upper() != ctx.fonds.code.upper():
        row.errors.append(
            RowError(
                row.number,
                ctx.labels.get("fonds_code", "全宗号"),
                "fonds_mismatch",
                _short(given),
                _("The fonds code %(value)s is not that of the fonds being imported into (%(fonds)s).")
                % {"value": given, "fonds": ctx.fonds.code},
            )
        )


def check_clearance(ctx: Context, row: Row) -> None:
    """Nobody records items classified above their own clearance (as in create_item)."""
    level = row.values.get("security_level")
    if isinstance(level, int) and level > ctx.actor.clearance:
        row.errors.append(
            RowError(
                row.number,
                ctx.labels.get("security_level", "密级"),
                "reasonableness",
                _short(row.raw.get("security_level", level)),
                _("You may not record items classified above your own clearance."),
            )
        )


def _code_values(ctx: Context, values: Mapping[str, object]) -> dict[str, object]:
    return {
        "fonds_code": ctx.fonds.code,
        "category_code": ctx.category.code,
        "year": values.get("year"),
        "retention_code": values.get("retention"),
        "org_code": values.get("org_code") or "",
        "number": values.get("number"),
    }


COMPARED_PARTS = ("fonds_code", "category_code", "year", "retention_code", "org_code")


def check_archival_code(ctx: Context, row: Row) -> None:
    """A given 档号 must have the rule's form and agree with the row; a missing one is allocated."""
    from lantai.catalog import codes

    if row.errors or ctx.rule is None:
        return
    label = ctx.labels.get("archival_code", "档号")
    code_values = _code_values(ctx, row.values)
    given = str(row.values.get("archival_code") or "")
    if not given:
        try:
            row.class_key = codes.class_key(ctx.rule.components, code_values)
        except LantaiError as exc:
            row.errors.append(RowError(row.number, label, "archival_code", "", exc.message))
        row.code_values = code_values
        return
    try:
        parsed = codes.parse(ctx.rule.components, given)
    except LantaiError as exc:
        row.errors.append(RowError(row.number, label, "archival_code", _short(given), exc.message))
        return
    for part in (*COMPARED_PARTS, "number"):
        mine = code_values.get(part)
        theirs = parsed.get(part)
        if part == "number" and mine in (None, ""):
            code_values["number"] = theirs
            row.values["number"] = theirs
            continue
        if theirs not in (None, "") and mine not in (None, "") and str(theirs) != str(mine):
            row.errors.append(
                RowError(
                    row.number,
                    label,
                    "archival_code_mismatch",
                    _short(given),
                    _("The archival code %(code)s says %(part)s is %(theirs)s, but the row says %(mine)s.")
                    % {"code": given, "part": part, "theirs": theirs, "mine": mine},
                )
            )
            return
    row.code_values = code_values
    row.class_key = codes.class_key(ctx.rule.components, code_values)


def check_duplicates_in_file(ctx: Context, row: Row) -> None:
    given = str(row.values.get("archival_code") or "")
    if not given or row.errors:
        return
    first = ctx.seen_codes.get(given)
    if first is not None:
        row.errors.append(
            RowError(
                row.number,
                ctx.labels.get("archival_code", "档号"),
                "duplicate_in_file",
                given,
                _("The archival code %(code)s already appears in row %(first)d of this file.")
                % {"code": given, "first": first},
            )
        )
        return
    ctx.seen_codes[given] = row.number
    ctx.pending_db_check.append((row.number, given))


# The checks each row goes through, in order.
ROW_CHECKS: list[Callable[[Context, Row], None]] = [
    check_encoding,
    check_values,
    check_fonds,
    check_clearance,
    check_archival_code,
    check_duplicates_in_file,
]


def flush_database_check(ctx: Context) -> list[RowError]:
    """Archival codes of the file that the catalogue already holds (withdrawn items included:
    the uniqueness constraint covers them too)."""
    errors: list[RowError] = []
    pending, ctx.pending_db_check = ctx.pending_db_check, []
    for start in range(0, len(pending), DB_CHECK_CHUNK):
        chunk = dict((code, number) for number, code in pending[start : start + DB_CHECK_CHUNK])
        taken = Item.objects.filter(fonds=ctx.fonds, archival_code__in=list(chunk)).values_list(
            "archival_code", flat=True
        )
        for code in taken:
            errors.append(
                RowError(
                    chunk[code],
                    ctx.labels.get("archival_code", "档号"),
                    "duplicate_in_database",
                    code,
                    _("The archival code %(code)s is already in the catalogue.") % {"code": code},
                )
            )
    return errors


# --- item building ------------------------------------------------------------------------------


ITEM_COLUMNS = {
    f.name
    for f in Item._meta.get_fields()
    if getattr(f, "concrete", False) and not getattr(f, "is_relation", False)
}
NOT_FROM_FILE = {"id", "public_id", "title_sort", "extra", "created_at", "updated_at", "deleted_at"}


def split_values(fields: Mapping[str, MetadataField], values: Mapping[str, object]) -> dict[str, Any]:
    """Cleaned scheme values → Item constructor keywords (core columns, ``extra`` for the rest)."""
    from lantai.catalog import validation

    kwargs: dict[str, Any] = {}
    extra: dict[str, object] = {}
    for code, value in values.items():
        if code in ("fonds_code", "category_code"):
            continue
        if code == "retention":
            kwargs["retention_id"] = str(value)
        elif code in ITEM_COLUMNS and code not in NOT_FROM_FILE:
            kwargs[code] = value
        elif code in fields and value not in (None, ""):
            extra[code] = validation.json_value(value)
    kwargs["extra"] = extra
    return kwargs


def build_item(
    ctx: Context, values: Mapping[str, object], archival_code: str, number: object, now: datetime
) -> Item:
    kwargs = split_values(ctx.fields, values)
    kwargs["archival_code"] = archival_code
    if number not in (None, ""):
        kwargs["number"] = int(str(number))
    for text in ("title", "responsible_party", "document_number", "org_code", "notes", "box_number"):
        if kwargs.get(text) is None:
            kwargs.pop(text, None)
    title = str(kwargs.get("title") or "")
    return Item(
        fonds=ctx.fonds,
        category=ctx.category,
        scheme=ctx.scheme,
        title_sort=pinyin_key(title),
        created_at=now,
        updated_at=now,
        **kwargs,
    )


# --- the two passes ------------------------------------------------------------------------------


def current_scheme(category: Category) -> MetadataScheme:
    scheme = category.schemes.filter(is_current=True).first()
    if scheme is None:
        raise NotFound(_("The category %(code)s has no current metadata scheme.") % {"code": category.code})
    return scheme


def _prepare(actor: Actor, fonds: Fonds, category: Category, table: Table) -> tuple[Context, ImportResult]:
    from lantai.catalog import codes, validation

    scheme = current_scheme(category)
    fields = validation.field_map(scheme)
    columns, ignored, header_errors = map_headers(scheme, table.headers)
    labels = {f.code: f.name for f in fields.values()}
    codes_by_index = {i: (f.code if f is not None else own_code(header)[0]) for i, f, header in columns}
    labels.update({codes_by_index[i]: header for i, _f, header in columns})
    try:
        rule: ArchivalCodeRule | None = codes.rule_for(fonds, category, "item")
    except LantaiError:
        rule = None
    ctx = Context(actor, fonds, category, scheme, fields, rule, columns, labels, codes_by_index)
    result = ImportResult(file_name="", sm3="", dry_run=True)
    result.columns = {header: codes_by_index[i] for i, _f, header in columns}
    result.ignored_headers = ignored
    for error in header_errors:
        _add_error(result, error)
    return ctx, result


def _add_error(result: ImportResult, error: RowError) -> None:
    result.error_count += 1
    if len(result.errors) < MAX_KEPT_ERRORS:
        result.errors.append(error)


def _check_pass(
    ctx: Context, table: Table, result: ImportResult, spool: IO[bytes] | None, progress: Progress
) -> None:
    batch: list[tuple[int, dict[str, object], str]] = []
    for number, cells in table.rows():
        if not any(c != "" for c in cells):
            continue  # blank rows between blocks are common; they are not items
        raw = {ctx.codes[i]: cells[i] if i < len(cells) else "" for i, _f, _h in ctx.columns}
        row = Row(number, raw)
        for check in ROW_CHECKS:
            check(ctx, row)
        result.total_rows += 1
        for error in row.errors:
            _add_error(result, error)
        if not row.errors:
            result.valid_rows += 1
            if len(result.preview) < PREVIEW_ROWS:
                result.preview.append({ctx.labels.get(k, k): _short(v) for k, v in row.values.items()})
            if spool is not None and result.error_count == 0:
                batch.append((number, row.values, row.class_key))
                _count_class(ctx, row)
                if len(batch) >= BATCH_SIZE:
                    pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
                    batch = []
        if len(ctx.pending_db_check) >= DB_CHECK_CHUNK * 4:
            for error in flush_database_check(ctx):
                _add_error(result, error)
        if result.total_rows % 500 == 0:
            progress("check", result.total_rows, table.total)
    for error in flush_database_check(ctx):
        _add_error(result, error)
    if batch and spool is not None:
        pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
    progress("check", result.total_rows, result.total_rows)
    if result.total_rows == 0 and result.error_count == 0:
        raise ImportEmpty()
    result.errors.sort(key=lambda e: (e.row, e.column))


def _count_class(ctx: Context, row: Row) -> None:
    if ctx.rule is None:
        return
    number = row.code_values.get("number")
    if row.values.get("archival_code") and number not in (None, ""):
        values, top = ctx.explicit_max.get(row.class_key, (row.code_values, 0))
        ctx.explicit_max[row.class_key] = (values, max(top, int(str(number))))
    else:
        values, count = ctx.auto_counts.get(row.class_key, (row.code_values, 0))
        ctx.auto_counts[row.class_key] = (values, count + 1)


def _read_spool(spool: IO[bytes]) -> Iterator[list[tuple[int, dict[str, object], str]]]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)  # noqa: S301 - our own temporary file, written by this process
        except EOFError:
            return


def _write_pass(ctx: Context, spool: IO[bytes], result: ImportResult, progress: Progress) -> None:
    from lantai.catalog import codes, hooks

    now = timezone.now()
    numbers: dict[str, Iterator[int]] = {}
    if ctx.rule is not None:
        for class_values, top in ctx.explicit_max.values():
            codes.reserve(ctx.rule, {**class_values, "number": top}, top)
        for key, (class_values, count) in ctx.auto_counts.items():
            numbers[key] = iter(codes.allocate(ctx.rule, class_values, count=count))
    written = 0
    for batch in _read_spool(spool):
        items = []
        for _number, values, class_key in batch:
            code = str(values.get("archival_code") or "")
            number = values.get("number")
            if ctx.rule is not None and not code:
                number = next(numbers[class_key])
                code = codes.render(ctx.rule.components, {**_code_values(ctx, values), "number": number})
            items.append(build_item(ctx, values, code, number, now))
        created = Item.objects.bulk_create(items, batch_size=BATCH_SIZE)
        result.item_ids.extend(i.pk for i in created if i.pk is not None)
        written += len(items)
        progress("write", written, result.valid_rows)
    result.created = written
    if result.item_ids:
        hooks.items_changed(result.item_ids)


def run_import(
    actor: Actor,
    *,
    fonds: Fonds,
    category: Category,
    table: Table,
    file_name: str,
    sm3: str = "",
    dry_run: bool = False,
    progress: Progress = _no_progress,
    import_id: str = "",
) -> ImportResult:
    """Check every row, then (unless ``dry_run``) write all of them in one transaction.

    Returns the result (with errors when the check found any and ``dry_run`` is set); raises
    ``ImportRejected`` (details: the errors) when a real import finds any error.
    """
    actor.require("catalog.import")
    if not actor.may_reach_institution(fonds.institution_id):
        raise NotFound()
    ctx, result = _prepare(actor, fonds, category, table)
    result.file_name, result.sm3, result.dry_run = file_name, sm3, dry_run
    spool_dir = _spool_dir()
    with tempfile.TemporaryFile(dir=spool_dir, prefix="import-spool-") as spool:
        _check_pass(ctx, table, result, None if dry_run else spool, progress)
        if dry_run:
            return result
        if not result.ok:
            raise ImportRejected(
                count=result.error_count,
                details={
                    "error_count": result.error_count,
                    "errors": [e.as_dict() for e in result.errors[:200]],
                },
            )
        try:
            with transaction.atomic():
                _write_pass(ctx, spool, result, progress)
                audit.record(
                    actor,
                    "catalog.imported",
                    object_type="fonds",
                    object_id=fonds.public_id,
                    after={
                        "file_name": file_name,
                        "sm3": sm3,
                        "rows": result.created,
                        "category": category.code,
                        "fonds": fonds.code,
                        "columns": list(result.columns),
                        "import_id": import_id,
                    },
                    institution_id=fonds.institution_id,
                )
        except IntegrityError as exc:
            result.item_ids = []
            result.created = 0
            raise ImportWriteFailed(reason=str(exc).splitlines()[0][:200]) from exc
    return result


def _spool_dir() -> Path:
    from django.conf import settings

    path = Path(settings.DATA_DIR) / "tmp" / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_file(
    actor: Actor,
    path: Path,
    *,
    fonds: Fonds,
    category: Category,
    file_name: str | None = None,
    dry_run: bool = False,
    progress: Progress = _no_progress,
    import_id: str = "",
) -> ImportResult:
    """Import an .xlsx or .csv file (the CLI, the UI job and the API all come here)."""
    name = nfc(file_name or path.name)
    sm3 = digest_file(path, ("sm3",)).values["sm3"]
    table = open_table(path, name)
    try:
        return run_import(
            actor,
            fonds=fonds,
            category=category,
            table=table,
            file_name=name,
            sm3=sm3,
            dry_run=dry_run,
            progress=progress,
            import_id=import_id,
        )
    finally:
        table.close()


# --- the error report -------------------------------------------------------------------------


REPORT_HEADERS = [
    gettext_noop("Row"),
    gettext_noop("Column"),
    gettext_noop("Rule"),
    gettext_noop("Value"),
    gettext_noop("Explanation"),
]


def write_error_report(errors: list[RowError], out: IO[bytes] | Path, error_count: int | None = None) -> None:
    """The errors as an .xlsx (行号, 列名, 规则, 值, 说明), streamed with ``write_only``."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(_("Errors"))
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 22
    ws.column_dimensions["D"].width = 30
    ws.column_dimensions["E"].width = 70
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for h in REPORT_HEADERS:
        cell = WriteOnlyCell(ws, value=_(h))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for e in errors:
        ws.append([e.row or None, e.column, f"{e.rule_label} ({e.code})", e.value, e.message])
    if error_count is not None and error_count > len(errors):
        ws.append(
            [
                None,
                None,
                None,
                None,
                _("%(more)d further errors are not listed; correct these and check the file again.")
                % {"more": error_count - len(errors)},
            ]
        )
    if isinstance(out, Path):
        tmp = out.with_name(out.name + ".part")
        wb.save(tmp)
        os.replace(tmp, out)
    else:
        buffer = io.BytesIO()
        wb.save(buffer)
        out.write(buffer.getvalue())
