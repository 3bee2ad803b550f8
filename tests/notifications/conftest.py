"""Fixtures of the notification tests: a real SMTP server (aiosmtpd) in the test process,
the settings pointed at it, principals by e-mail."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from microbag.config import Settings
from tests.orders.conftest import who

__all__ = ["who"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message)."""

    received: list[tuple[list[str], Message]] = field(default_factory=list)
    refuse: bool = False  # answer every message with a temporary failure

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 4.3.0 try again later"
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        self.received.append((list(envelope.rcpt_tos), email.message_from_bytes(raw)))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for rcpts, m in self.received if address in rcpts]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(smtp_server: tuple[Inbox, int]) -> Settings:
    _inbox, port = smtp_server
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_timeout_seconds=5,
        mail_from="Microbag Orders <orders@seller.test>",
        mail_backoff_seconds=0,
        mail_max_attempts=3,
    )


@pytest.fixture
def inbox(smtp_server: tuple[Inbox, int]) -> Inbox:
    return smtp_server[0]


def text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return str(part.get_payload(decode=True).decode())  # type: ignore[union-attr]
    return ""


def html_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return str(part.get_payload(decode=True).decode())  # type: ignore[union-attr]
    return ""
