"""Listeners told when a stored run changes after the fact (a person decided a 待人工 item), so
the app that owns the subject (e.g. ingest's submission) can refresh its copy of the report.
Listeners run inside the decision's transaction and must stay light."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RUN_LISTENERS: list[Callable[[Any], None]] = []


def run_changed(run: Any) -> None:
    for listener in RUN_LISTENERS:
        listener(run)
