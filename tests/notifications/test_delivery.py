"""Mail queued with the change and delivered over SMTP to a real server (aiosmtpd) in the
test process: who receives it, what it says, retries while the server is down, failed
after the last try, and never sent twice by concurrent workers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from microbag.config import Settings
from microbag.notifications import delivery, service
from microbag.notifications.models import MailMessage
from microbag.orders import service as orders
from microbag.orders.schemas import OrderLineIn
from microbag.quotes import service as quotes
from microbag.timeutil import utcnow

from .conftest import free_port, html_part, text_part

A_USERS = {"owner@a.test", "buyer@a.test", "viewer@a.test"}


def confirmed_order(db, who) -> int:
    with db.session(write=True) as s:
        order, _ = orders.place_order(
            s, who("buyer@a.test"), [OrderLineIn(sku="MC-001-GLD", quantity=12)]
        )
        order_id = order.id
    with db.session(write=True) as s:
        orders.confirm_order(s, who("sales@seller.test"), order_id)
    return order_id


def messages(db) -> list[MailMessage]:
    with db.session() as s:
        return list(s.scalars(select(MailMessage).order_by(MailMessage.id)))


def test_confirmation_is_queued_for_the_company_users_and_delivered(
    db, world, who, inbox, mail_settings
):
    order_id = confirmed_order(db, who)
    queued = messages(db)
    assert {m.to_address for m in queued} == A_USERS  # company B hears nothing
    assert {m.status for m in queued} == {"queued"}
    assert all(m.reference == f"order:{order_id}" for m in queued)

    sent = delivery.deliver_due(db, "w1", settings=mail_settings)

    assert sent == 3
    assert {r for rcpts, _m in inbox.received for r in rcpts} == A_USERS
    mail = inbox.to("buyer@a.test")[0]
    assert mail["Subject"] == f"Order {order_id} confirmed"
    assert mail["From"] == "Microbag Orders <orders@seller.test>"
    assert mail["Message-ID"].startswith("<microbag.") and "@seller.test>" in mail["Message-ID"]
    assert f"order {order_id}" in text_part(mail)
    assert "MC-001-GLD" in text_part(mail) and "x 12" in text_part(mail)
    assert f"<strong>{order_id}</strong>" in html_part(mail)
    assert {m.status for m in messages(db)} == {"sent"}
    assert delivery.deliver_due(db, "w1", settings=mail_settings) == 0  # nothing twice


def test_a_rolled_back_change_queues_nothing(db, world, who):
    with db.session(write=True) as s:
        order, _ = orders.place_order(
            s, who("buyer@a.test"), [OrderLineIn(sku="MC-001-GLD", quantity=12)]
        )
        order_id = order.id
    with pytest.raises(RuntimeError), db.session(write=True) as s:
        orders.confirm_order(s, who("sales@seller.test"), order_id)
        raise RuntimeError("the unit of work fails after the confirmation")
    assert messages(db) == []


def test_a_user_who_turned_a_kind_off_gets_none(db, world, who, inbox, mail_settings):
    viewer = who("viewer@a.test")
    with db.session(write=True) as s:
        prefs = service.set_preferences(s, viewer.user_id, {"order_confirmed": False})
    assert prefs["order_confirmed"] is False and prefs["order_shipped"] is True
    confirmed_order(db, who)
    assert {m.to_address for m in messages(db)} == A_USERS - {"viewer@a.test"}


def test_mail_waits_while_the_server_is_down_and_goes_when_it_is_up(
    db, world, who, inbox, mail_settings
):
    confirmed_order(db, who)
    down = Settings(**{**mail_settings.model_dump(), "smtp_port": free_port()})

    assert delivery.deliver_due(db, "w1", settings=down) == 0

    waiting = messages(db)
    assert {m.status for m in waiting} == {"queued"}
    assert {m.attempts for m in waiting} == {1}
    assert all("cannot reach the mail server" in m.last_error for m in waiting)
    assert delivery.deliver_due(db, "w1", settings=mail_settings) == 3
    assert len(inbox.received) == 3
    assert {m.status for m in messages(db)} == {"sent"}


def test_backoff_keeps_a_refused_message_until_it_is_due(db, world, who, inbox, mail_settings):
    confirmed_order(db, who)
    inbox.refuse = True
    slow = Settings(**{**mail_settings.model_dump(), "mail_backoff_seconds": 3600})
    assert delivery.deliver_due(db, "w1", settings=slow) == 0
    inbox.refuse = False
    # Not due for an hour: nothing is tried.
    assert delivery.deliver_due(db, "w1", settings=slow) == 0
    assert inbox.received == []
    with db.session(write=True) as s:
        s.execute(update(MailMessage).values(next_attempt_at=MailMessage.created_at))
    assert delivery.deliver_due(db, "w1", settings=slow) == 3


def test_failed_after_the_last_try_then_queued_again_by_staff(db, world, who, inbox, mail_settings):
    confirmed_order(db, who)
    inbox.refuse = True
    for _ in range(mail_settings.mail_max_attempts):
        delivery.deliver_due(db, "w1", settings=mail_settings)
    failed = messages(db)
    assert {m.status for m in failed} == {"failed"}
    assert {m.attempts for m in failed} == {3}
    assert all("451" in m.last_error for m in failed)
    assert delivery.deliver_due(db, "w1", settings=mail_settings) == 0  # failed stays failed

    inbox.refuse = False
    with db.session(write=True) as s:
        service.retry_message(s, who("admin@seller.test"), failed[0].id)
    assert delivery.deliver_due(db, "w1", settings=mail_settings) == 1
    assert len(inbox.received) == 1


def test_an_expired_claim_is_taken_over(db, world, who, inbox, mail_settings):
    confirmed_order(db, who)
    with db.session(write=True) as s:
        claimed = delivery.claim_due(s, "dead-worker")
    assert len(claimed) == 3
    # The claim holds: another worker sends nothing.
    assert delivery.deliver_due(db, "w2", settings=mail_settings) == 0
    with db.session(write=True) as s:
        s.execute(update(MailMessage).values(claimed_until=utcnow() - timedelta(seconds=1)))
    assert delivery.deliver_due(db, "w2", settings=mail_settings) == 3


def test_concurrent_workers_send_each_message_once(db, world, who, inbox, mail_settings):
    with db.session(write=True) as s:
        ids = [service.queue_test_message(s, f"to{i}@example.test").id for i in range(40)]
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def work(n: int) -> None:
        try:
            start.wait()
            while delivery.deliver_due(db, f"w{n}", settings=mail_settings):
                pass
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    recipients = [r for rcpts, _m in inbox.received for r in rcpts]
    assert sorted(recipients) == sorted(f"to{i}@example.test" for i in range(40))
    with db.session() as s:
        statuses = set(s.scalars(select(MailMessage.status).where(MailMessage.id.in_(ids))))
    assert statuses == {"sent"}


def test_answering_a_quote_tells_the_buyer(db, world, who, inbox, mail_settings):
    with db.session(write=True) as s:
        quote_id = quotes.request_quote(
            s, who("buyer@a.test"), [{"sku": "MC-001-GLD", "quantity": 2}]
        ).id
    with db.session(write=True) as s:
        quotes.answer_quote(
            s,
            who("sales@seller.test"),
            quote_id,
            [{"line_no": 1, "unit_price_minor": 3_900}],
            lead_time_days=21,
            valid_until=quotes.today_utc() + timedelta(days=30),
            note="blind deboss included",
        )
    assert delivery.deliver_due(db, "w1", settings=mail_settings) == 3
    mail = inbox.to("owner@a.test")[0]
    assert mail["Subject"] == f"Quote {quote_id} answered"
    assert "blind deboss included" in text_part(mail)


def test_unknown_kind_is_refused(db, world):
    from microbag.errors import DomainError

    with pytest.raises(DomainError) as err, db.session(write=True) as s:
        service.set_preferences(s, 1, {"newsletter": False})
    assert err.value.items[0].code == "unknown_notification_kind"
    with pytest.raises(ValueError), db.session(write=True) as s:
        service.notify_company(s, company_id=world.company_a, kind="newsletter", context={})


def test_shipping_tells_the_buyer_the_tracking_reference(db, world, who, inbox, mail_settings):
    order_id = confirmed_order(db, who)
    with db.session(write=True) as s:
        orders.ship_order(s, who("sales@seller.test"), order_id, "1Z999AA10123456784")
    delivery.deliver_due(db, "w1", settings=mail_settings)
    shipped = [m for m in inbox.to("buyer@a.test") if m["Subject"] == f"Order {order_id} shipped"]
    assert len(shipped) == 1
    assert "Tracking number: 1Z999AA10123456784" in text_part(shipped[0])
