"""Typed readers for ``LANTAI_*`` environment variables.

Every value Lantai reads from the environment goes through one of these helpers, so
that ``docs/configuration.md`` can be checked against the list of names in use
(``REGISTRY``) and every value has an embedded default that works with nothing set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


REGISTRY: dict[str, Setting] = {}


class ConfigurationError(ValueError):
    """A LANTAI_* variable holds a value Lantai cannot use."""


def _raw(name: str, default: str, help: str) -> str:
    if not name.startswith("LANTAI_"):
        raise ConfigurationError(f"setting names start with LANTAI_: {name}")
    REGISTRY[name] = Setting(name, default, help)
    return os.environ.get(name, default)


def env_str(name: str, default: str, help: str = "") -> str:
    return _raw(name, default, help).strip()


def env_bool(name: str, default: bool, help: str = "") -> bool:
    raw = _raw(name, "true" if default else "false", help).strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int, help: str = "", minimum: int | None = None) -> int:
    raw = _raw(name, str(default), help).strip()
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str], help: str = "") -> list[str]:
    raw = _raw(name, ",".join(default), help)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_path(name: str, default: Path, help: str = "") -> Path:
    return Path(_raw(name, str(default), help)).expanduser().resolve()
