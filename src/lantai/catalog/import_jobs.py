"""Background catalogue imports for the UI and the API: stage the upload, run the check or the
import as a job with progress, keep the error report, remove the upload afterwards.

Each import has a folder ``LANTAI_DATA_DIR/tmp/imports/<id>/`` holding ``meta.json`` (who,
where, which file), the uploaded file while it is needed, ``status.json`` (state and
progress, replaced atomically) and ``errors.xlsx``. The job is idempotent: a finished
import is recognised by its ``catalog.imported`` audit event and not run twice.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django_tasks import task

from lantai.accounts.actor import Actor
from lantai.catalog import importing
from lantai.catalog.models import Category, Fonds
from lantai.core import jobs
from lantai.core.errors import LantaiError, NotFound
from lantai.core.i18n import nfc

REPORT_NAME = "errors.xlsx"
PROGRESS_EVERY_SECONDS = 1.0
KEEP_SECONDS = 7 * 24 * 3600  # staged files and reports older than this are removed


def imports_root() -> Path:
    path = Path(settings.DATA_DIR) / "tmp" / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _folder(import_id: str) -> Path:
    try:
        clean = str(uuid.UUID(import_id))
    except (ValueError, TypeError) as exc:
        raise NotFound() from exc
    return imports_root() / clean


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise NotFound() from exc
    return data


def _actor_ref(actor: Actor) -> dict[str, Any]:
    return {"kind": actor.kind, "user_id": actor.user_id, "api_key_id": actor.api_key_id, "name": actor.name}


def _actor_from(ref: dict[str, Any]) -> Actor:
    from lantai.accounts.models import ApiKey, User

    if ref.get("user_id"):
        return Actor.for_user(User.objects.get(pk=ref["user_id"]))
    if ref.get("api_key_id"):
        return Actor.for_api_key(ApiKey.objects.get(pk=ref["api_key_id"]))
    return Actor.system(ref.get("name") or "import")


def _owned(actor: Actor, meta: dict[str, Any]) -> bool:
    ref = meta.get("actor", {})
    if actor.user_id is not None:
        return bool(ref.get("user_id") == actor.user_id)
    if actor.api_key_id is not None:
        return bool(ref.get("api_key_id") == actor.api_key_id)
    return actor.is_system


def stage_upload(actor: Actor, stream: IO[bytes], file_name: str, *, fonds: Fonds, category: Category) -> str:
    """Save an uploaded file for a later check or import; returns the import id."""
    actor.require("catalog.import")
    if not actor.may_reach_institution(fonds.institution_id):
        raise NotFound()
    sweep_old()
    import_id = str(uuid.uuid4())
    folder = _folder(import_id)
    folder.mkdir(parents=True)
    name = nfc(Path(file_name).name) or "import.xlsx"
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".xlsx", ".csv", ".txt") else ".bin"
    upload = folder / f"upload{suffix}"
    with upload.open("wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    _write_json(
        folder / "meta.json",
        {
            "id": import_id,
            "actor": _actor_ref(actor),
            "fonds_id": fonds.pk,
            "category_id": category.pk,
            "file_name": name,
            "upload": upload.name,
            "created": time.time(),
        },
    )
    _write_json(folder / "status.json", {"state": "staged", "phase": "", "done": 0, "total": None})
    return import_id


def start(actor: Actor, import_id: str, *, dry_run: bool) -> None:
    """Queue the check (dry run) or the import of a staged file."""
    meta = _meta_for(actor, import_id)
    folder = _folder(import_id)
    status = _read_json(folder / "status.json")
    if status.get("state") in ("queued", "checking", "writing"):
        return
    if not (folder / meta["upload"]).exists():
        raise importing.ImportEmpty()
    _write_json(folder / "status.json", {"state": "queued", "dry_run": dry_run, "done": 0, "total": None})
    with transaction.atomic():
        jobs.enqueue(import_job, import_id, dry_run)


def _meta_for(actor: Actor, import_id: str) -> dict[str, Any]:
    meta = _read_json(_folder(import_id) / "meta.json")
    if not _owned(actor, meta):
        raise NotFound()
    return meta


def status(actor: Actor, import_id: str) -> dict[str, Any]:
    """State (staged, queued, checking, writing, checked, done, rejected, failed), progress and result."""
    _meta_for(actor, import_id)
    data = _read_json(_folder(import_id) / "status.json")
    data["id"] = import_id
    data["has_report"] = (_folder(import_id) / REPORT_NAME).exists()
    return data


def report_path(actor: Actor, import_id: str) -> Path:
    _meta_for(actor, import_id)
    path = _folder(import_id) / REPORT_NAME
    if not path.exists():
        raise NotFound()
    return path


def _already_imported(import_id: str) -> bool:
    from lantai.audit.models import AuditEvent

    return AuditEvent.objects.filter(action="catalog.imported", after__import_id=import_id).exists()


@task()
def import_job(import_id: str, dry_run: bool) -> dict[str, Any]:
    """Check or import a staged file. Safe to run again: a finished import is not repeated."""
    folder = _folder(import_id)
    meta = _read_json(folder / "meta.json")
    status_path = folder / "status.json"
    if not dry_run and _already_imported(import_id):
        current = _read_json(status_path)
        current["state"] = "done"
        _write_json(status_path, current)
        _remove_upload(folder, meta)
        return current
    upload = folder / meta["upload"]
    last = [0.0]

    def progress(phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_SECONDS or (total is not None and done >= total):
            last[0] = now
            state = "checking" if phase == "check" else "writing"
            _write_json(status_path, {"state": state, "dry_run": dry_run, "done": done, "total": total})

    result: importing.ImportResult | None = None
    try:
        actor = _actor_from(meta["actor"])
        fonds = Fonds.objects.get(pk=meta["fonds_id"])
        category = Category.objects.get(pk=meta["category_id"])
        result = importing.import_file(
            actor,
            upload,
            fonds=fonds,
            category=category,
            file_name=meta["file_name"],
            dry_run=dry_run,
            progress=progress,
            import_id=import_id,
        )
    except importing.ImportRejected as exc:
        errors = [importing.RowError(**_row_fields(e)) for e in exc.details["errors"]]
        importing.write_error_report(errors, folder / REPORT_NAME, exc.details["error_count"])
        outcome = {"state": "rejected", "dry_run": dry_run, "code": exc.code, "message": exc.message}
        outcome.update(exc.details)
        _write_json(status_path, outcome)
        return outcome
    except LantaiError as exc:
        outcome = {"state": "failed", "dry_run": dry_run, "code": exc.code, "message": exc.message}
        _write_json(status_path, outcome)
        _remove_upload(folder, meta)
        return outcome
    except Exception as exc:
        # Nothing was written (the import is one transaction); say so instead of spinning forever.
        failed = importing.ImportWriteFailed(reason=type(exc).__name__)
        _write_json(
            status_path,
            {"state": "failed", "dry_run": dry_run, "code": failed.code, "message": failed.message},
        )
        raise
    summary = result.summary()
    (folder / REPORT_NAME).unlink(missing_ok=True)
    if result.errors:
        importing.write_error_report(result.errors, folder / REPORT_NAME, result.error_count)
    state = "checked" if dry_run else "done"
    outcome = {"state": state, "dry_run": dry_run, "done": result.total_rows, "total": result.total_rows}
    outcome["result"] = summary
    _write_json(status_path, outcome)
    if not dry_run:
        _remove_upload(folder, meta)
    return {k: v for k, v in outcome.items() if k != "result"} | {"created": result.created}


def _row_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("row", "column", "rule", "value", "message")}


def _remove_upload(folder: Path, meta: dict[str, Any]) -> None:
    (folder / meta["upload"]).unlink(missing_ok=True)


def sweep_old(max_age: float = KEEP_SECONDS) -> int:
    """Remove import folders (uploads abandoned after the check, old reports) past their age."""
    cutoff = time.time() - max_age
    removed = 0
    for folder in imports_root().iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            status_file = folder / "status.json"
            if status_file.exists() and _read_json(status_file).get("state") in (
                "queued",
                "checking",
                "writing",
            ):
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def discard(actor: Actor, import_id: str) -> None:
    """Remove a staged import (the user gave up after the check)."""
    _meta_for(actor, import_id)
    shutil.rmtree(_folder(import_id), ignore_errors=True)
