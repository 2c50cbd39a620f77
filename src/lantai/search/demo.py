"""Demo step: make the demo catalogue searchable at once (the queued index jobs then re-index
the same items harmlessly)."""

from __future__ import annotations

from django.db import transaction


def load() -> None:
    from lantai.search.indexing import reindex_all

    # After the demo transaction commits, so the index never holds rows that rolled back.
    transaction.on_commit(reindex_all)
