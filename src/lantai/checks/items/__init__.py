"""Check runners, one module per family; importing this package registers them all."""

from lantai.checks.items import antivirus  # noqa: F401
