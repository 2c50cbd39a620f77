"""Public identifiers: every record exposed outside the database carries a UUID."""

from __future__ import annotations

import uuid

from django.db import models


def new_public_id() -> uuid.UUID:
    return uuid.uuid4()


class PublicIdField(models.UUIDField):
    """A unique, indexed, non-editable UUID used in URLs and the API instead of row ids."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("default", new_public_id)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)
