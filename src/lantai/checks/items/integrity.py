"""Package and fixity families: 1-1 declared vs computed digests, 1-11 metadata ↔ content,
1-12 package structure, 1-14 package digest, 2-1/2-2 totals vs the registration form,
2-7 content complete, 2-11 files complete, 3-2 target database reachable."""

from __future__ import annotations

import fnmatch
import unicodedata
from typing import Any

from lantai.checks.package import FileView, Outcome, PackageView
from lantai.checks.runner import PACKAGE, CheckContext, CheckResult, item_target, register
from lantai.core.hashing import SUPPORTED_ALGORITHMS, digest_file

# Package-level files that belong to no item by design (DA/T 93 说明文件/目录文件, per-item
# metadata XML, BagIt tag files); ingest may list more in notes["structural_paths"].
STRUCTURAL_PATTERNS = [
    "说明文件.*",
    "目录文件.*",
    "*/电子档案*元数据.xml",
    "*元数据.xml",
    "bagit.txt",
    "bag-info.txt",
    "manifest-*.txt",
    "tagmanifest-*.txt",
]


def _norm_alg(name: str) -> str:
    return name.lower().replace("-", "")


@register("digest_match")
def digest_match(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    def check(f: FileView) -> tuple[Outcome, dict[str, Any]]:
        declared = {_norm_alg(k): v.strip().lower() for k, v in f.declared.items() if v}
        if not declared:
            return _with_signatures(
                ctx, f, Outcome.WARNING, {"reason": "no digest declared", "computed": f.digests}
            )
        computed = {_norm_alg(k): v.lower() for k, v in f.digests.items()}
        missing = [a for a in declared if a not in computed and a in SUPPORTED_ALGORITHMS]
        if missing:  # ingest hashes the declared algorithm too; this covers callers that did not
            computed.update(digest_file(f.local_path, missing).values)
        compared = {a: declared[a] == computed[a] for a in declared if a in computed}
        evidence: dict[str, Any] = {"declared": declared, "computed": {a: computed[a] for a in compared}}
        unknown = sorted(set(declared) - set(compared))
        if unknown:
            evidence["unsupported_algorithms"] = unknown
        if not compared:
            return Outcome.FAILED, {**evidence, "reason": "no supported algorithm declared"}
        if not all(compared.values()):
            evidence["mismatch"] = [a for a, ok in compared.items() if not ok]
            return Outcome.FAILED, evidence
        return _with_signatures(ctx, f, Outcome.PASSED, evidence)

    return ctx.per_file(package.files, check)


def _with_signatures(
    ctx: CheckContext, f: FileView, outcome: Outcome, evidence: dict[str, Any]
) -> tuple[Outcome, dict[str, Any]]:
    """固化信息 includes electronic signatures and seals; Lantai cannot yet verify SM2/RSA signatures
    or GB/T 38540 seals, so a signed file is handed to a person instead of being passed."""
    from lantai.checks.items.content import probe

    _fmt, ins = probe(ctx, f)
    if ins.signatures:
        evidence["signatures"] = ins.signatures
        evidence["reason"] = "electronic signature or seal present: verify manually"
        return Outcome.MANUAL, evidence
    return outcome, evidence


@register("package_digest")
def package_digest(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    declared = {_norm_alg(k): v.lower() for k, v in package.package_declared.items() if v}
    computed = {_norm_alg(k): v.lower() for k, v in package.package_computed.items()}
    if not declared:
        return [
            ctx.result(
                PACKAGE, Outcome.WARNING, {"reason": "no package digest declared", "computed": computed}
            )
        ]
    shared = [a for a in declared if a in computed]
    evidence = {"declared": declared, "computed": computed}
    if not shared:
        return [ctx.result(PACKAGE, Outcome.FAILED, {**evidence, "reason": "no comparable algorithm"})]
    bad = [a for a in shared if declared[a] != computed[a]]
    if bad:
        return [ctx.result(PACKAGE, Outcome.FAILED, {**evidence, "mismatch": bad})]
    return [ctx.result(PACKAGE, Outcome.PASSED, evidence)]


def _declared_int(package: PackageView, key: str) -> int | None:
    value = package.registration.get(key)
    if value is None or value == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return -1  # a declared but unreadable figure can never match


def _compare_total(ctx: CheckContext, key: str, actual: int) -> list[CheckResult]:
    declared = _declared_int(ctx.package, key)
    evidence: dict[str, Any] = {"actual": actual}
    if declared is None:
        return [ctx.result(PACKAGE, Outcome.WARNING, {**evidence, "reason": f"registration has no {key}"})]
    evidence["declared"] = declared if declared >= 0 else ctx.package.registration.get(key)
    return [ctx.result(PACKAGE, Outcome.PASSED if declared == actual else Outcome.FAILED, evidence)]


@register("registration_item_count")
def registration_item_count(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    return _compare_total(ctx, "item_count", len(package.items))


@register("registration_total_bytes")
def registration_total_bytes(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    return _compare_total(ctx, "total_bytes", sum(f.size for f in package.files))


def _structural(package: PackageView, path: str) -> bool:
    extra = package.notes.get("structural_paths")
    if isinstance(extra, (list, tuple, set)) and path in extra:
        return True
    lowered = path.lower()
    return any(fnmatch.fnmatch(lowered, p.lower()) for p in STRUCTURAL_PATTERNS)


@register("metadata_content_link")
def metadata_content_link(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    out = []
    for item in package.items:
        absent = [f.path for f in item.files if not f.local_path.is_file()]
        foreign = [f.path for f in item.files if f.item_seq not in (None, item.seq)]
        evidence: dict[str, Any] = {"files": [f.path for f in item.files][:50]}
        if not item.files:
            out.append(
                ctx.result(item_target(item.seq), Outcome.FAILED, {"reason": "no content file linked"})
            )
        elif absent or foreign:
            evidence.update({"absent": absent[:50], "linked_to_other_item": foreign[:50]})
            out.append(ctx.result(item_target(item.seq), Outcome.FAILED, evidence))
        else:
            out.append(ctx.result(item_target(item.seq), Outcome.PASSED, evidence))
    linked = {f.path for item in package.items for f in item.files}
    orphans = [f.path for f in package.files if f.path not in linked and not _structural(package, f.path)]
    if orphans:
        out.append(
            ctx.result(PACKAGE, Outcome.FAILED, {"orphan_files": orphans[:100], "count": len(orphans)})
        )
    return out


@register("package_structure")
def package_structure(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    problems: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for f in package.files:
        p = f.path
        if p.startswith("/") or "\\" in p or any(part in ("", ".", "..") for part in p.split("/")):
            problems.setdefault("bad_path", []).append(p)
        if unicodedata.normalize("NFC", p) != p:
            problems.setdefault("not_nfc", []).append(p)
        key = unicodedata.normalize("NFC", p).casefold()
        if key in seen:
            problems.setdefault("duplicate_path", []).append(p)
        seen[key] = p
    empty = [str(i.seq) for i in package.items if not i.files]
    if empty:
        problems["items_without_files"] = empty
    seqs = [i.seq for i in package.items]
    if seqs != list(range(1, len(seqs) + 1)):
        problems["item_order"] = [str(s) for s in seqs[:50]]
    evidence: dict[str, Any] = {
        "source": package.source_kind,
        "files": len(package.files),
        "items": len(seqs),
    }
    if problems:
        return [ctx.result(PACKAGE, Outcome.FAILED, {**evidence, **{k: v[:50] for k, v in problems.items()}})]
    return [ctx.result(PACKAGE, Outcome.PASSED, evidence)]


@register("package_files_complete")
def package_files_complete(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    evidence: dict[str, Any] = {"files": len(package.files)}
    failed = False
    if package.missing_paths:
        evidence["missing"] = package.missing_paths[:100]
        failed = True
    if package.extra_paths:
        evidence["extra"] = package.extra_paths[:100]
        failed = True
    declared = _declared_int(package, "file_count")
    if declared is not None:
        evidence["declared_file_count"] = declared
        failed = failed or declared != len(package.files)
    return [ctx.result(PACKAGE, Outcome.FAILED if failed else Outcome.PASSED, evidence)]


@register("content_complete")
def content_complete(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    out = []
    for item in package.items:
        problems: dict[str, Any] = {}
        if not item.files:
            problems["reason"] = "no content file"
        empty = [f.path for f in item.files if f.size == 0]
        if empty:
            problems["empty_files"] = empty
        wrong = [
            {"path": f.path, "declared": f.declared_size, "actual": f.size}
            for f in item.files
            if f.declared_size is not None and f.declared_size != f.size
        ]
        if wrong:
            problems["size_mismatch"] = wrong[:20]
        outcome = Outcome.FAILED if problems else Outcome.PASSED
        out.append(ctx.result(item_target(item.seq), outcome, problems or {"files": len(item.files)}))
    return out


@register("database_accessible")
def database_accessible(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    from lantai.catalog.models import Category, Fonds

    category = Category.objects.filter(code=package.category_code).values("code", "name").first()
    fonds = Fonds.objects.filter(code=package.fonds_code).values("code", "name").first()
    evidence = {"category": category, "fonds": fonds}
    if category is None:
        return [ctx.result(PACKAGE, Outcome.FAILED, {**evidence, "reason": "unknown category"})]
    if fonds is None:
        return [ctx.result(PACKAGE, Outcome.FAILED, {**evidence, "reason": "unknown fonds"})]
    return [ctx.result(PACKAGE, Outcome.PASSED, evidence)]
