"""Background jobs of the search app (django-tasks, run by `lantai worker` / `lantai serve`)."""

from __future__ import annotations

from django_tasks import task

from lantai.search.indexing import index_items


@task()
def index_items_task(item_ids: list[int]) -> int:
    """Re-index these items (idempotent: a re-run writes the same documents)."""
    return index_items(item_ids)
