"""A body that is not JSON answers 400 ``invalid_json`` (docs/api.md), not 422."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "body",
    [b'{"lines": [', b"not json at all", b'{"lines": []}}', b"\xff\xfe{}"],
)
def test_malformed_json_is_400_invalid_json(client, world, body):
    resp = client.post(
        "/api/v1/orders",
        content=body,
        headers={
            **world.auth("buyer@a.test"),
            "Content-Type": "application/json",
            "Idempotency-Key": "malformed-1",
        },
    )
    assert resp.status_code == 400, resp.text
    [error] = resp.json()["errors"]
    assert error["code"] == "invalid_json"
    assert error["message"]
    assert error["line"] is None


def test_well_formed_json_with_wrong_fields_stays_422(client, world):
    resp = client.post(
        "/api/v1/orders",
        json={"lines": "nope"},
        headers={**world.auth("buyer@a.test"), "Idempotency-Key": "malformed-2"},
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["code"] == "invalid_input"
