"""Speaking IMAP to a mailbox with the standard library's :mod:`imaplib`.

Messages are read with ``BODY.PEEK[]`` (reading does not mark them) and
flagged only when the caller says they were taken in: ``\\Seen`` plus the
keyword ``$FlowcaseFetched`` where the server keeps keywords. Pending messages
are the ones without that keyword that are unread or arrived since the mailbox
was set up: a message a person already read in their mail client is still
taken in, while years of read history in an existing mailbox are not turned
into records. Servers without keywords fall back to ``UNSEEN``.
"""
from __future__ import annotations

import imaplib
import ipaddress
import re
import socket
import ssl
from datetime import date

from core.mail.incoming.models import MailboxSecurity

#: The keyword marking messages Flowcase took in.
FETCHED_KEYWORD = "$FlowcaseFetched"
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class MailboxError(Exception):
    """The mailbox cannot be read: server unreachable, login refused, no such folder, plain text off loopback."""


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (plain IMAP is allowed there only)."""
    if (host or "").strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address((host or "").strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapMailbox:
    """An open, selected IMAP folder; use as a context manager (``with ImapMailbox(mailbox, 30) as box``)."""

    def __init__(self, mailbox, timeout: float, ca_file: str = ""):
        self.mailbox = mailbox
        self.timeout = timeout
        self.ca_file = ca_file
        self.conn: imaplib.IMAP4 | None = None
        self.keywords = False

    def __enter__(self) -> "ImapMailbox":
        mailbox = self.mailbox
        try:
            if mailbox.security == MailboxSecurity.TLS:
                conn = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=self._tls(), timeout=self.timeout)
            else:
                if mailbox.security != MailboxSecurity.STARTTLS and not is_loopback(mailbox.host):
                    raise MailboxError(f"plain IMAP is allowed on loopback only, not to {mailbox.host}")
                conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=self.timeout)
                if mailbox.security == MailboxSecurity.STARTTLS:
                    conn.starttls(ssl_context=self._tls())
            self.conn = conn
            conn.login(mailbox.login, mailbox.password)
            status, detail = conn.select(_quote(mailbox.folder or "INBOX"))
            if status != "OK":
                raise MailboxError(f"folder {mailbox.folder!r}: {_text(detail)}")
            _name, flags = conn.response("PERMANENTFLAGS")
            self.keywords = any(b"\\*" in (item or b"") for item in flags or [])
        except (OSError, ssl.SSLError, socket.timeout, imaplib.IMAP4.error) as exc:
            self.close()
            raise MailboxError(f"{type(exc).__name__}: {exc}") from exc
        except MailboxError:
            self.close()
            raise
        return self

    def _tls(self) -> ssl.SSLContext:
        # Certificates and host names are always checked; a company CA is added, never verification turned off.
        context = ssl.create_default_context()
        if self.ca_file:
            context.load_verify_locations(cafile=self.ca_file)
        return context

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Log out, ignoring a connection that is already gone."""
        if self.conn is None:
            return
        try:
            self.conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
        self.conn = None

    def pending(self, since: date | None = None) -> list[bytes]:
        """UIDs of the messages not taken in yet (unread, or arrived on ``since`` or later), oldest first."""
        if not self.keywords:
            criterion = "UNSEEN"
        elif since is None:
            criterion = f"UNKEYWORD {FETCHED_KEYWORD}"
        else:
            # IMAP dates are English whatever the locale: 01-Mar-2026.
            day = f"{since.day:02d}-{_MONTHS[since.month - 1]}-{since.year}"
            criterion = f"UNKEYWORD {FETCHED_KEYWORD} OR UNSEEN SINCE {day}"
        status, data = self.conn.uid("SEARCH", None, criterion)
        if status != "OK":
            raise MailboxError(f"search failed: {_text(data)}")
        return sorted((data[0] or b"").split(), key=int)

    def sizes(self, uids: list[bytes]) -> dict[bytes, int]:
        """``{uid: size in bytes}`` of these messages, in one command (to leave huge ones on the server)."""
        if not uids:
            return {}
        status, data = self.conn.uid("FETCH", b",".join(uids), "(RFC822.SIZE)")
        if status != "OK":
            raise MailboxError(f"sizes could not be read: {_text(data)}")
        result = {}
        for item in data or []:
            line = item[0] if isinstance(item, tuple) else item
            uid, size = _UID.search(line or b""), _SIZE.search(line or b"")
            if uid and size:
                result[uid.group(1)] = int(size.group(1))
        return result

    def fetch(self, uid: bytes) -> bytes:
        """The raw bytes of message ``uid``, without marking it seen."""
        status, data = self.conn.uid("FETCH", uid, "(BODY.PEEK[])")
        for item in data or []:
            if isinstance(item, tuple) and len(item) == 2:
                return item[1]
        raise MailboxError(f"message {uid!r} could not be fetched: {status} {_text(data)}")

    def mark_taken(self, uid: bytes) -> None:
        """Flag message ``uid`` as taken in (call only after its transaction committed)."""
        flags = f"(\\Seen {FETCHED_KEYWORD})" if self.keywords else "(\\Seen)"
        status, data = self.conn.uid("STORE", uid, "+FLAGS", flags)
        if status != "OK":
            raise MailboxError(f"message {uid!r} could not be flagged: {_text(data)}")


def _text(data) -> str:
    parts = data if isinstance(data, (list, tuple)) else [data]
    return " ".join(p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p) for p in parts if p)
