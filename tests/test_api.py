"""API conventions: one error envelope for every refusal, in Chinese by default and English on
request; API-key and session authentication; CSRF on session writes; offline docs page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from lantai.accounts import services
from lantai.accounts.models import ApiKey
from lantai.api import api


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == code, body
    assert body["message"], body
    return body


def has_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


@pytest.fixture
def api_key(system, archive):
    key, token = services.create_api_key(system, institution=archive, name="OA 系统", scopes=["catalog.view"])
    return key, token


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# ------------------------------------------------------------------ authentication


def test_no_credentials_is_401_envelope_in_chinese_by_default(client, db):
    body = assert_envelope(client.get("/api/v1/me"), 401, "auth.required")
    assert has_chinese(body["message"])


def test_messages_follow_accept_language_english(client, db):
    body = assert_envelope(client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en"), 401, "auth.required")
    assert body["message"] == "Please log in or present a valid API key."


def test_api_key_authenticates_as_its_institution(client, api_key, archive):
    key, token = api_key
    response = client.get("/api/v1/me", **bearer(token))
    assert response.status_code == 200, response.content
    me = response.json()
    assert me["kind"] == "apikey"
    assert me["institution_id"] == archive.pk
    assert me["permissions"] == ["catalog.view"]
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_x_api_key_header_also_works(client, api_key):
    _key, token = api_key
    assert client.get("/api/v1/me", HTTP_X_API_KEY=token).json()["kind"] == "apikey"


def test_revoked_key_is_refused(client, system, api_key):
    key, token = api_key
    services.revoke_api_key(system, key)
    body = assert_envelope(client.get("/api/v1/me", **bearer(token)), 401, "auth.api_key_revoked")
    assert has_chinese(body["message"])
    en = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en", **bearer(token)).json()
    assert en["message"] == "The API key has been revoked."


def test_expired_key_is_refused(client, system, archive):
    key, token = services.create_api_key(
        system,
        institution=archive,
        name="old",
        scopes=["catalog.view"],
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert client.get("/api/v1/me", **bearer(token)).status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))  # time passes
    assert_envelope(client.get("/api/v1/me", **bearer(token)), 401, "auth.api_key_expired")


@pytest.mark.parametrize(
    "token",
    [
        "not-a-key",
        "lt_",
        "lt_abc",
        "xx_0123456789ab_secret",
    ],
)
def test_malformed_key_is_refused(client, db, token):
    assert_envelope(client.get("/api/v1/me", **bearer(token)), 401, "auth.api_key_invalid")


def test_unknown_key_and_wrong_secret_are_refused(client, api_key):
    key, token = api_key
    assert_envelope(
        client.get("/api/v1/me", **bearer("lt_ffffffffffff_" + "a" * 43)), 401, "auth.api_key_invalid"
    )
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert_envelope(client.get("/api/v1/me", **bearer(tampered)), 401, "auth.api_key_invalid")
    key.refresh_from_db()
    assert key.last_used_at is None


def test_bad_key_is_not_rescued_by_a_session(client, sysadmin):
    """A request that presents a key is judged by the key, even with a valid session cookie."""
    client.force_login(sysadmin)
    assert client.get("/api/v1/me").status_code == 200
    assert_envelope(client.get("/api/v1/me", **bearer("lt_nope")), 401, "auth.api_key_invalid")


def test_session_authenticates_reads(client, sysadmin):
    client.force_login(sysadmin)
    me = client.get("/api/v1/me").json()
    assert me["kind"] == "user" and me["name"] == "sysadmin"
    assert "accounts.manage_users" in me["permissions"]


def test_session_write_without_csrf_token_is_403(db, sysadmin, archive):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(sysadmin)
    response = csrf_client.post(
        "/api/v1/accounts/api-keys",
        {"name": "x", "institution_code": archive.code, "scopes": ["catalog.view"]},
        content_type="application/json",
    )
    assert_envelope(response, 403, "auth.csrf_failed")
    assert not ApiKey.objects.exists()


def test_session_write_with_csrf_token_succeeds(db, sysadmin, archive):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(sysadmin)
    csrf_client.get("/login/")  # sets the csrftoken cookie, as a page load would
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        "/api/v1/accounts/api-keys",
        {"name": "档案系统", "institution_code": archive.code, "scopes": ["catalog.view"]},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content
    assert response.json()["token"].startswith("lt_")


def test_api_key_needs_no_csrf(db, api_key):
    """Business systems send no cookies: CSRF does not apply to key-authenticated writes."""
    _key, token = api_key
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        "/api/v1/accounts/api-keys/00000000-0000-0000-0000-000000000000/revoke", **bearer(token)
    )
    # The key lacks apikeys.manage: refused for permission, not for CSRF.
    assert_envelope(response, 403, "permission_denied")


# ------------------------------------------------------------------ error envelope


def test_lantai_error_envelope_permission_denied(client, reader):
    client.force_login(reader)
    body = assert_envelope(client.get("/api/v1/accounts/api-keys"), 403, "permission_denied")
    assert body["details"] == {"missing": ["apikeys.manage"]}
    assert has_chinese(body["message"])


def test_validation_error_is_422_with_per_field_details(client, sysadmin):
    client.force_login(sysadmin)
    response = client.post(
        "/api/v1/accounts/api-keys", {"name": "x", "scopes": "not-a-list"}, content_type="application/json"
    )
    body = assert_envelope(response, 422, "request.invalid")
    locations = {d["location"] for d in body["details"]}
    assert "body.body.institution_code" in locations
    assert "body.body.scopes" in locations
    assert all(d["rule"] and d["message"] for d in body["details"])
    assert has_chinese(body["message"])
    en = client.post(
        "/api/v1/accounts/api-keys",
        {"name": "x"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    assert en["message"] == "The request is not valid."


def test_unparsable_body_is_request_invalid(client, sysadmin):
    client.force_login(sysadmin)
    response = client.post("/api/v1/accounts/api-keys", "{not json", content_type="application/json")
    assert_envelope(response, 400, "request.invalid")


def test_unknown_path_is_404_envelope(client, db):
    body = assert_envelope(client.get("/api/v1/no/such/thing"), 404, "not_found")
    assert has_chinese(body["message"])
    assert client.get("/api/v1/no/such", HTTP_ACCEPT_LANGUAGE="en").json()["message"] == "Not found."


def test_not_found_from_a_service_is_404_envelope(client, sysadmin):
    client.force_login(sysadmin)
    response = client.post("/api/v1/accounts/api-keys/00000000-0000-0000-0000-000000000000/revoke")
    assert_envelope(response, 404, "not_found")


def test_wrong_method_is_405_envelope(client, db):
    response = client.delete("/api/v1/health")
    body = assert_envelope(response, 405, "method_not_allowed")
    assert body["details"] == {"allowed": ["GET"]}
    assert response["Allow"] == "GET"


def test_unhandled_exception_is_500_without_traceback(db, settings):
    settings.DEBUG = False
    request = RequestFactory().get("/api/v1/anything")
    response = api.on_exception(request, RuntimeError("secret path /etc/lantai/x"))
    assert response.status_code == 500
    import json

    body = json.loads(response.content)
    assert body["code"] == "server_error"
    assert body["details"] is None
    assert "secret path" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_chinese_is_written_as_characters(client, db):
    text = client.get("/api/v1/nothing-here").content.decode()
    assert "\\u" not in text
    assert has_chinese(text)


# ------------------------------------------------------------------ API keys through the API


def test_api_key_created_through_api_is_scoped_and_revocable(client, sysadmin, agency):
    client.force_login(sysadmin)
    created = client.post(
        "/api/v1/accounts/api-keys",
        {"name": "立档单位 OA", "institution_code": agency.code, "scopes": ["ingest.submit"]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["institution"] == agency.code
    token = data["token"]
    listed = client.get("/api/v1/accounts/api-keys").json()
    assert [k["prefix"] for k in listed] == [data["prefix"]]
    assert all("token" not in k for k in listed)

    other = Client()
    me = other.get("/api/v1/me", **bearer(token)).json()
    assert me["institution_id"] == agency.pk

    revoked = client.post(f"/api/v1/accounts/api-keys/{data['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert_envelope(other.get("/api/v1/me", **bearer(token)), 401, "auth.api_key_revoked")
    again = client.post(f"/api/v1/accounts/api-keys/{data['id']}/revoke")
    assert_envelope(again, 409, "accounts.api_key_already_revoked")


def test_unknown_scope_is_refused_and_nothing_created(client, sysadmin, archive):
    client.force_login(sysadmin)
    response = client.post(
        "/api/v1/accounts/api-keys",
        {"name": "x", "institution_code": archive.code, "scopes": ["audit.view"]},
        content_type="application/json",
    )
    body = assert_envelope(response, 422, "accounts.unknown_scope")
    assert body["details"] == {"scopes": ["audit.view"]}
    assert not ApiKey.objects.exists()


# ------------------------------------------------------------------ docs


def test_openapi_json_is_served(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"].startswith("Lantai")
    assert "/api/v1/me" in schema["paths"]


def test_docs_page_works_offline(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(s.startswith("/") for s in sources), f"external asset in docs page: {sources}"
    for asset in sources:
        assert client.get(asset).status_code == 200, asset
