"""Chinese first: every msgid has a zh_Hans translation (scripts/i18n.py check, which needs GNU
gettext), errors speak Chinese by default and English on request, and the UI switches language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from lantai.accounts import services as account_services
from lantai.core import errors

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_is_translated():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, (
        "Untranslated or missing zh_Hans messages. Run `python scripts/i18n.py extract`, fill in the "
        "msgstr of your app's .po, then `python scripts/i18n.py compile`.\n" + done.stdout + done.stderr
    )


def _error_classes() -> list[type[errors.LantaiError]]:
    found: list[type[errors.LantaiError]] = []
    stack = [errors.LantaiError]
    while stack:
        cls = stack.pop()
        if cls.__module__ in (errors.__name__, account_services.__name__):
            found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_error_messages_have_chinese_and_english(cls):
    if issubclass(cls, account_services.BadInput):
        error: errors.LantaiError = cls(field="username", problem="y")
    else:
        error = cls(until="2026-01-01 08:00")
    zh, en = error.message_in("zh-hans"), error.message_in("en")
    assert re.search(r"[\u4e00-\u9fff]", zh), (cls.__name__, zh)
    assert zh != en
    assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", error.code), error.code


def test_staff_pages_are_chinese_whatever_the_browser_language(client, db):
    # Chinese first: an English browser still gets the Chinese UI until the user switches.
    for header in ("en", "en-US,en;q=0.9", "zh-CN", None):
        extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
        page = client.get("/login/", **extra).content.decode()
        assert "用户名" in page and '<html lang="zh-hans">' in page, header


def test_api_messages_follow_accept_language(client, db):
    assert client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en").json()["message"].startswith("Please log in")
    assert "登录" in client.get("/api/v1/me").json()["message"]


def test_login_page_in_english_after_switching_language(client, db):
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}).status_code == 302
    page = client.get("/login/").content.decode()
    assert '<html lang="en">' in page
    assert "User name" in page and "Password" in page and "Log in" in page
