"""The core sections of incoming email: ``mailbox`` (settings) and ``incoming_email`` (what was taken in).

Both are for superusers only: a mailbox holds its IMAP password, and the
messages hold whatever was sent. Users see incoming email as activities on
the records and contacts it belongs to.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.mail.incoming.models import IncomingEmail, Mailbox, MailboxSecurity
from core.sections import Section

MAILBOX_SECTION = "mailbox"
INCOMING_SECTION = "incoming_email"

MAILBOX_LABELS = {
    "name": _l("Name"), "host": _l("IMAP server"), "port": _l("Port"),
    "security": _l("Security (tls, starttls, or plain on loopback only)"), "login": _l("Login"),
    "password": _l("Password (stored in the database as given)"), "folder": _l("Folder"),
    "section": _l("Creates records in section"), "defaults": _l("Values of new records (path = value, one a line)"),
    "active": _l("Active"), "last_fetch_at": _l("Last fetched"), "last_error": _l("Last error"),
}
SECURITY_LABELS = {MailboxSecurity.TLS: _l("TLS"), MailboxSecurity.STARTTLS: _l("STARTTLS"),
                   MailboxSecurity.PLAIN: _l("Plain (loopback only)")}
INCOMING_LABELS = {
    "mailbox_id": _l("Mailbox"), "message_id": _l("Message-ID"), "from_address": _l("From"),
    "from_name": _l("Sender's name"), "to": _l("To"), "cc": _l("Cc"), "subject": _l("Subject"),
    "sent_at": _l("Sent at"), "received_at": _l("Received at"), "body": _l("Body"),
    "in_reply_to": _l("In reply to"), "references": _l("References"), "section": _l("Section"),
    "record_id": _l("Record"), "contact_id": _l("Contact"), "activity_id": _l("Activity"),
}


def incoming_sections() -> list[Section]:
    """Fresh sections for mailboxes and incoming messages (neither is on the API)."""
    return [
        Section(
            name=MAILBOX_SECTION, model=Mailbox, title=_l("Mailbox"), title_plural=_l("Mailboxes"),
            area="settings", api=False, labels=MAILBOX_LABELS, choices={"security": SECURITY_LABELS},
            list_columns=["name", "login", "host", "folder", "section", "active", "last_fetch_at", "last_error"],
            search_fields=["name", "login", "host"], filter_fields=["active", "section"],
            layout=[{"tab": _l("Mailbox"), "groups": [
                {"title": _l("Server"), "fields": ["name", "host", "port", "security", "login", "password", "folder",
                                                   "active"]},
                {"title": _l("New records"), "fields": ["section", "defaults"]},
            ]}],
        ),
        Section(
            name=INCOMING_SECTION, model=IncomingEmail, title=_l("Incoming email"),
            title_plural=_l("Incoming email"), area="settings", title_field="subject", api=False,
            labels=INCOMING_LABELS,
            list_columns=["received_at", "from_address", "subject", "section", "record_id", "contact_id"],
            search_fields=["from_address", "subject", "message_id"], filter_fields=["mailbox_id", "section"],
        ),
    ]
