"""The skeleton starts: settings load, the login page renders in Chinese, health answers."""

from __future__ import annotations


def test_login_page_is_chinese(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "用户名" in response.content.decode()


def test_health(client, db):
    assert client.get("/api/v1/health").json()["status"] == "ok"
