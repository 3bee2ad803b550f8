"""Delivering the mail outbox over SMTP (run by ``microbag worker`` between jobs).

Each round: claim a few due messages (one short write transaction), send each over one
SMTP connection, record each outcome (a short transaction per message). A claim is a
lease: the row says which worker holds it until when, so several workers (threads,
processes, machines) never send one message at the same time; on PostgreSQL the claim
skips rows another worker is claiming (``FOR UPDATE SKIP LOCKED``), on SQLite writers
take turns. A worker that dies between the server taking a message and recording it
leaves the claim to expire, and the message goes out again: delivery is at least once,
with the same Message-ID both times so the duplicate can be recognised.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from microbag.config import Settings, get_settings
from microbag.db import Database
from microbag.notifications import policies
from microbag.notifications.models import MailMessage
from microbag.timeutil import utcnow

log = logging.getLogger("microbag.mail")
BATCH = 20


@dataclass(frozen=True)
class Outgoing:
    id: int
    to_address: str
    subject: str
    text_body: str
    html_body: str
    attempts: int


def claim_due(session: Session, worker_id: str, *, limit: int = BATCH) -> list[Outgoing]:
    """Claim up to ``limit`` due messages for ``worker_id`` (queued and due, or sending
    with an expired claim), oldest first."""
    now = utcnow()
    due = or_(
        (MailMessage.status == policies.QUEUED) & (MailMessage.next_attempt_at <= now),
        (MailMessage.status == policies.SENDING) & (MailMessage.claimed_until < now),
    )
    stmt = select(MailMessage.id).where(due).order_by(MailMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    ids = list(session.scalars(stmt))
    if not ids:
        return []
    until = now + policies.CLAIM_LEASE
    claimed = session.execute(
        update(MailMessage)
        .where(MailMessage.id.in_(ids), due)
        .values(status=policies.SENDING, claimed_by=worker_id, claimed_until=until)
        .returning(
            MailMessage.id,
            MailMessage.to_address,
            MailMessage.subject,
            MailMessage.text_body,
            MailMessage.html_body,
            MailMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    ).all()
    return sorted((Outgoing(*row) for row in claimed), key=lambda m: m.id)


def record_sent(session: Session, message_id: int, worker_id: str) -> bool:
    """Mark sent; False if the claim was no longer this worker's (it took too long)."""
    result = session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id, MailMessage.claimed_by == worker_id)
        .values(
            status=policies.SENT,
            sent_at=utcnow(),
            attempts=MailMessage.attempts + 1,
            claimed_until=None,
            last_error="",
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def record_failure(
    session: Session, message: Outgoing, worker_id: str, error: str, settings: Settings
) -> str:
    attempts = message.attempts + 1
    status, next_at = policies.after_failure(
        attempts, settings.mail_max_attempts, utcnow(), settings.mail_backoff_seconds
    )
    session.execute(
        update(MailMessage)
        .where(MailMessage.id == message.id, MailMessage.claimed_by == worker_id)
        .values(
            status=status,
            attempts=attempts,
            next_attempt_at=next_at,
            claimed_until=None,
            last_error=policies.trim_error(error),
        )
        .execution_options(synchronize_session=False)
    )
    return status


def build_email(message: Outgoing, settings: Settings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = policies.message_id(
        message.id, policies.sender_domain(settings.mail_from)
    )
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


def connect(settings: Settings) -> smtplib.SMTP:
    """An SMTP connection per the settings (plain, STARTTLS or TLS; login if set)."""
    timeout = settings.smtp_timeout_seconds
    smtp: smtplib.SMTP
    if settings.smtp_ssl:
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
    if settings.smtp_username:
        smtp.login(settings.smtp_username, settings.smtp_password)
    return smtp


def deliver_due(
    db: Database,
    worker_id: str,
    *,
    settings: Settings | None = None,
    connector: Callable[[Settings], smtplib.SMTP] = connect,
) -> int:
    """One round: claim due messages, send them, record each outcome; the messages sent."""
    settings = settings or get_settings()
    batch = db.run(lambda s: claim_due(s, worker_id), write=True)
    if not batch:
        return 0
    sent = 0
    try:
        smtp = connector(settings)
    except (OSError, smtplib.SMTPException) as exc:
        error = f"cannot reach the mail server {settings.smtp_host}:{settings.smtp_port}: {exc}"
        log.warning("%s", error)
        for message in batch:
            _fail(db, message, worker_id, error, settings)
        return 0
    try:
        for message in batch:
            try:
                smtp.send_message(build_email(message, settings))
            except (OSError, smtplib.SMTPException) as exc:
                _fail(db, message, worker_id, f"{type(exc).__name__}: {exc}", settings)
                continue
            _sent(db, message, worker_id)
            sent += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return sent


def _sent(db: Database, message: Outgoing, worker_id: str) -> None:
    if not db.run(lambda s: record_sent(s, message.id, worker_id), write=True):
        log.warning("mail %s was sent, but its claim had passed to another worker", message.id)


def _fail(db: Database, message: Outgoing, worker_id: str, error: str, settings: Settings) -> None:
    status = db.run(lambda s: record_failure(s, message, worker_id, error, settings), write=True)
    log.warning("mail %s to %s: %s (%s)", message.id, message.to_address, error, status)
