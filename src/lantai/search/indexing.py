"""Turning catalogue items into search documents and keeping the index in step.

The catalogue calls ``lantai.catalog.hooks.items_changed(ids)`` inside each write
transaction; ``on_items_changed`` (registered by ``SearchConfig.ready``) marks the items
stale and enqueues ``index_items_task`` in that same transaction, so the job exists exactly
when the change commits. The job rebuilds the items' documents; it is idempotent.

Document shape: page 0 is the description; ``PAGE_SOURCES`` (filled by the digitization
app) yield ``(page_number, text)`` for pages 1…n, each its own document, so hits name pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence

from django.db import transaction

from lantai.catalog.models import Item
from lantai.search.backends import get_backend
from lantai.search.backends.base import SearchBackend, SearchDoc
from lantai.search.models import StaleItem

logger = logging.getLogger("lantai.search")

PageSource = Callable[[Sequence[Item]], Iterable[tuple[int, int, str]]]  # → (item_id, page, text)
PAGE_SOURCES: list[PageSource] = []
JOB_CHUNK = 500


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value)
    return str(value)


def documents_for(items: Sequence[Item]) -> list[SearchDoc]:
    """Search documents for live items (deleted ones have none)."""
    docs: list[SearchDoc] = []
    live = [i for i in items if i.deleted_at is None]
    by_id = {i.pk: i for i in live}

    def doc(item: Item, page: int, **text: str) -> SearchDoc:
        return SearchDoc(
            item_id=item.pk,
            page=page,
            fonds_id=item.fonds_id,
            category=item.category.code,
            year=item.year,
            retention=item.retention_id,
            open_status=item.open_status,
            security_level=int(item.security_level),
            date=int(item.date.strftime("%Y%m%d")) if item.date else None,
            archival_code=item.archival_code,
            **text,
        )

    for item in live:
        body = " ".join(t for t in (item.org_name, item.notes, _text(item.extra)) if t)
        docs.append(
            doc(
                item,
                0,
                title=item.title,
                responsible=item.responsible_party,
                docno=item.document_number,
                body=body,
            )
        )
    for source in PAGE_SOURCES:
        for item_id, page, text in source(live):
            if item_id in by_id and page > 0:
                docs.append(doc(by_id[item_id], page, body=text))
    return docs


def _load(ids: Sequence[int]) -> list[Item]:
    return list(Item.objects.filter(pk__in=ids).select_related("category"))


def index_items(ids: Sequence[int], backend: SearchBackend | None = None) -> int:
    """Re-index these items now; returns the number of documents written."""
    ids = sorted(set(ids))
    if not ids:
        return 0
    # Read the stale watermark before the items: a change that commits after this read
    # keeps its stale row (and has its own job queued).
    watermark = StaleItem.objects.filter(item_id__in=ids).order_by("-id").values_list("id", flat=True).first()
    docs = documents_for(_load(ids))
    (backend or get_backend()).replace(ids, docs)
    if watermark is not None:
        StaleItem.objects.filter(item_id__in=ids, id__lte=watermark).delete()
    return len(docs)


def on_items_changed(ids: list[int]) -> None:
    """Catalogue hook: mark stale and queue the index job, in the caller's transaction."""
    from lantai.core import jobs
    from lantai.search.tasks import index_items_task

    with transaction.atomic():
        StaleItem.objects.bulk_create([StaleItem(item_id=i) for i in ids])
        for start in range(0, len(ids), JOB_CHUNK):
            jobs.enqueue(index_items_task, ids[start : start + JOB_CHUNK])


def iter_batches(batch: int = 2000) -> Iterator[list[Item]]:
    """Every live item in id order, in batches (keyset, so memory stays flat)."""
    last = 0
    while True:
        items = list(
            Item.objects.filter(pk__gt=last, deleted_at__isnull=True)
            .select_related("category")
            .order_by("pk")[:batch]
        )
        if not items:
            return
        yield items
        last = items[-1].pk


def reindex_all(progress: Callable[[int], None] | None = None, batch: int = 2000) -> int:
    """Rebuild the whole index from the catalogue in one swap; returns the items indexed."""
    watermark = StaleItem.objects.order_by("-id").values_list("id", flat=True).first()
    total = 0

    def batches() -> Iterator[list[SearchDoc]]:
        nonlocal total
        for items in iter_batches(batch):
            yield documents_for(items)
            total += len(items)
            if progress:
                progress(len(items))

    get_backend().rebuild(batches())
    if watermark is not None:
        StaleItem.objects.filter(id__lte=watermark).delete()
    return total
