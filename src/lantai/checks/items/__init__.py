"""Check runners, one module per family; importing this package registers them all."""

from lantai.checks.items import antivirus, content, integrity, metadata  # noqa: F401
