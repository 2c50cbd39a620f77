"""Screenshot-level check in headless Chromium: the real server (`lantai init`, `lantai demo`,
`lantai serve` in a subprocess on a free loopback port), the demo administrator logs in, and
the dashboard shows Chinese text. Screenshots are written under the test's temp folder (or
LANTAI_SCREENSHOT_DIR when set, to look at them)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LANTAI = str(Path(sys.executable).with_name("lantai"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("lantai-browser")
    env = {
        **os.environ,
        "LANTAI_DATA_DIR": str(data),
        # Always its own SQLite file: the server must not touch the test database, even in
        # the PostgreSQL pass.
        "LANTAI_DATABASE_URL": f"sqlite:///{data / 'lantai.sqlite3'}",
        "LANTAI_DEBUG": "0",
        "LANTAI_WORKER_THREADS": "0",
    }
    env.pop("LANTAI_SECRET_KEY", None)  # `lantai init` writes the key file, as in `make run`
    for step in (["init"], ["demo"]):
        done = subprocess.run([LANTAI, *step], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "admin / Lantai@2026" in done.stdout  # `lantai demo` prints the administrator login
    port = free_port()
    log = open(data / "serve.log", "w")
    proc = subprocess.Popen(
        [LANTAI, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "0"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise AssertionError("lantai serve did not start:\n" + (data / "serve.log").read_text())
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("LANTAI_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def login(page, base: str, username: str, password: str = "Lantai@2026") -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_admin_logs_in_and_sees_chinese_dashboard(server, browser, shots):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(server + "/login/")
    assert "用户名" in page.inner_text("body")
    page.screenshot(path=str(shots / "login.png"), full_page=True)

    login(page, server, "admin")
    page.wait_for_url(server + "/")
    body = page.inner_text("body")
    assert "首页" in body
    assert "系统管理员" in body
    assert "三员分立" in body
    # The stylesheet is applied (the module bar is a flex row, the brand in the archive red).
    assert page.eval_on_selector("header.topbar", "e => getComputedStyle(e).display") == "flex"
    assert page.eval_on_selector(".brand", "e => getComputedStyle(e).color") == "rgb(140, 28, 19)"
    nav = page.inner_text("nav.modules")
    assert "系统" in nav and "收集" not in nav  # no content module for a 三员 account
    shot = shots / "dashboard-admin.png"
    page.screenshot(path=str(shot), full_page=True)
    # A blank or failed render is a few kB; a page of Chinese text, widgets and cards is more.
    assert shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    context.close()


def test_wrong_password_shows_chinese_error_in_browser(server, browser, shots):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    login(page, server, "archivist", "Wrong@Pass2026")
    alert = page.locator("[role=alert]")
    assert "用户名或密码错误" in alert.inner_text()
    assert alert.get_attribute("data-code") == "auth.invalid_credentials"
    page.screenshot(path=str(shots / "login-error.png"))
    context.close()


def test_pages_as_each_role(server, browser, shots):
    """Each demo role reaches its own pages; the screenshots are for a human to look at."""
    visits = [
        ("admin", ["/system/users/", "/system/institutions/", "/system/api-keys/"], "用户与角色"),
        ("secadmin", ["/system/users/"], "角色与密级"),
        ("auditor", ["/system/audit/"], "审计日志"),
        ("archivist", ["/"], "收集"),
    ]
    for username, urls, expected in visits:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page = context.new_page()
        login(page, server, username)
        page.wait_for_url(server + "/")
        text = ""
        for url in urls:
            response = page.goto(server + url)
            assert response is not None and response.status == 200, (username, url)
            text += page.inner_text("body")
            name = url.strip("/").replace("/", "-") or "home"
            page.screenshot(path=str(shots / f"{username}-{name}.png"), full_page=True)
        assert expected in text, (username, expected)
        context.close()


def test_security_administrator_sees_trio_conflict_in_chinese(server, browser, shots):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    login(page, server, "secadmin")
    page.wait_for_url(server + "/")
    page.goto(server + "/system/users/")
    page.click("text=archivist")
    page.select_option("select[name=role]", "audit_admin")
    page.click("form:has(input[value=assign]) button")
    alert = page.locator("[role=alert]")
    assert alert.get_attribute("data-code") == "accounts.trio_exclusive"
    assert "三员" in alert.inner_text() and "不同账户" in alert.inner_text()
    page.screenshot(path=str(shots / "secadmin-trio-conflict.png"), full_page=True)
    context.close()
