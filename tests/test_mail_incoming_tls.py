"""Incoming email over TLS: IMAPS and STARTTLS against dovecot with a certificate, verified, never skipped.

The server's self-signed certificate is trusted only through
``FLOWCASE_MAIL_IN_CA_FILE``; without it the connection is refused (and the
mailbox says why), so a man in the middle cannot read the password.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.mail.incoming.models import Mailbox
from core.mail.incoming.poll import fetch_all
from tests.imap_support import imap_tls_server  # noqa: F401
from tests.test_mail_incoming import LOGIN, PASSWORD, leads, make_message


def add_mailbox(app, name, port, security):
    with app.app_context():
        app.extensions["flowcase"].records(sudo=True).create("mailbox", {
            "name": name, "host": "127.0.0.1", "port": port, "security": security, "login": LOGIN,
            "password": PASSWORD, "section": "lead", "active": True})


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_a_mailbox_over_tls_is_read_when_its_certificate_is_trusted(make_app, imap_tls_server, security):
    server = imap_tls_server
    server.add_user(LOGIN, PASSWORD)
    server.deliver(LOGIN, PASSWORD, make_message("Over TLS", message_id="<tls@equip.example>"))
    port = server.imaps_port if security == "tls" else server.port
    trusting = make_app(addons=["sales"], FLOWCASE_MAIL_IN_CA_FILE=str(server.cert_file))
    add_mailbox(trusting, "Sales", port, security)
    with trusting.app_context():
        [report] = fetch_all(trusting)
        assert (report.error, report.created) == (None, 1)
        assert [lead.name for lead in leads()] == ["Over TLS"]


def test_an_untrusted_certificate_is_refused_and_recorded(make_app, imap_tls_server):
    server = imap_tls_server
    server.add_user(LOGIN, PASSWORD)
    server.deliver(LOGIN, PASSWORD, make_message("Never read", message_id="<mitm@equip.example>"))
    app = make_app(addons=["sales"])
    add_mailbox(app, "Sales", server.imaps_port, "tls")
    add_mailbox(app, "Sales STARTTLS", server.port, "starttls")
    with app.app_context():
        reports = fetch_all(app)
        assert all("CERTIFICATE_VERIFY_FAILED" in report.error for report in reports), [r.error for r in reports]
        assert leads() == []
        assert all("CERTIFICATE_VERIFY_FAILED" in error for error in db.session.scalars(sa.select(Mailbox.last_error)))
    assert server.flags(LOGIN, PASSWORD) == [""]  # nothing was taken, nothing flagged
