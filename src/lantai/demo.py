"""Demo data for `lantai demo` / `make run`: a county archive with its administrators,
archivists and creating agencies. Apps add their steps to DEMO_STEPS in order."""

from __future__ import annotations

import importlib
from typing import TextIO

from django.db import transaction

from lantai.accounts.demo import DEMO_PASSWORD, DEMO_USERS

DEMO_STEPS = [
    "lantai.accounts.demo",
    "lantai.catalog.demo",
    "lantai.search.demo",
    "lantai.ingest.demo",
]


def load_demo(force: bool = False) -> bool:
    from lantai.accounts.models import User

    if User.objects.exists() and not force:
        return False
    for name in DEMO_STEPS:
        module = importlib.import_module(name)
        with transaction.atomic():
            module.load()
    return True


def print_logins(out: TextIO) -> None:
    """The demo logins, framed so that they stand out in `make run`'s output."""
    from django.conf import settings

    rule = "=" * 64
    out.write(f"\n{rule}\n")
    out.write(f"  演示系统管理员 demo administrator:   admin / {DEMO_PASSWORD}\n")
    out.write(f"  登录 log in at:   http://{settings.SERVE_BIND}/login/\n")
    out.write(f"  全部演示账户 all demo accounts (密码 password {DEMO_PASSWORD}):\n")
    for username, display, role, _inst in DEMO_USERS:
        out.write(f"    {username:<12} {display:<10} {role}\n")
    out.write(f"{rule}\n\n")
