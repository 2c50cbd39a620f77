"""The ambient context of the current request or job (IP, request id), via contextvars."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str = ""
    request_id: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "lantai_request_context",
    default=RequestContext(),  # noqa: B039 - frozen, never mutated
)


def current() -> RequestContext:
    return _current.get()


def set_current(value: RequestContext) -> contextvars.Token[RequestContext]:
    return _current.set(value)


def reset(token: contextvars.Token[RequestContext]) -> None:
    _current.reset(token)
