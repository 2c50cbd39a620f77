"""Search backends behind one Protocol; ``get_backend()`` returns the one LANTAI_SEARCH_BACKEND names."""

from __future__ import annotations

import threading

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lantai.core.errors import LantaiError
from lantai.search.backends.base import SearchBackend

_lock = threading.Lock()
_backends: dict[str, SearchBackend] = {}


class BackendUnavailable(LantaiError):
    code = "search.backend_unavailable"
    http_status = 503
    default_message = _("The search backend %(name)s cannot be used: %(reason)s")


def make_backend(name: str) -> SearchBackend:
    if name == "tantivy":
        from lantai.search.backends.tantivy_backend import TantivyBackend

        return TantivyBackend(settings.SEARCH_INDEX_DIR)
    if name == "postgres":
        from lantai.search.backends.postgres_backend import PostgresBackend

        return PostgresBackend()
    raise BackendUnavailable(name=name, reason=_("unknown backend (use tantivy or postgres)"))


def get_backend() -> SearchBackend:
    """The configured backend, one instance per process (readers are shared, writers locked)."""
    name = settings.SEARCH_BACKEND
    backend = _backends.get(name)
    if backend is None:
        with _lock:
            backend = _backends.get(name)
            if backend is None:
                backend = _backends[name] = make_backend(name)
    return backend


def reset_backends() -> None:
    """Forget cached backends (tests switch index folders)."""
    with _lock:
        _backends.clear()
