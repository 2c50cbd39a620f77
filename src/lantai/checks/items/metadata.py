"""Metadata families: 1-2 length, 1-3 type/format, 1-4 value domain, 1-5 reasonableness,
1-6 special characters, 1-7 档号 form, 1-8 duplicates, 2-3 complete, 2-4 required,
2-6 continuous numbering, 3-1 readable.

Field rules come from the category's current metadata scheme through
``lantai.catalog.validation.validate_values`` (run once per item and cached for the run);
the cross-field, character and numbering rules are ours.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from typing import Any

from lantai.checks.package import ItemView, Outcome, PackageView
from lantai.checks.runner import PACKAGE, CheckContext, CheckResult, item_target, register

TYPE_RULES = {"date", "integer", "decimal", "year", "duration", "pattern"}
DOMAIN_RULES = {"choice", "unknown_code"}
# Besides these, control characters and invisible format characters (zero-width space, BOM, bidi
# overrides) are refused; unassigned and private-use code points are not, since rare characters
# (生僻字) newer than Python's Unicode tables, or kept in a private-use area, are legitimate.
DEFAULT_FORBIDDEN = ["<", ">"]


def _scheme(ctx: CheckContext) -> Any:
    from lantai.catalog.models import MetadataScheme

    if "metadata_scheme" not in ctx.shared:
        ctx.shared["metadata_scheme"] = (
            MetadataScheme.objects.filter(category__code=ctx.package.category_code, is_current=True)
            .order_by("-version")
            .first()
        )
    return ctx.shared["metadata_scheme"]


def validated(ctx: CheckContext, item: ItemView) -> tuple[dict[str, Any], list[Any]]:
    from lantai.catalog.validation import validate_values

    cache: dict[int, tuple[dict[str, Any], list[Any]]] = ctx.shared.setdefault("validated", {})
    if item.seq not in cache:
        cache[item.seq] = validate_values(_scheme(ctx), item.metadata)
    return cache[item.seq]


def _by_rules(ctx: CheckContext, package: PackageView, rules: set[str]) -> list[CheckResult]:
    if _scheme(ctx) is None:
        reason = {"reason": f"no metadata scheme for category {package.category_code}"}
        return [ctx.result(PACKAGE, Outcome.NOT_PERFORMED, reason)]
    out = []
    for item in package.items:
        _cleaned, errors = validated(ctx, item)
        hits = [e for e in errors if e.rule in rules]
        evidence: dict[str, Any] = {"errors": [e.as_dict() for e in hits]} if hits else {}
        out.append(ctx.result(item_target(item.seq), Outcome.FAILED if hits else Outcome.PASSED, evidence))
    return out


@register("metadata_length")
def metadata_length(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    return _by_rules(ctx, package, {"max_length"})


@register("metadata_type")
def metadata_type(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    return _by_rules(ctx, package, TYPE_RULES)


@register("metadata_domain")
def metadata_domain(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    return _by_rules(ctx, package, DOMAIN_RULES)


@register("metadata_required")
def metadata_required(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    return _by_rules(ctx, package, {"required"})


def _problem(field: str, rule: str, value: object) -> dict[str, str]:
    return {"field": field, "rule": rule, "value": str(value)[:100]}


@register("metadata_reasonable")
def metadata_reasonable(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    if _scheme(ctx) is None:
        return [ctx.result(PACKAGE, Outcome.NOT_PERFORMED, {"reason": "no metadata scheme"})]
    min_year = int(ctx.param("min_year", 1000))
    today = dt.date.today()
    out = []
    for item in package.items:
        cleaned, errors = validated(ctx, item)
        problems = [
            {"field": e.field, "rule": e.rule, "value": e.value, "message": e.message}
            for e in errors
            if e.rule == "reasonableness"
        ]
        date = cleaned.get("date")
        year = cleaned.get("year")
        if isinstance(date, dt.date):
            if date > today:
                problems.append(_problem("date", "date in the future", date))
            if date.year < min_year:
                problems.append(_problem("date", f"date before {min_year}", date))
            if isinstance(year, int) and year != date.year:
                problems.append(_problem("year", "year differs from the date's year", year))
        pages = cleaned.get("page_count")
        if isinstance(pages, int) and pages <= 0:
            problems.append(_problem("page_count", "page count must be greater than 0", pages))
        fonds = cleaned.get("fonds_code")
        if fonds and package.fonds_code and str(fonds) != package.fonds_code:
            problems.append(
                _problem("fonds_code", f"differs from the package fonds {package.fonds_code}", fonds)
            )
        evidence: dict[str, Any] = {"problems": problems} if problems else {}
        out.append(
            ctx.result(item_target(item.seq), Outcome.FAILED if problems else Outcome.PASSED, evidence)
        )
    return out


def _bad_characters(text: str, forbidden: list[str]) -> list[str]:
    found = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in forbidden or ch == "\ufffd":
            found.append(ch)
        elif (cat == "Cc" and ch not in "\t\n\r") or cat in ("Cf", "Cs"):
            found.append(f"U+{ord(ch):04X}")
    return found


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


@register("metadata_special_chars")
def metadata_special_chars(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    forbidden = list(ctx.param("forbidden", DEFAULT_FORBIDDEN))
    out = []
    for item in package.items:
        hits: list[dict[str, Any]] = []
        for key, value in item.metadata.items():
            for text in _strings(value):
                bad = _bad_characters(text, forbidden)
                if bad:
                    hits.append({"field": key, "characters": sorted(set(bad))[:10], "value": text[:100]})
        out.append(
            ctx.result(
                item_target(item.seq),
                Outcome.FAILED if hits else Outcome.PASSED,
                {"fields": hits} if hits else {},
            )
        )
    return out


@register("metadata_readable")
def metadata_readable(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    out = []
    for item in package.items:
        problems = []
        for key, value in item.metadata.items():
            if not isinstance(value, (str, int, float, bool, list, dict, dt.date)) and value is not None:
                problems.append({"field": key, "reason": f"unreadable value type {type(value).__name__}"})
                continue
            for text in _strings(value):
                if "\ufffd" in text:
                    problems.append({"field": key, "reason": "garbled text (U+FFFD)", "value": text[:100]})
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    problems.append({"field": key, "reason": "invalid Unicode (lone surrogate)"})
        if not item.metadata:
            problems.append({"field": "", "reason": "no metadata"})
        evidence: dict[str, Any] = {"problems": problems} if problems else {"fields": len(item.metadata)}
        out.append(
            ctx.result(item_target(item.seq), Outcome.FAILED if problems else Outcome.PASSED, evidence)
        )
    return out


@register("metadata_complete")
def metadata_complete(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    from lantai.catalog.validation import fields_of

    scheme = _scheme(ctx)
    if scheme is None:
        return [ctx.result(PACKAGE, Outcome.NOT_PERFORMED, {"reason": "no metadata scheme"})]
    # 档号 and its parts may be assigned on acceptance, so they are not counted as 缺项 here.
    skip = set(ctx.param("skip", ["archival_code", "number", "notes"]))
    core = [f for f in fields_of(scheme) if f.is_core and f.code not in skip]
    out = []
    for item in package.items:
        missing = [{"field": f.code, "label": f.name} for f in core if _blank(item.metadata.get(f.code))]
        outcome = Outcome.WARNING if missing else Outcome.PASSED
        out.append(ctx.result(item_target(item.seq), outcome, {"missing": missing} if missing else {}))
    return out


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _code_context(ctx: CheckContext) -> tuple[Any, str]:
    """(ArchivalCodeRule or None, reason) for the package's fonds and category."""
    from lantai.catalog import codes
    from lantai.catalog.models import ArchivalCodeRule, Category, Fonds

    if "code_rule" not in ctx.shared:
        category = Category.objects.filter(code=ctx.package.category_code).first()
        fonds = Fonds.objects.filter(code=ctx.package.fonds_code).first()
        rule, reason = None, ""
        if category is None:
            reason = "unknown category"
        elif fonds is not None:
            try:
                rule = codes.rule_for(fonds, category)
            except Exception as exc:
                reason = f"{type(exc).__name__}"
        else:
            rule = ArchivalCodeRule.objects.filter(
                category=category, fonds__isnull=True, level="item", is_active=True
            ).first()
            reason = "" if rule else "no archival code rule"
        ctx.shared["code_rule"] = (rule, reason)
    result: tuple[Any, str] = ctx.shared["code_rule"]
    return result


COMPARED_PARTS = {
    "fonds_code": "fonds_code",
    "year": "year",
    "retention_code": "retention",
    "org_code": "org_code",
    "number": "number",
}


@register("archival_code_form")
def archival_code_form(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    from lantai.catalog import codes

    rule, reason = _code_context(ctx)
    required = bool(ctx.param("required", package.stage != "GD"))
    out = []
    for item in package.items:
        code = str(item.metadata.get("archival_code") or "").strip()
        target = item_target(item.seq)
        if not code:
            if required:
                out.append(ctx.result(target, Outcome.FAILED, {"reason": "archival code missing"}))
            else:
                out.append(ctx.result(target, Outcome.PASSED, {"reason": "assigned on acceptance"}))
            continue
        if rule is None:
            out.append(ctx.result(target, Outcome.NOT_PERFORMED, {"archival_code": code, "reason": reason}))
            continue
        try:
            parts = codes.parse(rule.components, code)
        except Exception as exc:
            out.append(
                ctx.result(
                    target,
                    Outcome.FAILED,
                    {"archival_code": code, "rule": rule.name, "error": getattr(exc, "message", str(exc))},
                )
            )
            continue
        cleaned, _errors = validated(ctx, item) if _scheme(ctx) is not None else ({}, [])
        differ = []
        for part, field in COMPARED_PARTS.items():
            mine = cleaned.get(field)
            theirs = parts.get(part)
            if mine in (None, "") or theirs in (None, ""):
                continue
            if str(mine) != str(theirs):
                differ.append({"part": part, "archival_code": theirs, "metadata": str(mine)})
        evidence: dict[str, Any] = {"archival_code": code, "rule": rule.name}
        if differ:
            evidence["differs_from_metadata"] = differ
        out.append(ctx.result(target, Outcome.FAILED if differ else Outcome.PASSED, evidence))
    return out


@register("metadata_duplicates")
def metadata_duplicates(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    from lantai.catalog.models import Item

    fields = list(ctx.param("fields", ["archival_code"]))
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for item in package.items:
        for f in fields:
            value = str(item.metadata.get(f) or "").strip()
            if value:
                seen[(f, value)].append(item.seq)
    codes = [v for (f, v) in seen if f == "archival_code"]
    existing: set[str] = set()
    if codes:
        existing = set(
            Item.objects.filter(
                fonds__code=package.fonds_code, archival_code__in=codes, deleted_at__isnull=True
            ).values_list("archival_code", flat=True)
        )
    out = []
    for item in package.items:
        dups = []
        for f in fields:
            value = str(item.metadata.get(f) or "").strip()
            if not value:
                continue
            others = [s for s in seen[(f, value)] if s != item.seq]
            if others:
                dups.append({"field": f, "value": value, "in_package_items": others})
            if f == "archival_code" and value in existing:
                dups.append({"field": f, "value": value, "in_catalogue": True})
        out.append(
            ctx.result(
                item_target(item.seq),
                Outcome.FAILED if dups else Outcome.PASSED,
                {"duplicates": dups} if dups else {},
            )
        )
    return out


def _catalogue_last_number(package: PackageView, key: tuple[str, ...]) -> int | None:
    """The highest 件号 already filed in the class, so a package continues the catalogue's run."""
    from django.db.models import Max

    from lantai.catalog.models import Item

    fonds, year, retention, org = key
    if not year.isdigit() or not retention:
        return None
    found = Item.objects.filter(
        fonds__code=fonds or package.fonds_code,
        category__code=package.category_code,
        year=int(year),
        retention__code=retention,
        org_code=org,
        deleted_at__isnull=True,
    ).aggregate(last=Max("number"))["last"]
    return int(found) if found is not None else None


@register("continuous_numbering")
def continuous_numbering(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    """件号 within each class (fonds, year, retention, organisation): no gaps, no repeats."""
    if _scheme(ctx) is None:
        return [ctx.result(PACKAGE, Outcome.NOT_PERFORMED, {"reason": "no metadata scheme"})]
    start = int(ctx.param("start", 1))
    classes: dict[tuple[str, ...], list[int]] = defaultdict(list)
    unnumbered = 0
    for item in package.items:
        cleaned, _ = validated(ctx, item)
        number = cleaned.get("number")
        if not isinstance(number, int):
            unnumbered += 1
            continue
        key = tuple(str(cleaned.get(k) or "") for k in ("fonds_code", "year", "retention", "org_code"))
        classes[key].append(number)
    if not classes:
        return [
            ctx.result(
                PACKAGE, Outcome.PASSED, {"reason": "numbers assigned on acceptance", "items": unnumbered}
            )
        ]
    problems = []
    for key, numbers in classes.items():
        ordered = sorted(numbers)
        repeats = sorted({n for n in ordered if ordered.count(n) > 1})
        # At BC the items are the catalogue's own; before that a package continues the catalogue.
        follow = bool(ctx.param("continue_catalogue", package.stage != "BC"))
        last = _catalogue_last_number(package, key) if follow else None
        first = start if last is None else last + 1
        if last is None and not ctx.param("from_start", False):
            first = ordered[0]  # nothing filed in this class yet: the package may begin anywhere
        gaps = sorted(set(range(first, ordered[-1] + 1)) - set(ordered))
        taken = [n for n in ordered if last is not None and n <= last]
        if repeats or gaps or taken:
            entry: dict[str, Any] = {
                "class": "-".join(k for k in key if k),
                "gaps": gaps[:50],
                "repeats": repeats[:50],
            }
            if last is not None:
                entry["catalogue_last_number"] = last
                entry["already_filed"] = taken[:50]
            problems.append(entry)
    evidence: dict[str, Any] = {"classes": len(classes), "unnumbered": unnumbered}
    if problems:
        return [ctx.result(PACKAGE, Outcome.FAILED, {**evidence, "problems": problems})]
    return [ctx.result(PACKAGE, Outcome.PASSED, evidence)]
