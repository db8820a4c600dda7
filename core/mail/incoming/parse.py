"""Reading one raw message with the standard library (``email`` with ``policy.default``).

Everything downstream (threading, the ``flowcase_email_received`` hook, the
stored row) works on :class:`IncomingMessage`, never on MIME parts.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

#: A Message-ID as it appears in In-Reply-To and References: ``<left@right>``.
_MSGID = re.compile(r"<[^<>\s]+>")


@dataclass
class Attachment:
    """A file part of a message."""

    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class IncomingMessage:
    """What Flowcase reads from a message; given to ``flowcase_email_received`` implementations."""

    #: The Message-ID with angle brackets (a digest of the raw bytes when the message has none).
    message_id: str
    subject: str
    #: The sender's address, stripped and lower-cased, or None.
    from_address: str | None
    from_name: str | None
    to: str
    cc: str
    #: When the sender sent it (the Date header, aware UTC), or None.
    sent_at: datetime | None
    #: The plain-text body (an HTML-only message's text with the tags removed).
    text: str
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    #: An automatic message (``Auto-Submitted`` other than ``no``: out-of-office replies, bounces, RFC 3834).
    auto_submitted: bool = False
    #: The sender's contact when ``flowcase_contact_match`` knows them (set before the hook runs).
    contact: object | None = None
    #: The parsed message itself, for implementations that need more headers.
    raw: EmailMessage | None = None

    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers, nearest first: In-Reply-To, then References from the last."""
        seen, result = set(), []
        for item in [*self.in_reply_to, *reversed(self.references)]:
            if item not in seen:
                seen.add(item)
                result.append(item)
        return result


def _header(message, name: str) -> str:
    try:
        value = message.get(name)
        text = str(value) if value is not None else ""
    except Exception:  # noqa: BLE001 - the stdlib's header parser fails on some garbage (``Message-ID: <@>``)
        # The raw value, as sent: better a header read verbatim than a message that can never be taken in.
        text = next((str(raw) for key, raw in message.raw_items() if key.lower() == name.lower()), "")
    return " ".join(text.split())


def _ids(value: str) -> list[str]:
    return _MSGID.findall(value or "")


def _date(message) -> datetime | None:
    try:
        value = message["Date"]
        moment = value.datetime if value is not None else None
    except Exception:  # noqa: BLE001 - a Date the stdlib cannot read is no date, not a lost message
        return None
    if moment is None:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _strip_tags(html: str) -> str:
    text = re.sub(r"(?is)<(script|style).*?</\1>", " ", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    import html as html_module

    return re.sub(r"\n\s*\n+", "\n\n", html_module.unescape(text)).strip()


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except Exception:  # noqa: BLE001 - an unknown charset (LookupError) and the like: read the bytes as UTF-8
        content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    content = content.replace("\r\n", "\n")
    return _strip_tags(content) if part.get_content_type() == "text/html" else content.strip()


def _attachments(message: EmailMessage) -> list[Attachment]:
    result = []
    for number, part in enumerate(message.iter_attachments(), start=1):
        if part.is_multipart():
            continue
        content = part.get_payload(decode=True) or b""
        filename = part.get_filename() or f"attachment-{number}"
        result.append(Attachment(filename=filename[:250], content_type=part.get_content_type()[:150], content=content))
    return result


def parse_message(raw: bytes) -> IncomingMessage:
    """Read ``raw`` (the bytes an IMAP server returns) into an :class:`IncomingMessage`.

    :raises ValueError: when the bytes are not a message at all (no headers).
    """
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not message.keys():
        raise ValueError("not an email message: no headers")
    name, address = parseaddr(_header(message, "From"))
    address = address.strip().lower() or None
    if address is not None and "@" not in address:
        address = None
    ids = _ids(_header(message, "Message-ID"))
    message_id = ids[0] if ids else f"<sha256.{hashlib.sha256(raw).hexdigest()}@flowcase.invalid>"
    return IncomingMessage(
        message_id=message_id[:500],
        subject=_header(message, "Subject")[:500],
        from_address=address[:254] if address else None,
        from_name=(name.strip() or None) and name.strip()[:250],
        to=", ".join(addr for _n, addr in getaddresses([_header(message, "To")]) if addr),
        cc=", ".join(addr for _n, addr in getaddresses([_header(message, "Cc")]) if addr),
        sent_at=_date(message),
        text=_text(message),
        in_reply_to=_ids(_header(message, "In-Reply-To")),
        references=_ids(_header(message, "References")),
        attachments=_attachments(message),
        auto_submitted=_header(message, "Auto-Submitted").lower() not in ("", "no"),
        raw=message,
    )
