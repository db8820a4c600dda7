"""The ``core.send_email`` job: deliver one queued email over SMTP, at most once.

Safe to run twice: an email already sent is left alone, and the row is
claimed (``attempts`` bumped under the optimistic lock) before SMTP is spoken,
so two workers given the same id do not both send it. Failures are recorded
on the row (status ``failed``, the error, the attempt count) and raise nothing
out of the job: the queue shows them.
"""
from __future__ import annotations

import logging
import smtplib
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from core.db import utcnow
from core.errors import ConflictError
from core.mail.models import Email, EmailStatus
from core.mail.queue import EMAIL_SECTION

log = logging.getLogger(__name__)


def build_message(app, email: Email) -> EmailMessage:
    """The MIME message of a queued email (plain text, UTF-8)."""
    message = EmailMessage()
    message["From"] = app.config["FLOWCASE_MAIL_FROM"]
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = email.message_id or make_msgid(domain="flowcase")
    message.set_content(email.body)
    return message


@contextmanager
def smtp_connection(app):
    """An open, logged-in connection to the configured SMTP server (``FLOWCASE_MAIL_*``), closed afterwards."""
    config = app.config
    with smtplib.SMTP(config["FLOWCASE_MAIL_SERVER"], int(config["FLOWCASE_MAIL_PORT"]),
                      timeout=float(config["FLOWCASE_MAIL_TIMEOUT"])) as smtp:
        if config["FLOWCASE_MAIL_USE_TLS"]:
            smtp.starttls()
        if config["FLOWCASE_MAIL_USERNAME"]:
            smtp.login(config["FLOWCASE_MAIL_USERNAME"], config["FLOWCASE_MAIL_PASSWORD"])
        yield smtp


def deliver(app, message: EmailMessage) -> None:
    """Hand ``message`` to the configured SMTP server (``FLOWCASE_MAIL_*``)."""
    with smtp_connection(app) as smtp:
        smtp.send_message(message)


def new_message_id(app) -> str:
    """A fresh ``Message-ID`` on the sending domain (the From address's), e.g. ``<1732...@example.com>``."""
    domain = app.config["FLOWCASE_MAIL_FROM"].rpartition("@")[2].strip(" >") or "flowcase"
    return make_msgid(domain=domain)


def send_email_job(app, email_id: int) -> str:
    """Send the queued email ``email_id``; returns its status afterwards."""
    state = app.extensions["flowcase"]
    records = state.records(sudo=True)
    email = records.session.get(Email, email_id)
    if email is None:
        return "missing"
    if email.status == EmailStatus.SENT:
        return EmailStatus.SENT
    try:  # claim it: a second worker holding the same version now conflicts
        records.update(EMAIL_SECTION, email, {"attempts": email.attempts + 1})
    except ConflictError:
        records.session.rollback()
        return "busy"
    try:
        deliver(app, build_message(app, email))
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("email %s not sent: %s", email_id, exc)
        records.update(EMAIL_SECTION, email, {"status": EmailStatus.FAILED, "error": f"{type(exc).__name__}: {exc}"[:2000]})
        return EmailStatus.FAILED
    # Recorded as sent in its own commit first: whatever an add-on's hook does
    # next, this email is never sent again.
    records.update(EMAIL_SECTION, email, {"status": EmailStatus.SENT, "error": None, "sent_at": utcnow()})
    try:
        with records.transaction():
            state.pm.hook.flowcase_email_sent(email=email, records=records)
    except Exception:  # noqa: BLE001 - the email went out; a failing follow-up is logged, not retried
        log.exception("flowcase_email_sent failed for email %s", email_id)
    return EmailStatus.SENT
