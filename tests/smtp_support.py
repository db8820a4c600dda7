"""A real SMTP server on loopback (aiosmtpd) for mail tests, and the config that points the app at it."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """What the server received: one parsed :class:`email.message.EmailMessage` per delivery."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def bodies(self) -> list[str]:
        return [m.get_body(("plain",)).get_content().replace("\r\n", "\n") for m in self.messages]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Start an SMTP server on 127.0.0.1 and a free port; yields ``(inbox, port)``."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_config(port: int) -> dict:
    return {"FLOWCASE_MAIL_SERVER": "127.0.0.1", "FLOWCASE_MAIL_PORT": port, "FLOWCASE_MAIL_TIMEOUT": 5.0,
            "FLOWCASE_MAIL_FROM": "crm@flowcase.test"}
