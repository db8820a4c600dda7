"""Mailings at work: schedule, start (freeze the audience), and send in throttled batches, at most once each.

Starting a mailing moves it to ``sending``; the first run of the
``core.mailing_send`` job then freezes the audience: one ``mailing_recipient``
row per person of its group, as the group reads for the user who pressed Send
(rights apply), each ``queued`` or ``skipped`` with its reason (no address,
unsubscribed, the same address twice). Each run then sends one batch:

- a batch's rows are claimed (``queued`` → ``sending``, optimistic lock) and
  the mailing's ``next_batch_at`` moved on in one commit before SMTP is
  spoken, so two workers never send the same row and a re-run sends nothing
  twice; a row left ``sending`` by a crash is marked failed, never re-sent;
- throttling lives in the database (``next_batch_at``,
  ``FLOWCASE_MAILING_RATE`` per minute), so every worker honours it;
- each row gets its own status and error: one refused address does not stop
  the others.

The periodic ``core.mailings_tick`` starts scheduled mailings when due and
resumes sending ones whose next batch is due (after a restart, or when the
queue cannot delay a job).
"""
from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.errors import AccessDenied, ConflictError, ValidationError
from core.mailings.addresses import audience_recipients
from core.mailings.models import Mailing, MailingRecipient, MailingState, RecipientStatus, SkipReason
from core.mailings.unsubscribe import unsubscribe_url, unsubscribed

log = logging.getLogger(__name__)

MAILING = "mailing"
RECIPIENT = "mailing_recipient"
SEND_JOB = "core.mailing_send"
#: A row claimed this long ago and still ``sending`` was interrupted (a crashed worker).
STALE_CLAIM = timedelta(minutes=15)
#: How long a mailing waits after its SMTP server could not be reached.
RETRY_DELAY = timedelta(minutes=1)


def _aware(moment):
    # SQLite hands back naive UTC date-times.
    return moment if moment is None or moment.tzinfo is not None else moment.replace(tzinfo=utcnow().tzinfo)


def _template(records, mailing: Mailing):
    from core.mail.models import EmailTemplate

    template = records.session.get(EmailTemplate, mailing.template_id) if mailing.template_id else None
    if template is None or not template.active:
        raise ValidationError({"template_id": [_l("Choose an active email template first.")]})
    return template


def _ready(records, mailing: Mailing):
    """The template and the group, checked for the acting user; a ValidationError says what is missing."""
    from core.errors import RecordNotFound
    from core.groups.service import get_group

    template = _template(records, mailing)
    if mailing.group_id is None:
        raise ValidationError({"group_id": [_l("Choose the group of people to send to first.")]})
    try:
        group = get_group(records, mailing.group_id)
    except RecordNotFound:
        raise ValidationError({"group_id": [_l("You may not use this group.")]}) from None
    return template, group


def _for_update(records, mailing_id) -> Mailing:
    mailing = records.get(MAILING, mailing_id)
    if not records.can(records.section(MAILING), "update", mailing):
        raise AccessDenied(_l("You may not change this mailing."))
    return mailing


def schedule(records, mailing_id) -> Mailing:
    """Put a draft on the schedule: the periodic tick starts it at ``scheduled_at``."""
    mailing = _for_update(records, mailing_id)
    if mailing.state != MailingState.DRAFT:
        raise ValidationError({"state": [_l("Only a draft can be scheduled.")]})
    if mailing.scheduled_at is None:
        raise ValidationError({"scheduled_at": [_l("Set the date and time to send at first.")]})
    _ready(records, mailing)
    with records.transaction():
        records.sudo().update(MAILING, mailing, {"state": MailingState.SCHEDULED})
    return mailing


def unschedule(records, mailing_id) -> Mailing:
    """Take a scheduled mailing back to draft."""
    mailing = _for_update(records, mailing_id)
    if mailing.state != MailingState.SCHEDULED:
        raise ValidationError({"state": [_l("Only a scheduled mailing can go back to draft.")]})
    with records.transaction():
        records.sudo().update(MAILING, mailing, {"state": MailingState.DRAFT})
    return mailing


def start(records, mailing_id) -> Mailing:
    """Start sending: checked here (clear errors for the user), recipients frozen by the first job run.

    A started mailing is refused, so nothing is frozen twice. Freezing
    thousands of rows through the records service takes a while, so it
    happens in the ``core.mailing_send`` job, as the user who pressed Send
    (the mailing's ``updated_by``): the audience is what they may read.
    """
    mailing = _for_update(records, mailing_id)
    if mailing.state not in (MailingState.DRAFT, MailingState.SCHEDULED):
        raise ValidationError({"state": [_l("This mailing was already started.")]})
    _ready(records, mailing)
    sudo = records.sudo()
    with sudo.transaction():
        sudo.update(MAILING, mailing, {"state": MailingState.SENDING, "started_at": None, "next_batch_at": None})
        sudo.after_commit(SEND_JOB, mailing_id=mailing.id)
    return mailing


def _sender(records, mailing: Mailing):
    """The records service of the user who started the mailing (rights apply to the audience), else the system's."""
    from core.models import User
    from core.records import Records

    for user_id in (mailing.updated_by_id, mailing.owner_id):
        user = records.session.get(User, user_id) if user_id else None
        if user is not None and user.active:
            return Records(records.state, records.session, user)
    return records


def freeze(records, mailing: Mailing) -> int:
    """Write one recipient row per person of the audience, ``queued`` or ``skipped`` with the reason; returns the count.

    Rows are written through the records service as the system (nobody edits
    them), with ``started_at``, in one transaction: a second worker freezing
    at the same time conflicts on the mailing's version or the rows' unique key.
    """
    from core.groups.service import group_records

    acting = _sender(records, mailing)
    _template_row, group = _ready(acting, mailing)
    section = acting.section(group.section)
    ids = list(acting.session.scalars(
        group_records(acting, group).with_only_columns(section.table.c.id).order_by(section.table.c.id)))
    people = list(audience_recipients(acting, section, ids))
    blocked = set()
    addresses = [p.email for p in people if p.email]
    for i in range(0, len(addresses), 500):
        blocked |= unsubscribed(records.session, addresses[i:i + 500])
    sudo = records.sudo()
    seen_records, seen_addresses = set(), set()
    try:
        _write_recipients(sudo, mailing, people, blocked, seen_records, seen_addresses)
    except ValidationError as exc:  # the rows' unique key: another worker froze them first
        raise ConflictError(str(exc)) from exc
    return len(seen_records)


def _write_recipients(sudo, mailing, people, blocked, seen_records, seen_addresses) -> None:
    with sudo.transaction():
        for person in people:
            if (person.section, person.record_id) in seen_records:
                continue  # a contact reached through two accounts of the group
            seen_records.add((person.section, person.record_id))
            reason = None
            if not person.email:
                reason = SkipReason.NO_EMAIL
            elif person.email in seen_addresses:
                reason = SkipReason.DUPLICATE
            elif person.email in blocked:
                reason = SkipReason.UNSUBSCRIBED
            seen_addresses.add(person.email)
            sudo.create(RECIPIENT, {
                "mailing_id": mailing.id, "section": person.section, "record_id": person.record_id,
                "name": (person.name or "")[:310], "email": person.email or None,
                "status": RecipientStatus.SKIPPED if reason else RecipientStatus.QUEUED, "skip_reason": reason,
            })
        sudo.update(MAILING, mailing, {"started_at": utcnow()})


# -- sending --------------------------------------------------------------------------------


def _footer(language: str | None, url: str) -> str:
    try:
        with force_locale(language or "en"):
            return "\n\n-- \n" + _("You receive this because you are in our mailing list. Unsubscribe: %(url)s", url=url)
    except Exception:  # noqa: BLE001 - outside any Babel context: the English text
        return f"\n\n-- \nYou receive this because you are in our mailing list. Unsubscribe: {url}"


def build_message(app, records, mailing: Mailing, template, row: MailingRecipient) -> EmailMessage:
    """The email of one recipient: the template rendered for their record, the unsubscribe link and headers."""
    from core.mail.render import render_template_email, template_context
    from core.mail.sender import new_message_id

    sections = records.state.sections
    section = sections.get(row.section) if row.section in sections else None
    record = records.session.get(section.model, row.record_id) if section is not None else None
    url = unsubscribe_url(row.email, mailing.id, app)
    context = template_context(records, section.name if record is not None else None, record,
                               {"unsubscribe_url": url, "recipient_name": row.name or "", "mailing": mailing.name})
    subject, body = render_template_email(template, context, mailing.language)
    message = EmailMessage()
    message["From"] = app.config["FLOWCASE_MAIL_FROM"]
    message["To"] = formataddr((row.name or "", row.email))
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = row.message_id or new_message_id(app)
    # RFC 2369 / RFC 8058: mail clients offer their own one-click "unsubscribe" button.
    message["List-Unsubscribe"] = f"<{url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Precedence"] = "bulk"
    message.set_content(body + _footer(mailing.language, url))
    return message


def _claim(records, mailing: Mailing, rows: list, interval: float) -> bool:
    """Mark ``rows`` as being sent and space the next batch, in one commit; False if another worker won."""
    now = utcnow()
    try:
        with records.transaction():
            for row in rows:
                records.update(RECIPIENT, row, {"status": RecipientStatus.SENDING})
            records.update(MAILING, mailing, {"next_batch_at": now + timedelta(seconds=interval)})
    except ConflictError:
        records.session.rollback()
        return False
    return True


def _send_rows(app, records, mailing: Mailing, rows: list) -> dict:
    """Send each claimed row over one SMTP connection (reopened after a dropped one); returns counts.

    When the server cannot be reached at all, nothing of the batch left: its
    unsent rows go back to ``queued`` for the next run instead of failing.
    """
    counts = {RecipientStatus.SENT: 0, RecipientStatus.FAILED: 0, RecipientStatus.SKIPPED: 0,
              RecipientStatus.QUEUED: 0}
    template = _template_or_none(records, mailing)
    # Someone may have unsubscribed since the recipients were frozen.
    blocked = unsubscribed(records.session, [row.email for row in rows])
    link = _Link(app)
    try:
        for index, row in enumerate(rows):
            if row.email in blocked:
                values = {"status": RecipientStatus.SKIPPED, "skip_reason": SkipReason.UNSUBSCRIBED}
            elif template is None:
                values = {"status": RecipientStatus.FAILED, "error": "The mailing's email template is gone or inactive."}
            else:
                try:
                    message = build_message(app, records, mailing, template, row)
                except ValidationError as exc:  # the template does not render for this record
                    values = {"status": RecipientStatus.FAILED, "error": "; ".join(
                        str(m) for ms in exc.errors.values() for m in ms)[:2000]}
                else:
                    smtp = link.open()
                    if smtp is None:
                        _requeue(records, rows[index:])
                        counts[RecipientStatus.QUEUED] += len(rows) - index
                        break
                    values = link.send(smtp, message)
            with records.transaction():
                records.update(RECIPIENT, row, values)
            counts[values["status"]] += 1
    finally:
        link.close()
    return counts


class _Link:
    """The batch's SMTP connection: opened on first use, dropped after a transport error."""

    def __init__(self, app):
        self.app, self.connection, self.smtp = app, None, None

    def open(self):
        """The open connection, or None when the server cannot be reached (logged)."""
        from core.mail.sender import smtp_connection

        if self.smtp is None:
            try:
                connection = smtp_connection(self.app)
                self.smtp = connection.__enter__()
                self.connection = connection
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("mailing: SMTP server unreachable, batch put back in the queue: %s", exc)
                return None
        return self.smtp

    def send(self, smtp, message) -> dict:
        """Hand one message over; the row's new values (sent, or failed with the server's answer)."""
        try:
            smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            if isinstance(exc, (OSError, smtplib.SMTPServerDisconnected)):
                # Maybe delivered, maybe not: failed, never retried (nobody gets it twice).
                self.close()
            return {"status": RecipientStatus.FAILED, "error": f"{type(exc).__name__}: {exc}"[:2000]}
        return {"status": RecipientStatus.SENT, "sent_at": utcnow(), "error": None, "message_id": message["Message-ID"]}

    def close(self) -> None:
        if self.connection is not None:
            _close(self.connection)
        self.connection, self.smtp = None, None


def _requeue(records, rows: list) -> None:
    with records.transaction():
        for row in rows:
            records.update(RECIPIENT, row, {"status": RecipientStatus.QUEUED})


def _template_or_none(records, mailing: Mailing):
    try:
        return _template(records, mailing)
    except ValidationError:
        return None


def _close(connection) -> None:
    try:
        connection.__exit__(None, None, None)
    except (OSError, smtplib.SMTPException):  # the server went away already
        pass


def _finish_if_done(records, mailing: Mailing) -> bool:
    left = records.session.scalar(sa.select(sa.func.count()).select_from(MailingRecipient).where(
        MailingRecipient.mailing_id == mailing.id,
        MailingRecipient.status.in_((RecipientStatus.QUEUED, RecipientStatus.SENDING))))
    if left:
        return False
    with records.transaction():
        records.update(MAILING, mailing, {"state": MailingState.DONE, "finished_at": utcnow(), "next_batch_at": None})
    return True


def send_batch_job(app, mailing_id: int) -> str:
    """The ``core.mailing_send`` job: send the next batch of a sending mailing, then queue the next run.

    Returns what it did: ``sent N``, ``throttled``, ``busy``, ``done``, or the mailing's state.
    """
    state = app.extensions["flowcase"]
    records = state.records(sudo=True)
    mailing = records.session.get(Mailing, mailing_id)
    if mailing is None or mailing.state != MailingState.SENDING:
        return mailing.state if mailing is not None else "missing"
    if mailing.started_at is None:
        try:
            freeze(records, mailing)
        except ConflictError:
            records.session.rollback()
            return "busy"
        except (ValidationError, AccessDenied) as exc:
            # The group or template went away since Send was pressed: back to draft, with the reason logged.
            records.session.rollback()
            log.warning("mailing %s not started: %s", mailing_id, exc)
            records.update(MAILING, records.session.get(Mailing, mailing_id), {"state": MailingState.DRAFT})
            return MailingState.DRAFT
    rate = max(1, int(app.config["FLOWCASE_MAILING_RATE"]))
    size = max(1, min(int(app.config["FLOWCASE_MAILING_BATCH"]), rate))
    now = utcnow()
    if mailing.next_batch_at is not None and _aware(mailing.next_batch_at) > now:
        return "throttled"
    rows = list(records.session.scalars(sa.select(MailingRecipient).where(
        MailingRecipient.mailing_id == mailing.id, MailingRecipient.status == RecipientStatus.QUEUED,
    ).order_by(MailingRecipient.id).limit(size)))
    if not rows:
        return "done" if _finish_if_done(records, mailing) else "waiting"
    interval = 60.0 * len(rows) / rate
    if not _claim(records, mailing, rows, interval):
        return "busy"
    counts = _send_rows(app, records, mailing, rows)
    log.info("mailing %s: batch of %s sent (%s)", mailing_id, len(rows), counts)
    if counts[RecipientStatus.QUEUED]:  # the server was unreachable: try again later, not at once
        with records.transaction():
            records.update(MAILING, mailing, {"next_batch_at": utcnow() + RETRY_DELAY})
        _queue_next(state, mailing.id, RETRY_DELAY.total_seconds())
        return "retry"
    if _finish_if_done(records, mailing):
        return f"sent {counts[RecipientStatus.SENT]}"
    _queue_next(state, mailing.id, interval)
    return f"sent {counts[RecipientStatus.SENT]}"


def _queue_next(state, mailing_id: int, delay: float) -> None:
    """Run the next batch after ``delay`` seconds; without a real queue (immediate mode) the tick resumes it."""
    from core.jobs import enqueue

    if delay < 1:
        enqueue(SEND_JOB, mailing_id=mailing_id)
    elif not state.huey.immediate:
        state.run_job_task.schedule((SEND_JOB, {"mailing_id": mailing_id}), delay=delay)


def tick_job(app) -> list[str]:
    """The periodic ``core.mailings_tick``: start due scheduled mailings, resume due sending ones, close stale claims."""
    from core.jobs import enqueue
    from core.models import User
    from core.records import records_for

    state = app.extensions["flowcase"]
    records = state.records(sudo=True)
    now = utcnow()
    done = []
    due = list(records.session.scalars(sa.select(Mailing).where(
        Mailing.state == MailingState.SCHEDULED, Mailing.scheduled_at <= now).order_by(Mailing.id)))
    for mailing in due:
        owner = records.session.get(User, mailing.owner_id) if mailing.owner_id else None
        acting = records_for(owner) if owner is not None and owner.active else records
        try:
            start(acting, mailing.id)
            done.append(f"started {mailing.id}")
        except ConflictError:
            records.session.rollback()  # someone else started it meanwhile
        except (ValidationError, AccessDenied) as exc:
            # Not retried every minute: back to draft, for its owner to fix and schedule again.
            records.session.rollback()
            log.warning("scheduled mailing %s not started: %s", mailing.id, exc)
            records.update(MAILING, records.session.get(Mailing, mailing.id), {"state": MailingState.DRAFT})
    stale = list(records.session.scalars(sa.select(MailingRecipient).where(
        MailingRecipient.status == RecipientStatus.SENDING, MailingRecipient.updated_at < now - STALE_CLAIM)))
    if stale:
        with records.transaction():
            for row in stale:
                records.update(RECIPIENT, row, {"status": RecipientStatus.FAILED,
                                                "error": "Interrupted while sending; not retried, so it is never sent twice."})
    sending = list(records.session.scalars(sa.select(Mailing.id).where(
        Mailing.state == MailingState.SENDING,
        sa.or_(Mailing.next_batch_at.is_(None), Mailing.next_batch_at <= now))))
    for mailing_id in sending:
        done.append(f"{mailing_id}: {enqueue(SEND_JOB, mailing_id=mailing_id)}")
    return done


def recipient_counts(session, mailing_ids) -> dict:
    """``{status: count}`` over the recipients of the given mailings (one query)."""
    ids = list(mailing_ids)
    if not ids:
        return {}
    rows = session.execute(sa.select(MailingRecipient.status, sa.func.count()).where(
        MailingRecipient.mailing_id.in_(ids)).group_by(MailingRecipient.status))
    return {status: count for status, count in rows}
