"""Item-change listeners: other apps (search indexing) learn which items changed.

Services call ``items_changed`` inside the write transaction; a listener must only enqueue
work (e.g. with ``transaction.on_commit`` or a job), never do heavy work itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

ITEM_LISTENERS: list[Callable[[list[int]], None]] = []


def items_changed(ids: Iterable[int]) -> None:
    id_list = [int(i) for i in ids]
    if not id_list:
        return
    for listener in list(ITEM_LISTENERS):
        listener(id_list)
