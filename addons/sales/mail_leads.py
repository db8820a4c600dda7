"""Leads from incoming email: a message to the sales mailbox becomes a lead (CASES.md case 7).

Called through ``flowcase_email_received`` for a message that answers no
known thread, from a mailbox whose section is ``lead``. The sender becomes the
lead's person and address; a sender the CRM knows (matched by address before
the hook runs) is linked as the lead's contact and account, never duplicated.
The mailbox's default values (``owner_id = 3``, ``source = email``) win.
"""
from __future__ import annotations

from core.dedup.check import confirm_duplicates
from core.webforms.spec import parse_defaults

from .models import LeadSource

#: Longest need text copied from a message body.
MAX_NEED = 20_000


def lead_from_email(message, mailbox, records):
    """Create and return the lead for ``message`` from ``mailbox``, or None when the mailbox is not a sales one."""
    if mailbox.section != "lead":
        return None
    need = "\n\n".join(part for part in (message.subject, message.text) if part)
    values = {"source": LeadSource.EMAIL, "person_name": message.from_name, "email": message.from_address,
              "need": need[:MAX_NEED] or None}
    if message.subject:
        values["name"] = message.subject[:250]
    contact = message.contact
    if contact is not None:
        values["contact_id"] = contact.id
        if getattr(contact, "account_id", None):
            values["account_id"] = contact.account_id
    values.update(parse_defaults(mailbox.defaults))
    # Nobody can answer "is this a duplicate?" for an email: warn rules are confirmed, block rules still refuse.
    with confirm_duplicates(records):
        return records.create("lead", values)
