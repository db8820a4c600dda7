"""Incoming email's parts without a server: reading real-world messages, who creates the record, the fallback.

The IMAP path itself is tested against dovecot in ``test_mail_incoming.py``;
here :func:`core.mail.incoming.intake.take_in` gets the raw bytes directly.
"""
from __future__ import annotations

from email.message import EmailMessage

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.mail.incoming.intake import take_in
from core.mail.incoming.models import IncomingEmail
from core.mail.incoming.parse import parse_message
from core.plugins import hookimpl

RUSSIAN = (
    b"From: =?utf-8?b?0J7Qu9GM0LPQsCDQodC80LjRgNC90L7QstCw?= <Olga@Equip.Example>\r\n"
    b"To: sales@equipgroup.example\r\n"
    b"Subject: =?koi8-r?b?8MXe2CDEzNEg0MnDw8XSyck=?=\r\n"
    b"Date: Mon, 2 Mar 2026 12:30:00 +0300\r\n"
    b"Message-ID: <ru1@equip.example>\r\n"
    b"In-Reply-To: <a@x.example>\r\n"
    b"References: <root@x.example>\r\n <a@x.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=windows-1251\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    + "Нужна печь на 10 уровней.\r\n".encode("cp1251")
)


def test_encoded_headers_charsets_threads_and_html_only_bodies_are_read():
    message = parse_message(RUSSIAN)
    assert message.subject == "Печь для пиццерии"
    assert (message.from_name, message.from_address) == ("Ольга Смирнова", "olga@equip.example")
    assert message.text == "Нужна печь на 10 уровней."
    assert message.sent_at.isoformat() == "2026-03-02T09:30:00+00:00"
    assert message.thread_ids() == ["<a@x.example>", "<root@x.example>"]  # nearest first, once each
    html = EmailMessage()
    html["From"] = "web@shop.example"
    html["Subject"] = "Order"
    html.set_content("<html><body><p>Order <b>#42</b> &amp; more</p><script>x()</script></body></html>",
                     subtype="html")
    parsed = parse_message(html.as_bytes())
    assert parsed.text == "Order #42 & more"
    # No Message-ID: a digest of the bytes stands in, so the same message is still recognised again.
    assert parsed.message_id.startswith("<sha256.") and parsed.message_id == parse_message(html.as_bytes()).message_id
    with pytest.raises(ValueError):
        parse_message(b"\r\nnot a message")
    # Headers the stdlib's parser chokes on are read verbatim rather than losing the message.
    odd = parse_message(b"From: a@b.example\r\nMessage-ID: <@>\r\nIn-Reply-To: <\r\nSubject: Hi\r\n\r\nbody\r\n")
    assert (odd.message_id, odd.in_reply_to, odd.subject, odd.text) == ("<@>", [], "Hi", "body")
    unknown = parse_message(b"From: a@b.example\r\nContent-Type: text/plain; charset=x-no-such\r\n\r\nbody \xff\r\n")
    assert unknown.text == "body \ufffd"


class _Vertical:
    """An add-on answering for the sales mailbox too (a vertical built on sales): it is asked first and wins."""

    @staticmethod
    @hookimpl
    def flowcase_email_received(message, mailbox, records):
        return records.create("account", {"name": f"From mail: {message.subject}"})


def _mailbox(records, **values):
    return records.create("mailbox", {"name": "Box", "host": "127.0.0.1", "port": 143, "security": "plain",
                                      "login": "x", "password": "y", **values})


def test_the_most_dependent_addon_answers_first_and_the_others_are_not_asked(make_app):
    app = make_app(addons=["sales"])
    with app.app_context():
        state = app.extensions["flowcase"]
        state.pm.register(_Vertical, name="vertical")
        state.rank["vertical"] = max(state.rank.values()) + 1  # depends on sales
        records = state.records(sudo=True)
        mailbox = _mailbox(records, section="lead")
        outcome = take_in(state, mailbox, RUSSIAN)
        assert (outcome.status, outcome.section) == ("created", "account")
        assert db.session.scalar(sa.text("SELECT count(*) FROM sales_lead")) == 0  # sales was not asked


def test_without_an_answering_addon_the_mailbox_section_gets_a_record_or_the_mail_is_only_logged(make_app):
    app = make_app(addons=["crm"])
    with app.app_context():
        state = app.extensions["flowcase"]
        records = state.records(sudo=True)
        contact = records.create("contact", {"first_name": "Olga", "email": "olga@equip.example"})
        accounts = _mailbox(records, section="account", defaults="city = Berlin")
        outcome = take_in(state, accounts, RUSSIAN)
        assert (outcome.status, outcome.section) == ("created", "account")
        assert db.session.execute(sa.text("SELECT name, city FROM crm_account")).all() == [
            ("Печь для пиццерии", "Berlin")]
        # A mailbox that creates nothing still files the message in the sender's history.
        plain = _mailbox(records, name="Info")
        other = RUSSIAN.replace(b"<ru1@equip.example>", b"<ru2@equip.example>").replace(b"In-Reply-To: <a@x.example>\r\n", b"")
        outcome = take_in(state, plain, other.replace(b"References: <root@x.example>\r\n <a@x.example>\r\n", b""))
        assert (outcome.status, outcome.section) == ("stored", None)
        stored = db.session.scalars(sa.select(IncomingEmail).where(IncomingEmail.message_id == "<ru2@equip.example>")).one()
        assert stored.contact_id == contact.id and stored.activity_id is not None
        assert db.session.execute(sa.text(f"SELECT section, record_id, contact_id FROM crm_activity "
                                          f"WHERE id = {stored.activity_id}")).one() == ("contact", contact.id, contact.id)


def test_an_out_of_office_reply_creates_no_lead(make_app):
    app = make_app(addons=["sales"])
    with app.app_context():
        state = app.extensions["flowcase"]
        mailbox = _mailbox(state.records(sudo=True), section="lead")
        reply = EmailMessage()
        reply["From"] = "holiday@elsewhere.example"
        reply["Subject"] = "Automatic reply: Spring offers"
        reply["Message-ID"] = "<ooo@elsewhere.example>"
        reply["Auto-Submitted"] = "auto-replied"
        reply.set_content("I am away until Monday.")
        outcome = take_in(state, mailbox, reply.as_bytes())
        assert (outcome.status, outcome.section) == ("stored", None)
        assert db.session.scalar(sa.text("SELECT count(*) FROM sales_lead")) == 0
