"""Preferences and the outbox over the API, the portal pages and the CLI (``microbag mail``,
``microbag worker --once`` delivering the due mail)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from microbag.cli import app as cli_app
from microbag.config import get_settings
from microbag.notifications import service
from tests.web.conftest import csrf_from, new_client, signed_in

from .test_delivery import confirmed_order

__all__ = ["new_client", "signed_in"]


def test_preferences_over_the_api(client, world):
    auth = world.auth("buyer@a.test")
    got = client.get("/api/v1/me/notification-preferences", headers=auth).json()
    assert got["kinds"] == {
        "order_confirmed": True,
        "order_shipped": True,
        "quote_answered": True,
        "drop_allocated": True,
    }
    assert got["labels"]["order_shipped"] == "Order shipped (with tracking)"
    put = client.put(
        "/api/v1/me/notification-preferences",
        json={"kinds": {"quote_answered": False}},
        headers=auth,
    )
    assert put.status_code == 200 and put.json()["kinds"]["quote_answered"] is False
    # Another user's preferences are their own.
    other = client.get(
        "/api/v1/me/notification-preferences", headers=world.auth("owner@a.test")
    ).json()
    assert other["kinds"]["quote_answered"] is True
    bad = client.put(
        "/api/v1/me/notification-preferences",
        json={"kinds": {"newsletter": True}},
        headers=auth,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["code"] == "unknown_notification_kind"


def test_outbox_over_the_api(client, db, world, who):
    order_id = confirmed_order(db, who)
    listed = client.get(
        "/api/v1/mail",
        params={"reference": f"order:{order_id}"},
        headers=world.auth("sales@seller.test"),
    ).json()
    assert listed["total"] == 3
    first = listed["items"][0]
    assert first["status"] == "queued" and first["subject"] == f"Order {order_id} confirmed"
    detail = client.get(f"/api/v1/mail/{first['id']}", headers=world.auth("sales@seller.test"))
    assert "MC-001-GLD" in detail.json()["text_body"]
    assert client.get("/api/v1/mail", headers=world.auth("buyer@a.test")).status_code == 403
    not_failed = client.post(
        f"/api/v1/mail/{first['id']}/retry", headers=world.auth("admin@seller.test")
    )
    assert not_failed.status_code == 409
    assert not_failed.json()["errors"][0]["code"] == "not_failed"
    assert (
        client.get(
            "/api/v1/mail", params={"status": "lost"}, headers=world.auth("admin@seller.test")
        ).status_code
        == 422
    )


def test_preferences_page(db, world, who, signed_in):
    browser = signed_in("viewer@a.test")
    page = browser.get("/account/notifications")
    assert page.status_code == 200
    assert 'id="kind-order_confirmed" name="order_confirmed" checked' in page.text
    saved = browser.post(
        "/account/notifications",
        data={"csrf_token": csrf_from(page.text), "order_shipped": "on"},
        follow_redirects=True,
    )
    assert saved.status_code == 200 and "Your choices are saved" in saved.text
    with db.session() as s:
        prefs = service.preferences(s, who("viewer@a.test").user_id)
    assert prefs == {
        "order_confirmed": False,
        "order_shipped": True,
        "quote_answered": False,
        "drop_allocated": False,
    }
    # Without the CSRF token nothing changes.
    refused = browser.post("/account/notifications", data={"order_confirmed": "on"})
    assert refused.status_code == 403


def test_staff_outbox_page(db, world, who, signed_in):
    order_id = confirmed_order(db, who)
    staff = signed_in("sales@seller.test")
    page = staff.get("/staff/mail?status=queued")
    assert page.status_code == 200
    assert f"Order {order_id} confirmed" in page.text and "owner@a.test" in page.text
    with db.session() as s:
        rows, _ = service.list_messages(s, who("admin@seller.test"))
    one = staff.get(f"/staff/mail/{rows[0].id}")
    assert one.status_code == 200 and "MC-001-GLD" in one.text
    assert signed_in("buyer@a.test").get("/staff/mail").status_code == 403


def test_worker_once_delivers_the_due_mail(cli_db, world, who, inbox, mail_settings, monkeypatch):
    confirmed_order(cli_db, who)
    monkeypatch.setenv("MICROBAG_SMTP_PORT", str(mail_settings.smtp_port))
    monkeypatch.setenv("MICROBAG_MAIL_FROM", "orders@seller.test")
    get_settings.cache_clear()
    done = CliRunner().invoke(cli_app, ["worker", "--once"])
    assert done.exit_code == 0, done.output
    assert {r for rcpts, _m in inbox.received for r in rcpts} == {
        "owner@a.test",
        "buyer@a.test",
        "viewer@a.test",
    }
    listed = json.loads(CliRunner().invoke(cli_app, ["mail", "list", "--json"]).output)
    assert {m["status"] for m in listed} == {"sent"}


def test_send_test_reports_what_happened(cli_db, inbox, mail_settings, monkeypatch):
    monkeypatch.setenv("MICROBAG_SMTP_PORT", str(mail_settings.smtp_port))
    get_settings.cache_clear()
    ok = CliRunner().invoke(cli_app, ["mail", "send-test", "ops@seller.test"])
    assert ok.exit_code == 0, ok.output
    assert "sent to ops@seller.test" in ok.output
    assert inbox.to("ops@seller.test")[0]["Subject"] == "microbag test message"
    monkeypatch.setenv("MICROBAG_SMTP_PORT", "1")
    get_settings.cache_clear()
    down = CliRunner().invoke(cli_app, ["mail", "send-test", "ops@seller.test"])
    assert down.exit_code == 1 and "not sent (queued)" in down.output
