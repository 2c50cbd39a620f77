"""Search tables: the items changed since they were indexed, and the PostgreSQL backend's documents."""

from __future__ import annotations

from django.db import models


class StaleItem(models.Model):
    """An item changed in a transaction whose index job has not run yet.

    Written by the catalogue hook in the same transaction as the change; a query excludes
    those stale items that are no longer visible to the actor (deleted, closed, raised in
    classification), so a withdrawal takes effect at commit, before the index catches up.
    The index job deletes the rows up to the id it saw when it read the items.
    """

    item_id = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return str(self.item_id)


class PgDocument(models.Model):
    """One page of one item for the postgres backend. ``tsv`` (weighted gram vector: title A,
    responsible B, document number and archival code C, body D), ``tsw`` (jieba words, for
    ranking), ``tsv_docno`` and ``tsv_code`` are tsvector columns added by migration 0002 on
    PostgreSQL only; the analyzer fills them, PostgreSQL's parser never sees Chinese text."""

    item_id = models.BigIntegerField()
    page = models.IntegerField(default=0)
    fonds_id = models.BigIntegerField()
    category = models.CharField(max_length=10)
    year = models.IntegerField(null=True)
    retention = models.CharField(max_length=10)
    open_status = models.CharField(max_length=12)
    security_level = models.SmallIntegerField()
    date = models.IntegerField(null=True)
    code_sort = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item_id", "page"], name="search_pgdoc_unique")]
        indexes = [models.Index(fields=["fonds_id", "security_level", "open_status"])]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.page}"
