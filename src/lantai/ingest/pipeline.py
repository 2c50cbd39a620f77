"""The ingest pipeline as an ordered list of steps, with a ``StepRun`` row per step.

receive → unpack → hash → parse happen before a submission exists (a refusal there leaves
no row); they run in one streaming pass (bytes are hashed while written to staging) and are
recorded as done when the submission row is registered. Then:

    register  – Submission, items and files written in one transaction (+ audit event)
    check     – PackageView built from those rows and the staged bytes; run_checks (pure)
    decide    – report saved, status passed/failed in one transaction; failed payloads deleted

Steps are idempotent and the staged bytes stay until ``decide`` (or acceptance) commits, so
``resume`` can finish a submission whose worker was killed: it re-runs every step not done.
The API runs the pipeline synchronously (checks read each file once more for format and
virus scanning; a 600-file transfer takes seconds); ``lantai ingest resume`` and the
``tasks.run_submission`` job (large packages, ``?background=true``) finish anything left in
``checking``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lantai.accounts.actor import Actor
from lantai.audit import services as audit
from lantai.catalog.models import Category, Fonds
from lantai.checks.package import FileView, ItemView, PackageView
from lantai.core.models import StepRun
from lantai.ingest.errors import PackageIdConflict, UnknownCategory, UnknownFonds
from lantai.ingest.models import Submission, SubmissionFile, SubmissionItem
from lantai.ingest.readers import ParsedPackage
from lantai.ingest.staging import StagedFile, Staging, listing_digests, open_staging, remove_staging

PIPELINE = "ingest"
SUBJECT = "ingest.submission"
PRE_STEPS = ("receive", "unpack", "hash", "parse")


@dataclass
class Context:
    submission: Submission
    actor: Actor
    report: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


Step = Callable[[Context], None]


def _resolve(actor: Actor, parsed: ParsedPackage) -> tuple[Fonds, Category]:
    category = Category.objects.filter(code=parsed.category_code, is_active=True).first()
    if category is None:
        raise UnknownCategory(value=parsed.category_code or "-")
    fonds = Fonds.objects.select_related("institution").filter(code=parsed.fonds_code, is_active=True).first()
    if fonds is None or not _fonds_open_to(actor, fonds):
        raise UnknownFonds(value=parsed.fonds_code or "-")
    return fonds, category


def _fonds_open_to(actor: Actor, fonds: Fonds) -> bool:
    """A business system may archive into the fonds of its own institution, of an
    institution above it (its archive) or below it; staff within their data scope."""
    if actor.institution_scope is None or actor.may_reach_institution(fonds.institution_id):
        return True
    if actor.kind != "apikey" or actor.institution_id is None:
        return False
    from lantai.accounts.models import Institution

    node = Institution.objects.filter(pk=actor.institution_id).first()
    while node is not None:
        if node.pk == fonds.institution_id:
            return True
        node = node.parent
    return False


def content_digest(parsed: ParsedPackage) -> str:
    metadata = json.dumps(
        [[it.metadata, it.paths] for it in parsed.items], ensure_ascii=False, sort_keys=True, default=str
    )
    return listing_digests(parsed.files.values(), metadata)["sm3"]


def submitting_institution(actor: Actor, fonds: Fonds) -> int:
    """A business system (or the CLI acting for one) submits for its own institution; staff
    uploading a package received otherwise submit for the fonds' institution."""
    if actor.kind in ("apikey", "system") and actor.institution_id is not None:
        return actor.institution_id
    return fonds.institution_id


def existing_for(institution_id: int, package_id: str, digest: str) -> Submission | None:
    """Idempotency: the same package id with the same content is the same submission; with
    different content it is a conflict unless the earlier attempt failed or was returned."""
    latest = (
        Submission.objects.filter(institution_id=institution_id, package_id=package_id)
        .order_by("-attempt")
        .first()
    )
    if latest is None:
        return None
    if latest.content_digest == digest:
        return latest
    if latest.status in (Submission.Status.FAILED, Submission.Status.RETURNED):
        return None
    raise PackageIdConflict(package_id=package_id, details={"submission": str(latest.public_id)})


def register(
    actor: Actor, parsed: ParsedPackage, staging: Staging, started: datetime
) -> tuple[Submission, bool]:
    """Write the submission and its rows; returns (submission, created)."""
    fonds, category = _resolve(actor, parsed)
    digest = content_digest(parsed)
    package_id = parsed.package_id or f"sm3:{digest}"
    institution_id = submitting_institution(actor, fonds)
    existing = existing_for(institution_id, package_id, digest)
    if existing is not None:
        return existing, False
    attempt = Submission.objects.filter(institution_id=institution_id, package_id=package_id).count() + 1
    missing = parsed.missing()
    try:
        with transaction.atomic():
            sub = Submission.objects.create(
                institution_id=institution_id,
                api_key_id=actor.api_key_id,
                submitted_by_id=actor.user_id,
                submitted_by_name=actor.name[:150],
                package_id=package_id,
                attempt=attempt,
                source_kind=parsed.kind,
                fonds=fonds,
                category=category,
                status=Submission.Status.CHECKING,
                registration=parsed.registration,
                content_digest=digest,
                package_declared=parsed.package_declared,
                package_computed=parsed.package_computed,
                item_count=len(parsed.items),
                file_count=len(parsed.files),
                total_bytes=sum(f.size for p, f in parsed.files.items() if p not in parsed.structural),
                staging_key=staging.key,
                structure={
                    "missing": [
                        {
                            "path": p,
                            "declared": parsed.declarations[p].declared,
                            "declared_size": parsed.declarations[p].declared_size,
                            "declared_format": parsed.declarations[p].declared_format,
                            "item_seq": _seq_of(parsed, p),
                        }
                        for p in missing
                    ],
                    "extra": parsed.extra(),
                    "notes": {**parsed.notes, "structural_paths": sorted(parsed.structural)},
                },
            )
            items = SubmissionItem.objects.bulk_create(
                [
                    SubmissionItem(submission=sub, seq=n, metadata=_json(it.metadata))
                    for n, it in enumerate(parsed.items, 1)
                ]
            )
            item_of = {p: items[n] for n, it in enumerate(parsed.items) for p in it.paths}
            SubmissionFile.objects.bulk_create(
                [
                    _file_row(sub, f, item_of.get(path), parsed, staging)
                    for path, f in sorted(parsed.files.items())
                ],
                batch_size=500,
            )
            now = timezone.now()
            StepRun.objects.bulk_create(
                [
                    StepRun(
                        pipeline=PIPELINE,
                        subject_type=SUBJECT,
                        subject_id=str(sub.public_id),
                        step=name,
                        status=StepRun.Status.DONE,
                        attempts=1,
                        started_at=started,
                        finished_at=now,
                    )
                    for name in (*PRE_STEPS, "register")
                ]
            )
            audit.record(
                actor,
                "ingest.submitted",
                object_type="submission",
                object_id=sub.public_id,
                after={
                    "package_id": package_id,
                    "source_kind": parsed.kind,
                    "fonds": fonds.code,
                    "category": category.code,
                    "items": sub.item_count,
                    "files": sub.file_count,
                    "bytes": sub.total_bytes,
                    "content_sm3": digest,
                },
                institution_id=institution_id,
            )
    except IntegrityError:
        # A concurrent request registered the same package id first.
        again = existing_for(institution_id, package_id, digest)
        if again is None:
            raise
        return again, False
    staging.keep()
    return sub, True


def _json(value: dict[str, object]) -> dict[str, object]:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _seq_of(parsed: ParsedPackage, path: str) -> int | None:
    for n, it in enumerate(parsed.items, 1):
        if path in it.paths:
            return n
    return None


def _file_row(
    sub: Submission, f: StagedFile, item: SubmissionItem | None, parsed: ParsedPackage, staging: Staging
) -> SubmissionFile:
    decl = parsed.declarations.get(f.path)
    declared = decl.declared if decl else {}
    f.ensure(declared.keys())
    return SubmissionFile(
        submission=sub,
        item=item,
        path=f.path,
        role=SubmissionFile.Role.STRUCTURE if f.path in parsed.structural else SubmissionFile.Role.CONTENT,
        staged_name=f.staged.relative_to(staging.root).as_posix(),
        size=f.size,
        sm3=f.digests["sm3"],
        sha256=f.digests["sha256"],
        digests=f.digests,
        declared=declared,
        declared_size=decl.declared_size if decl else None,
        declared_created=decl.declared_created if decl else "",
        declared_format=decl.declared_format if decl else "",
    )


def package_view(sub: Submission) -> PackageView:
    """The checks' view of a registered submission, from its rows and staged bytes."""
    root = open_staging(sub.staging_key)
    items = list(sub.items.order_by("seq"))
    seq_of = {it.pk: it.seq for it in items}
    files = [
        FileView(
            path=f.path,
            local_path=root / f.staged_name,
            size=f.size,
            digests=dict(f.digests or {"sm3": f.sm3, "sha256": f.sha256}),
            declared=dict(f.declared),
            item_seq=seq_of.get(f.item_id) if f.item_id else None,
            declared_format=f.declared_format,
            declared_size=f.declared_size,
            declared_created=f.declared_created,
        )
        # Structure files (说明文件, 目录文件, BagIt tag files) were read and verified by the
        # package reader; the checks judge the content.
        for f in sub.files.filter(role=SubmissionFile.Role.CONTENT).order_by("path")
    ]
    by_item: dict[int, list[FileView]] = {}
    for fv in files:
        if fv.item_seq is not None:
            by_item.setdefault(fv.item_seq, []).append(fv)
    structure = sub.structure or {}
    return PackageView(
        stage="GD",
        source_kind=sub.source_kind,
        institution_id=sub.institution_id,
        fonds_code=sub.fonds.code,
        category_code=sub.category.code,
        items=[
            ItemView(seq=it.seq, metadata=dict(it.metadata), files=by_item.get(it.seq, [])) for it in items
        ],
        files=files,
        registration=dict(sub.registration),
        missing_paths=[m["path"] for m in structure.get("missing", [])],
        extra_paths=list(structure.get("extra", [])),
        package_declared=dict(sub.package_declared),
        package_computed=dict(sub.package_computed),
        notes=dict(structure.get("notes", {})),
    )


def step_check(ctx: Context) -> None:
    from lantai.checks.runner import run_checks

    ctx.report = run_checks(package_view(ctx.submission))


def step_decide(ctx: Context) -> None:
    from lantai.checks.runner import save_report

    sub = ctx.submission
    report = ctx.report
    if report is None:  # resumed after the check step: run it again (pure, idempotent)
        step_check(ctx)
        report = ctx.report
    failed = report.outcome == "failed"
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=sub.pk)
        if locked.status != Submission.Status.CHECKING:
            ctx.submission = locked
            return
        run = save_report(report, subject_type=SUBJECT, subject_id=str(sub.public_id), actor=ctx.actor)
        _record_formats(sub, report)
        sub.report = report.to_json()
        sub.report_outcome = report.outcome
        sub.check_run_id = str(getattr(run, "public_id", "") or getattr(run, "pk", ""))
        sub.status = Submission.Status.FAILED if failed else Submission.Status.PASSED
        sub.checked_at = timezone.now()
        key = sub.staging_key
        if failed:
            # Failed content is never stored: the staged payload goes once the decision commits.
            sub.staging_key = ""
            transaction.on_commit(lambda: remove_staging(key), robust=True)
        sub.save(
            update_fields=["report", "report_outcome", "check_run_id", "status", "checked_at", "staging_key"]
        )


def _record_formats(sub: Submission, report: Any) -> None:
    """Keep what format identification found (MIME type, PRONOM id) on the file rows."""
    found: dict[str, dict[str, str]] = {}
    for r in report.results:
        target = getattr(r, "target", "")
        if not target.startswith("file:"):
            continue
        evidence = getattr(r, "evidence", {}) or {}
        entry = found.setdefault(target[5:], {})
        for key in ("puid", "mime", "mime_type"):
            if isinstance(evidence.get(key), str) and evidence[key]:
                entry.setdefault("mime" if key == "mime_type" else key, evidence[key])
    if not found:
        return
    rows = list(sub.files.filter(path__in=list(found)))
    for f in rows:
        entry = found[f.path]
        f.puid = entry.get("puid", "")[:30]
        f.mime_type = entry.get("mime", "")[:100]
    SubmissionFile.objects.bulk_update(rows, ["puid", "mime_type"], batch_size=500)


STEPS: list[tuple[str, Step]] = [("check", step_check), ("decide", step_decide)]


def run(submission: Submission, actor: Actor) -> Submission:
    """Run every step not yet done, recording each one."""
    ctx = Context(submission, actor)
    subject_id = str(submission.public_id)
    if submission.status != Submission.Status.CHECKING:
        return submission
    for name, fn in STEPS:
        row, _created = StepRun.objects.get_or_create(
            pipeline=PIPELINE, subject_type=SUBJECT, subject_id=subject_id, step=name
        )
        if row.status == StepRun.Status.DONE and name != "check":
            continue
        StepRun.objects.filter(pk=row.pk).update(
            status=StepRun.Status.RUNNING, started_at=timezone.now(), attempts=row.attempts + 1
        )
        try:
            fn(ctx)
        except Exception as exc:
            StepRun.objects.filter(pk=row.pk).update(
                status=StepRun.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:2000]
            )
            raise
        StepRun.objects.filter(pk=row.pk).update(
            status=StepRun.Status.DONE, finished_at=timezone.now(), message=""
        )
    submission.refresh_from_db()
    return submission


def resume_pending(actor: Actor | None = None) -> list[Submission]:
    """Finish submissions left in ``checking`` (a killed worker, a restart)."""
    actor = actor or Actor.system("ingest")
    done = []
    for sub in Submission.objects.filter(status=Submission.Status.CHECKING).select_related(
        "fonds", "category"
    ):
        if not sub.staging_key or not open_staging(sub.staging_key).exists():
            continue
        done.append(run(sub, actor))
    return done


def staged_path(sub: Submission, f: SubmissionFile) -> Path:
    return open_staging(sub.staging_key) / f.staged_name
