"""Prepare the end-to-end run (in its own data folder): migrate, a fonds per corpus fonds,
the corpus as catalogue items, a full `reindex_all` (timed), and a logged-in archivist's
session. Prints "SESSION_KEY REINDEX_SECONDS" on its last line."""

from __future__ import annotations

import datetime
import os
import sys
import time


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
    import django

    django.setup()
    from bench.search.corpus import records
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from lantai.accounts import roles, services
    from lantai.accounts.actor import Actor
    from lantai.accounts.models import Institution
    from lantai.catalog.models import Category, Fonds, Item
    from lantai.search.indexing import reindex_all

    call_command("migrate", verbosity=0)
    system = Actor.system("bench")
    archive = services.create_institution(
        system, code="BENCH", name="基准档案馆", kind=Institution.Kind.ARCHIVE
    )
    user = services.create_user(
        system,
        username="bench",
        password="Bench@Pass2026",
        display_name="基准",
        institution=archive,
        clearance=2,
    )
    services.assign_role(system, user, roles.ARCHIVIST, archive)
    fonds = {
        i: Fonds.objects.create(code=f"J{i:03d}", name=f"全宗{i}", institution=archive) for i in range(1, 61)
    }
    categories = {c.code: c for c in Category.objects.all()}
    batch: list[Item] = []
    for doc in records(count):
        assert doc.date is not None
        d = str(doc.date)
        batch.append(
            Item(
                fonds=fonds[doc.fonds_id],
                category=categories[doc.category],
                retention_id=doc.retention,
                year=doc.year,
                archival_code=doc.archival_code,
                title=doc.title,
                responsible_party=doc.responsible,
                document_number=doc.docno,
                notes=doc.body,
                open_status=doc.open_status,
                security_level=doc.security_level,
                date=datetime.date(int(d[:4]), int(d[4:6]), int(d[6:])),
            )
        )
        if len(batch) == 5000:
            Item.objects.bulk_create(batch)
            batch = []
    Item.objects.bulk_create(batch)
    started = time.perf_counter()
    reindex_all()
    seconds = time.perf_counter() - started
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    print(session.session_key, f"{seconds:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]))
