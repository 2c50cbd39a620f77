"""The published API does not change by accident: /api/v1/openapi.json must equal the
committed snapshot. After an intended change, regenerate it and review the diff:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_openapi.py -q
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


def render(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_openapi_matches_snapshot(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    current = render(response.json())
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.exists(), (
        f"{SNAPSHOT} is missing. Create it with: UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_openapi.py -q"
    )
    expected = SNAPSHOT.read_text(encoding="utf-8")
    if current != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    current.splitlines(keepends=True),
                    "snapshot",
                    "current",
                )
            )[:80]
        )
        raise AssertionError(
            "The OpenAPI schema differs from tests/snapshots/openapi.json. If the change is intended, "
            "regenerate the snapshot with\n    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_openapi.py -q\n"
            "and commit it. First lines of the difference:\n" + diff
        )


def test_both_authentication_schemes_are_published(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"ApiKeyAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    assert schema["paths"]["/api/v1/me"]["get"]["security"] == [{"ApiKeyAuth": []}, {"SessionAuth": []}]


def test_error_envelope_is_published_for_every_operation(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message", "details"]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            ref = operation["responses"]["default"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error", (method, path)
