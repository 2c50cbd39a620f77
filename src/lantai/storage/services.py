"""Storing files: put the bytes in the object store, then record (or find) the object row."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from lantai.storage.models import StoredObject
from lantai.storage.store import ObjectRef, get_store


def store_file(path: Path, *, sha256: str | None = None, sm3: str | None = None) -> StoredObject:
    """Put the file and return its row. Idempotent: the same bytes give the same row.

    The put happens before the row is written, so a crash in between leaves an
    unreferenced object (harmless, found by a storage sweep), never a row without bytes."""
    store = get_store()
    ref: ObjectRef = store.put_file(path, sha256=sha256, sm3=sm3)
    replicas = store.replica_count(ref.key)
    status = (
        StoredObject.ReplicaStatus.NONE
        if not store.replicas
        else StoredObject.ReplicaStatus.OK
        if replicas == len(store.replicas)
        else StoredObject.ReplicaStatus.MISSING
    )
    obj, created = StoredObject.objects.get_or_create(
        sha256=ref.sha256,
        defaults={
            "key": ref.key,
            "size": ref.size,
            "sm3": ref.sm3,
            "replica_status": status,
            "replica_count": replicas,
            "first_stored_at": timezone.now(),
        },
    )
    if not created and (obj.replica_count != replicas or obj.replica_status != status):
        StoredObject.objects.filter(pk=obj.pk).update(replica_count=replicas, replica_status=status)
    return obj
