"""Polling mailboxes: the ``core.fetch_mail`` job, its periodic schedule and ``flowcase mail fetch``.

Each message is taken in in its own transaction and flagged on the server
only after that committed; a message that fails is logged and left on the
server unflagged (tried again next time), and the rest go on. A mailbox that
cannot be reached records the error on its row and does not stop the others.
Safe to run twice at once: the unique Message-ID keeps one copy.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from core.db import utcnow
from core.mail.incoming.imap import ImapMailbox, MailboxError
from core.mail.incoming.intake import take_in
from core.mail.incoming.models import Mailbox

log = logging.getLogger(__name__)


class MessageTooLarge(Exception):
    """A message over ``FLOWCASE_MAIL_IN_MAX_MESSAGE``: left on the server, never downloaded."""


@dataclass
class FetchReport:
    """What one poll of one mailbox did."""

    mailbox: str
    created: int = 0
    threaded: int = 0
    stored: int = 0
    duplicates: int = 0
    failed: int = 0
    #: Why the mailbox could not be read, or None.
    error: str | None = None
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"{self.mailbox}: {self.created} created, {self.threaded} threaded, {self.stored} stored, "
                f"{self.duplicates} duplicates, {self.failed} failed")
        return f"{text}; error: {self.error}" if self.error else text


def fetch_mailbox(app, mailbox: Mailbox) -> FetchReport:
    """Take in the pending messages of ``mailbox`` (at most ``FLOWCASE_MAIL_IN_BATCH``) and report."""
    state = app.extensions["flowcase"]
    session = state.records(sudo=True).session
    report = FetchReport(mailbox.name)
    batch = int(app.config["FLOWCASE_MAIL_IN_BATCH"])
    limit = int(app.config["FLOWCASE_MAIL_IN_MAX_MESSAGE"])
    mailbox_id = mailbox.id
    try:
        with ImapMailbox(mailbox, float(app.config["FLOWCASE_MAIL_IN_TIMEOUT"]),
                         app.config["FLOWCASE_MAIL_IN_CA_FILE"]) as box:
            # A day early: the server's calendar day may start before ours.
            since = (mailbox.created_at - timedelta(days=1)).date() if mailbox.created_at else None
            uids = box.pending(since)[:batch]
            sizes = box.sizes(uids)
            for uid in uids:
                try:
                    if sizes.get(uid, 0) > limit:
                        raise MessageTooLarge(f"{sizes[uid]} bytes, over FLOWCASE_MAIL_IN_MAX_MESSAGE ({limit})")
                    raw = box.fetch(uid)
                    outcome = take_in(state, session.get(Mailbox, mailbox_id), raw)
                except MailboxError:
                    raise
                except Exception as exc:  # noqa: BLE001 - one broken message must not block the others
                    session.rollback()
                    log.exception("mailbox %s: message uid %s skipped", report.mailbox, uid.decode())
                    report.failed += 1
                    report.failures.append(f"uid {uid.decode()}: {type(exc).__name__}: {exc}"[:500])
                    continue
                # Flagged only now that the message's transaction committed.
                box.mark_taken(uid)
                counter = "duplicates" if outcome.status == "duplicate" else outcome.status
                setattr(report, counter, getattr(report, counter) + 1)
    except MailboxError as exc:
        session.rollback()
        log.warning("mailbox %s not read: %s", report.mailbox, exc)
        report.error = str(exc)[:2000]
    _record_poll(state, mailbox_id, report)
    return report


def _record_poll(state, mailbox_id: int, report: FetchReport) -> None:
    """Write when the mailbox was polled and its error, as state of the poll rather than an edit of the mailbox.

    Not through ``records.update``: that bumped the mailbox's version every
    few minutes, so an administrator saving the mailbox form opened before a
    poll was told someone else had changed it, and the change log got a row
    per poll.
    """
    error = report.error or ("\n".join(report.failures) if report.failures else None)
    records = state.records(sudo=True)
    try:
        with records.transaction():
            # ``updated_at`` named as it is: its onupdate default would otherwise stamp the poll as an edit.
            records.session.execute(sa.update(Mailbox).where(Mailbox.id == mailbox_id).values(
                last_fetch_at=utcnow(), last_error=error, updated_at=Mailbox.updated_at))
    except OperationalError as exc:
        # SQLite refuses the write when another worker wrote since this session's snapshot (two polls at
        # once): the messages are in; the next poll records its time.
        if "locked" not in str(exc.orig).lower():
            raise
        records.session.rollback()
        log.info("mailbox #%s: poll time not recorded (%s); the next poll records it", mailbox_id, exc.orig)


def fetch_all(app, mailbox_id: int | None = None, name: str | None = None) -> list[FetchReport]:
    """Poll every active mailbox (or the one with this id or name), one after another."""
    session = app.extensions["flowcase"].records(sudo=True).session
    query = sa.select(Mailbox).order_by(Mailbox.id)
    if mailbox_id is not None:
        query = query.where(Mailbox.id == mailbox_id)
    elif name is not None:
        query = query.where(Mailbox.name == name)
    else:
        query = query.where(Mailbox.active.is_(True))
    return [fetch_mailbox(app, mailbox) for mailbox in session.scalars(query).all()]


def fetch_mail_job(app, mailbox_id: int | None = None) -> list[str]:
    """The ``core.fetch_mail`` job (queued, and periodic every few minutes); returns one summary per mailbox."""
    return [report.summary() for report in fetch_all(app, mailbox_id=mailbox_id)]
