"""Content families: 3-3 format by content, 3-4 readability, 3-8 encryption and non-public
compression, 1-10 electronic attributes vs metadata.

Each file is identified and inspected once per run (``probe`` caches in the run context);
the four checks read that cache, so a file's bytes are parsed once whatever the scheme.
"""

from __future__ import annotations

from typing import Any

from lantai.checks.formats import FormatInfo, describe, identify, pronom_puid
from lantai.checks.package import FileView, Outcome, PackageView
from lantai.checks.readability import Inspection, inspect
from lantai.checks.runner import CheckContext, CheckResult, register

MAX_PUID_LOOKUPS = 200  # per run: PRONOM ids (fido) for files whose format is refused


def probe(ctx: CheckContext, f: FileView) -> tuple[FormatInfo, Inspection]:
    cache: dict[str, tuple[FormatInfo, Inspection]] = ctx.shared.setdefault("probe", {})
    if f.path not in cache:
        fmt = identify(f.local_path, f.path)
        cache[f.path] = (fmt, inspect(f.local_path, fmt))
    return cache[f.path]


def allowed_formats(ctx: CheckContext) -> list[dict[str, Any]]:
    from lantai.checks.models import AllowedFormat

    key = "allowed_formats"
    if key not in ctx.shared:
        ctx.shared[key] = list(
            AllowedFormat.objects.filter(is_active=True)
            .order_by("sort", "code")
            .values("code", "name", "mime_types", "puids", "extensions", "outcome")
        )
    rows: list[dict[str, Any]] = ctx.shared[key]
    only = ctx.param("formats")
    return [r for r in rows if r["code"] in only] if only else rows


def match_format(ctx: CheckContext, fmt: FormatInfo, ins: Inspection) -> dict[str, Any] | None:
    candidates = [r for r in allowed_formats(ctx) if fmt.mime in r["mime_types"]]
    if fmt.mime == "application/pdf":
        # Both PDF and PDF/A share the MIME; the XMP claim decides which row applies.
        wanted = "PDFA" if ins.pdfa else "PDF"
        preferred = [r for r in candidates if r["code"] == wanted]
        fallback = [r for r in candidates if r["code"] in ("PDF", "PDFA")]
        candidates = preferred or ([] if wanted == "PDF" else fallback)
    return candidates[0] if candidates else None


@register("format_allowed")
def format_allowed(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    def check(f: FileView) -> tuple[Outcome, dict[str, Any]]:
        fmt, ins = probe(ctx, f)
        evidence: dict[str, Any] = fmt.to_json()
        if ins.pdfa:
            evidence["pdfa"] = ins.pdfa
        row = match_format(ctx, fmt, ins)
        if row is None:
            lookups = ctx.shared.setdefault("puid_lookups", [0])
            if lookups[0] < MAX_PUID_LOOKUPS:
                # ~40 ms each: bounded so a package of junk cannot make the run crawl
                lookups[0] += 1
                evidence["puid"] = pronom_puid(f.local_path)
                evidence["description"] = describe(f.local_path)
            evidence["reason"] = "format not allowed"
            evidence["allowed"] = [r["code"] for r in allowed_formats(ctx)]
            return Outcome.FAILED, evidence
        evidence["format"] = row["code"]
        if fmt.extension not in row["extensions"]:
            evidence["reason"] = "extension does not match content"
            evidence["expected_extensions"] = row["extensions"]
            return Outcome.FAILED, evidence
        return Outcome(row["outcome"]), evidence

    return ctx.per_file(package.files, check)


@register("readability")
def readability(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    def check(f: FileView) -> tuple[Outcome, dict[str, Any]]:
        fmt, ins = probe(ctx, f)
        evidence = {"mime": fmt.mime, **ins.to_json()}
        if ins.readable is True:
            return Outcome.PASSED, evidence
        if ins.readable is False:
            return Outcome.FAILED, evidence
        return Outcome.NOT_PERFORMED, evidence

    return ctx.per_file(package.files, check)


@register("encryption_compression")
def encryption_compression(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    def check(f: FileView) -> tuple[Outcome, dict[str, Any]]:
        fmt, ins = probe(ctx, f)
        evidence: dict[str, Any] = {"mime": fmt.mime, "encrypted": ins.encrypted}
        if ins.nonpublic_compression:
            evidence["nonpublic_compression"] = ins.nonpublic_compression[:20]
        if ins.encrypted or ins.nonpublic_compression:
            return Outcome.FAILED, evidence
        fonts = ins.detail.get("fonts_not_embedded")
        if fonts:
            evidence["fonts_not_embedded"] = fonts
        if ins.active_content:
            evidence["active_content"] = ins.active_content
        if ins.active_content or fonts:
            # DA/T 47: scripts, launch actions, embedded files and missing font programs hinder
            # long-term use; worth a warning, not a refusal
            return Outcome.WARNING, evidence
        return Outcome.PASSED, evidence

    return ctx.per_file(package.files, check)


def _format_matches(declared: str, fmt: FormatInfo, row: dict[str, Any] | None) -> bool:
    text = declared.strip().lower().lstrip(".")
    names = {fmt.mime.lower(), fmt.extension}
    if row is not None:
        names |= {
            row["code"].lower(),
            row["name"].lower(),
            *row["extensions"],
            *(m.lower() for m in row["mime_types"]),
        }
        if row["code"] == "PDFA":
            names |= {"pdf", "pdf/a"}
    return text in names or text.split("-")[0].strip() in names


@register("electronic_attributes")
def electronic_attributes(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    def check(f: FileView) -> tuple[Outcome, dict[str, Any]]:
        fmt, ins = probe(ctx, f)
        problems: list[str] = []
        warnings: list[str] = []
        evidence: dict[str, Any] = {"name": f.path.rsplit("/", 1)[-1], "size": f.size, "mime": fmt.mime}
        if f.declared_size is not None:
            evidence["declared_size"] = f.declared_size
            if f.declared_size != f.size:
                problems.append("size")
        if f.declared_format:
            evidence["declared_format"] = f.declared_format
            if not _format_matches(f.declared_format, fmt, match_format(ctx, fmt, ins)):
                problems.append("format")
        if f.declared_created:
            evidence["declared_created"] = f.declared_created
            if ins.created:
                evidence["content_created"] = ins.created
                if _day(ins.created) != _day(f.declared_created):
                    warnings.append("created")
        if problems:
            evidence["mismatch"] = problems + warnings
            return Outcome.FAILED, evidence
        if warnings:
            evidence["mismatch"] = warnings
            return Outcome.WARNING, evidence
        return Outcome.PASSED, evidence

    return ctx.per_file(package.files, check)


def _day(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())[:8]
