"""Online archiving actions: submit (API, package, folder), correct, accept (归档), return (退回).

Each action checks permissions first, validates before writing, writes in one transaction
with one audit event. Refusals before a submission exists remove the staging folder and
record a failure audit event; nothing else is left behind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from lantai.accounts.actor import Actor
from lantai.audit import services as audit
from lantai.core.errors import LantaiError, PermissionDenied
from lantai.core.hashing import digest_file
from lantai.ingest import pipeline, readers
from lantai.ingest.errors import (
    BadMetadataJson,
    ChecksFailed,
    ReasonRequired,
    UnparseablePackage,
    WrongStatus,
)
from lantai.ingest.models import Submission, SubmissionItem
from lantai.ingest.staging import StagedFile, Staging, algorithms_for, remove_staging
from lantai.ingest.unpack import copy_tree, folder_algorithms, safe_relpath, unpack_zip

PACKAGE_KINDS = ("auto", "dat93", "eep", "bagit")


def require_submit(actor: Actor) -> None:
    """Business systems submit (``ingest.submit``); archivists who accept may also upload a
    package received by other means (``ingest.accept``)."""
    if not (actor.has("ingest.submit") or actor.has("ingest.accept")):
        raise PermissionDenied(details={"missing": ["ingest.submit"]})


def refused(actor: Actor, exc: LantaiError, what: dict[str, object]) -> None:
    audit.record_failure(
        actor,
        "ingest.refused",
        object_type="submission",
        after={**what, "code": exc.code},
        message=exc.message_in("en"),
    )


def finish(
    actor: Actor, parsed: readers.ParsedPackage, staging: Staging, started: datetime, background: bool = False
) -> tuple[Submission, bool]:
    """Register the parsed package and run the checks — here, or in a background job for a
    large package (the submission then answers ``checking`` until the job decides it)."""
    from lantai.core.jobs import enqueue
    from lantai.ingest.tasks import run_submission

    sub, created = pipeline.register(actor, parsed, staging, started)
    if created:
        if background:
            enqueue(run_submission, str(sub.public_id))
        else:
            sub = pipeline.run(sub, actor)
    return sub, created


def raise_if_failed(sub: Submission) -> None:
    """The API answers a failed submission with ``ingest.checks_failed`` and its failures."""
    if sub.status == Submission.Status.FAILED:
        failures = [
            {"code": r["code"], "target": r["target"], "name": r.get("name", "")}
            for r in (sub.report or {}).get("results", [])
            if r.get("blocking") and r.get("outcome") == "failed"
        ]
        raise ChecksFailed(details={"submission": str(sub.public_id), "failed": failures})


def submit_api(
    actor: Actor,
    metadata_json: str,
    parts: Mapping[str, StagedFile],
    staging: Staging,
    background: bool = False,
) -> tuple[Submission, bool]:
    """The JSON + multipart route. ``parts`` were streamed to ``staging`` by the upload
    handler (hashed as written); they are moved under their package paths here."""
    actor.require("ingest.submit")
    started = timezone.now()
    try:
        with staging:
            try:
                meta = json.loads(metadata_json)
            except (TypeError, ValueError) as exc:
                raise BadMetadataJson(reason=str(exc)[:200]) from exc
            parsed = readers.read_api(meta, dict(parts))
            for path, f in parsed.files.items():
                target = staging.payload / path
                if f.staged != target:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    f.staged.rename(target)
                    f.staged = target
            if parsed.declarations:
                parsed.package_computed = _listing(parsed)
            return finish(actor, parsed, staging, started, background)
    except LantaiError as exc:
        if not isinstance(exc, ChecksFailed):
            refused(actor, exc, {"source_kind": "api"})
        raise


def _listing(parsed: readers.ParsedPackage) -> dict[str, str]:
    from lantai.ingest.staging import listing_digests

    return listing_digests(parsed.files.values())


def submit_package(
    actor: Actor,
    source: Path,
    *,
    kind: str = "auto",
    form: Mapping[str, str] | None = None,
    staging: Staging | None = None,
    upload_digests: Mapping[str, str] | None = None,
    declared_digests: Mapping[str, str] | None = None,
    background: bool = False,
) -> tuple[Submission, bool]:
    """A package file (zip of a DA/T 93 folder or a bag, or an EEP .xml) or a folder.
    ``source`` may already be in ``staging`` (an upload); a folder is copied in while hashed."""
    require_submit(actor)
    started = timezone.now()
    form = {k: v for k, v in (form or {}).items() if v}
    staging = staging or Staging()
    try:
        with staging:
            if kind not in PACKAGE_KINDS:
                raise UnparseablePackage(kind=kind, reason="unknown package kind")
            declared = readers.clean_digests(dict(declared_digests or {}), "package_digests")
            computed = dict(upload_digests or {})
            eep_file: StagedFile | None = None
            if source.is_dir():
                files = copy_tree(source, staging, algorithms_for(folder_algorithms(source)))
            elif _is_zip(source):
                if not computed:
                    computed = digest_file(source, algorithms_for(declared)).values
                files, _algs = unpack_zip(source, staging)
                if staging.root in source.parents:
                    source.unlink()  # unpacked: the upload itself is not kept twice
            elif source.suffix.lower() == ".xml" and kind in ("auto", "eep"):
                if not computed:
                    computed = digest_file(source, algorithms_for(declared)).values
                name = safe_relpath(source.name)
                with source.open("rb") as src:
                    size, digests = staging.write_stream(staging.root / "upload-eep.xml", src)
                eep_file = StagedFile(name, staging.root / "upload-eep.xml", size, digests)
                files = {}
                kind = "eep"
            else:
                raise UnparseablePackage(kind=kind, reason="expected a .zip, an EEP .xml or a folder")
            if eep_file is not None:
                parsed = readers.read_eep(eep_file, staging, form)
            else:
                kind = _detect(files) if kind == "auto" else kind
                if kind == "eep":
                    xmls = [f for p, f in files.items() if p.lower().endswith(".xml")]
                    if len(xmls) != 1:
                        raise UnparseablePackage(kind="EEP", reason="expected one XML file")
                    parsed = readers.read_eep(xmls[0], staging, form)
                elif kind == "bagit":
                    parsed = readers.read_bagit(files, staging, form)
                else:
                    parsed = readers.read_dat93(files, form)
            parsed.package_declared = declared
            parsed.package_computed = {k: v for k, v in computed.items() if k in ("sm3", "sha256", *declared)}
            return finish(actor, parsed, staging, started, background)
    except LantaiError as exc:
        refused(actor, exc, {"source_kind": kind, "name": source.name[:200]})
        raise


def _is_zip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


def _detect(files: Mapping[str, StagedFile]) -> str:
    names = {p.rsplit("/", 1)[-1].lower() for p in files}
    if "bagit.txt" in names or any(n.startswith("manifest-") and n.endswith(".txt") for n in names):
        return "bagit"
    if "目录文件.xml" in names:
        return "dat93"
    if len(files) == 1 and next(iter(files)).lower().endswith(".xml"):
        return "eep"
    raise UnparseablePackage(kind="auto", reason="neither a BagIt bag, a DA/T 93 package nor an EEP")


# --- pre-archive queue ---------------------------------------------------------------------


def catalogue_values(submission: Submission, values: Mapping[str, object]) -> dict[str, Any]:
    """Submitted metadata keyed by the scheme's field codes (Chinese labels resolved)."""
    from lantai.catalog.models import MetadataScheme
    from lantai.catalog.validation import field_map, lookup_header

    scheme = MetadataScheme.objects.filter(category=submission.category, is_current=True).first()
    out: dict[str, Any] = {"fonds_code": submission.fonds.code, "category_code": submission.category.code}
    known = field_map(scheme) if scheme else {}
    for key, value in values.items():
        if key in known or scheme is None:
            out[key] = value
            continue
        f = lookup_header(scheme, key)
        out[f.code if f else key] = value
    return out


def correct_item(actor: Actor, item: SubmissionItem, changes: Mapping[str, object]) -> SubmissionItem:
    """The archivist fixes an item's metadata before acceptance; the original is kept."""
    actor.require("ingest.review")
    with transaction.atomic():
        sub = Submission.objects.select_for_update().get(pk=item.submission_id)
        if sub.status != Submission.Status.PASSED:
            raise WrongStatus(status=sub.get_status_display())
        before = dict(item.corrected)
        item.corrected = {**item.corrected, **{str(k): v for k, v in changes.items()}}
        item.save(update_fields=["corrected"])
        audit.record(
            actor,
            "ingest.corrected",
            object_type="submission",
            object_id=sub.public_id,
            before={"seq": item.seq, "corrected": before},
            after={"seq": item.seq, "corrected": item.corrected},
            institution_id=sub.institution_id,
        )
    return item


def return_submission(actor: Actor, submission: Submission, reason: str) -> Submission:
    """退回: the agency reads the reason through the API and may resubmit."""
    actor.require("ingest.accept")
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        sub = Submission.objects.select_for_update().get(pk=submission.pk)
        if sub.status not in (Submission.Status.PASSED, Submission.Status.CHECKING):
            raise WrongStatus(status=sub.get_status_display())
        before = sub.status
        key = sub.staging_key
        sub.status = Submission.Status.RETURNED
        sub.return_reason = reason[:4000]
        sub.decided_at = timezone.now()
        sub.decided_by_id = actor.user_id
        sub.staging_key = ""
        sub.save(update_fields=["status", "return_reason", "decided_at", "decided_by", "staging_key"])
        audit.record(
            actor,
            "ingest.returned",
            object_type="submission",
            object_id=sub.public_id,
            before={"status": before},
            after={"status": sub.status, "reason": sub.return_reason},
            institution_id=sub.institution_id,
        )
        transaction.on_commit(lambda: remove_staging(key), robust=True)
    return sub


def accept(actor: Actor, submission: Submission) -> Submission:
    """归档: store each file, then create the catalogue items and link everything in one
    transaction. Objects are stored first: if the transaction then fails (a duplicate 档号,
    invalid metadata), the stored objects are unreferenced but harmless — content-addressed,
    so a later acceptance of the same bytes reuses them; nothing in the catalogue points to
    a missing file."""
    from lantai.catalog import services as catalog_services
    from lantai.storage.services import store_file

    actor.require("ingest.accept")
    if submission.status != Submission.Status.PASSED:
        raise WrongStatus(status=submission.get_status_display())
    files = list(submission.files.all())
    stored = {
        f.pk: store_file(pipeline.staged_path(submission, f), sha256=f.sha256, sm3=f.sm3) for f in files
    }
    with transaction.atomic():
        sub = Submission.objects.select_for_update().select_related("fonds", "category").get(pk=submission.pk)
        if sub.status != Submission.Status.PASSED:
            raise WrongStatus(status=sub.get_status_display())
        created = []
        for item in sub.items.order_by("seq"):
            values = catalogue_values(sub, item.values)
            code = str(values.get("archival_code") or "")
            catalogue_item = catalog_services.create_item(
                actor, fonds=sub.fonds, category=sub.category, values=values, allocate_code=not code
            )
            item.item = catalogue_item
            item.archival_code = catalogue_item.archival_code
            item.save(update_fields=["item", "archival_code"])
            created.append(catalogue_item.archival_code)
        for f in files:
            f.object_key = stored[f.pk].key
            f.save(update_fields=["object_key"])
        key = sub.staging_key
        sub.status = Submission.Status.ACCEPTED
        sub.decided_at = timezone.now()
        sub.decided_by_id = actor.user_id
        sub.staging_key = ""
        sub.save(update_fields=["status", "decided_at", "decided_by", "staging_key"])
        audit.record(
            actor,
            "ingest.accepted",
            object_type="submission",
            object_id=sub.public_id,
            before={"status": Submission.Status.PASSED},
            after={"status": sub.status, "archival_codes": created, "objects": len(stored)},
            institution_id=sub.institution_id,
        )
        transaction.on_commit(lambda: remove_staging(key), robust=True)
    return sub
