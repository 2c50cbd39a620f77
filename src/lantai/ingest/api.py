"""API routes of online archiving (mounted at /api/v1/ingest/).

Submitting (API key with ``ingest.submit``):

* ``POST /submissions`` — multipart: a ``metadata`` part (JSON: package_id, fonds_code,
  category_code, registration, package_digests, items[{metadata, files[{path, part,
  digests}]}]) and one part per file, named by its ``part`` (default: its path).
* ``POST /packages`` — multipart: ``package`` (a zip of a DA/T 93 folder or of a BagIt bag,
  or an EEP .xml), optional ``kind``, ``package_id``, ``fonds_code``, ``category_code`` and
  ``package_sha256`` / ``package_sm3``.

The whole-package digest (``package_digests`` in the JSON, ``package_sha256``/``package_sm3``
for a package file) is, for the JSON route, the digest of the content listing: one line
``<sha256 of the file>  <path>\n`` per file, sorted by path (a BagIt manifest's form); for a
package file, the digest of the uploaded file.

Both answer 201 with the submission when it passed the checks, 202 (status ``checking``) when
it is larger than ``LANTAI_INGEST_SYNC_MAX_BYTES`` or ``?background=true`` was given and a
background job runs the checks (poll ``GET /submissions/{id}``), 200 when the same package id
and content were already received, 422 ``ingest.checks_failed`` (details: the submission id
and the failed check codes and targets), 409 ``ingest.package_id_conflict``, or a specific
refusal code. ``GET /submissions/{id}`` gives the status, the full report and, when
returned, the reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from lantai.accounts.api import actor_of
from lantai.core.errors import LantaiError
from lantai.ingest import queries, services
from lantai.ingest.errors import DuplicatePath, MalformedRequest
from lantai.ingest.models import Submission
from lantai.ingest.staging import StagedFile, Staging
from lantai.ingest.upload import StagedUpload, StagingUploadHandler

router = Router(tags=["ingest"])

MULTIPART_SUBMISSION = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["metadata"],
                    "properties": {
                        "metadata": {"type": "string", "description": "JSON: package_id, fonds_code, …"},
                    },
                    "additionalProperties": {"type": "string", "format": "binary"},
                }
            }
        },
        "required": True,
    }
}
MULTIPART_PACKAGE = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["package"],
                    "properties": {
                        "package": {"type": "string", "format": "binary"},
                        "kind": {"type": "string", "enum": list(services.PACKAGE_KINDS)},
                        "package_id": {"type": "string"},
                        "fonds_code": {"type": "string"},
                        "category_code": {"type": "string"},
                        "package_sha256": {"type": "string"},
                        "package_sm3": {"type": "string"},
                    },
                }
            }
        },
        "required": True,
    }
}


class ItemOut(Schema):
    seq: int
    title: str
    archival_code: str


class SubmissionOut(Schema):
    id: UUID
    package_id: str
    attempt: int
    status: str
    status_label: str
    source_kind: str
    fonds_code: str
    category_code: str
    item_count: int
    file_count: int
    total_bytes: int
    received_at: datetime
    checked_at: datetime | None
    decided_at: datetime | None
    report_outcome: str
    return_reason: str
    failed: list[dict[str, str]]


class SubmissionDetail(SubmissionOut):
    items: list[ItemOut]
    report: dict[str, Any]


class ReturnIn(Schema):
    reason: str


def _failed(sub: Submission) -> list[dict[str, str]]:
    return [
        {"code": r["code"], "target": r["target"]}
        for r in (sub.report or {}).get("results", [])
        if r.get("blocking") and r.get("outcome") == "failed"
    ]


def submission_out(sub: Submission) -> dict[str, Any]:
    return {
        "id": sub.public_id,
        "package_id": sub.package_id,
        "attempt": sub.attempt,
        "status": sub.status,
        "status_label": str(sub.get_status_display()),
        "source_kind": sub.source_kind,
        "fonds_code": sub.fonds.code,
        "category_code": sub.category.code,
        "item_count": sub.item_count,
        "file_count": sub.file_count,
        "total_bytes": sub.total_bytes,
        "received_at": sub.received_at,
        "checked_at": sub.checked_at,
        "decided_at": sub.decided_at,
        "report_outcome": sub.report_outcome,
        "return_reason": sub.return_reason,
        "failed": _failed(sub),
    }


def submission_detail(sub: Submission) -> dict[str, Any]:
    items = [
        {"seq": it.seq, "title": str(it.values.get("title", "")), "archival_code": it.archival_code}
        for it in sub.items.order_by("seq")
    ]
    return {**submission_out(sub), "items": items, "report": sub.report or {}}


def staged_parts(request: HttpRequest, staging: Staging) -> dict[str, StagedFile]:
    """Read the multipart body through the staging handler (one pass: write + hash)."""
    if not request.content_type or not request.content_type.startswith("multipart/form-data"):
        raise MalformedRequest(reason="expected multipart/form-data")
    try:
        request.upload_handlers = [StagingUploadHandler(staging, request)]
    except AttributeError:
        pass  # the body was already read (a session request checked for CSRF): copied below
    try:
        files = request.FILES
    except LantaiError:
        raise
    except Exception as exc:  # a malformed body: Django's MultiPartParserError and friends
        raise MalformedRequest(reason=f"{type(exc).__name__}: {str(exc)[:150]}") from exc
    out: dict[str, StagedFile] = {}
    for field_name, uploads in files.lists():
        if len(uploads) != 1:
            raise DuplicatePath(path=field_name)
        upload = uploads[0]
        if isinstance(upload, StagedUpload):
            out[field_name] = upload.staged
        else:
            parts = staging.root / "parts"
            parts.mkdir(exist_ok=True)
            target = parts / f"copy-{len(out):06d}"
            size, digests = staging.write_stream(target, upload)  # type: ignore[arg-type]  # file-like
            out[field_name] = StagedFile(field_name, target, size, digests)
    return out


def _refused(actor: Any, exc: BaseException, kind: str) -> None:
    if isinstance(exc, LantaiError):
        services.refused(actor, exc, {"source_kind": kind})


def _answer(sub: Submission, created: bool) -> Status[dict[str, Any]]:
    services.raise_if_failed(sub)
    if created and sub.status == Submission.Status.CHECKING:
        return Status(202, submission_detail(sub))  # checked by a background job: poll GET
    return Status(201 if created else 200, submission_detail(sub))


@router.post(
    "/submissions",
    response={200: SubmissionDetail, 201: SubmissionDetail, 202: SubmissionDetail},
    summary="Submit records: JSON metadata and files (multipart)",
    openapi_extra=MULTIPART_SUBMISSION,
)
def submit(request: HttpRequest, background: bool = False) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    services.require_submit(actor)
    staging = Staging()
    try:
        parts = staged_parts(request, staging)
        meta = parts.pop("metadata", None)
        metadata_json = meta.staged.read_text("utf-8") if meta else request.POST.get("metadata", "")
        if not metadata_json:
            raise MalformedRequest(reason="the metadata part is missing")
    except BaseException as exc:
        staging.remove()
        _refused(actor, exc, "api")
        raise
    background = background or sum(p.size for p in parts.values()) > settings.INGEST_SYNC_MAX_BYTES
    sub, created = services.submit_api(actor, metadata_json, parts, staging, background)
    return _answer(sub, created)


@router.post(
    "/packages",
    response={200: SubmissionDetail, 201: SubmissionDetail, 202: SubmissionDetail},
    summary="Submit a package: DA/T 93 zip, BagIt zip or EEP XML",
    openapi_extra=MULTIPART_PACKAGE,
)
def submit_package(request: HttpRequest, background: bool = False) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    services.require_submit(actor)
    staging = Staging()
    try:
        parts = staged_parts(request, staging)
        package = parts.get("package")
        if package is None:
            raise MalformedRequest(reason="the package part is missing")
        upload = request.FILES.get("package")
        name = (getattr(upload, "name", "") or "package").rsplit("/", 1)[-1]
        suffix = ".xml" if name.lower().endswith(".xml") else ".zip"
        source = staging.root / f"upload{suffix}"
        package.staged.rename(source)
    except BaseException as exc:
        staging.remove()
        _refused(actor, exc, "package")
        raise
    form = {k: request.POST.get(k, "") for k in ("package_id", "fonds_code", "category_code")}
    declared = {
        alg: request.POST[f"package_{alg}"] for alg in ("sha256", "sm3") if request.POST.get(f"package_{alg}")
    }
    sub, created = services.submit_package(
        actor,
        source,
        kind=request.POST.get("kind", "auto") or "auto",
        form=form,
        staging=staging,
        upload_digests=package.digests,
        declared_digests=declared,
        background=background or package.size > settings.INGEST_SYNC_MAX_BYTES,
    )
    return _answer(sub, created)


@router.get("/submissions", response=list[SubmissionOut], summary="Submissions visible to the caller")
def list_submissions(request: HttpRequest, status: str = "", limit: int = 100) -> list[dict[str, Any]]:
    actor = actor_of(request)
    qs = queries.visible_submissions(actor)
    if status:
        qs = qs.filter(status=status)
    return [submission_out(s) for s in qs[: max(1, min(limit, 500))]]


@router.get(
    "/submissions/{submission_id}", response=SubmissionDetail, summary="Status, report and return reason"
)
def get_submission(request: HttpRequest, submission_id: UUID) -> dict[str, Any]:
    actor = actor_of(request)
    return submission_detail(queries.access_submission(actor, submission_id))


@router.post(
    "/submissions/{submission_id}/accept", response=SubmissionDetail, summary="Accept (archive) a submission"
)
def accept(request: HttpRequest, submission_id: UUID) -> dict[str, Any]:
    actor = actor_of(request)
    actor.require("ingest.accept")
    sub = services.accept(actor, queries.access_submission(actor, submission_id))
    return submission_detail(sub)


@router.post(
    "/submissions/{submission_id}/return",
    response=SubmissionDetail,
    summary="Return a submission with a reason",
)
def return_submission(request: HttpRequest, submission_id: UUID, body: ReturnIn) -> dict[str, Any]:
    actor = actor_of(request)
    actor.require("ingest.accept")
    sub = services.return_submission(actor, queries.access_submission(actor, submission_id), body.reason)
    return submission_detail(sub)
