"""/admin screens for incoming email: mailboxes (with "fetch now") and the messages taken in, with attachments."""
from __future__ import annotations

import io

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, send_file
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms.widgets import PasswordInput

from core.admin_sections import SectionAdminView
from core.mail.incoming.models import IncomingAttachment
from core.mail.incoming.sections import INCOMING_SECTION, MAILBOX_SECTION

#: Flask-Admin category of the incoming email screens.
MAIL_CATEGORY = _l("Incoming email")


class MailboxView(SectionAdminView):
    """Mailboxes as records; the password is never sent back to the browser, and an empty one keeps the stored one."""

    def __init__(self, section, **kwargs):
        super().__init__(section, **kwargs)
        self.column_formatters = {"name": self._name_and_fetch}

    def _name_and_fetch(self, view, context, model, name):
        from flask_wtf.csrf import generate_csrf

        return Markup('{} · <form method="post" action="{}" class="d-inline">'
                      '<input type="hidden" name="csrf_token" value="{}">'
                      '<button class="btn btn-link btn-sm p-0" type="submit">{}</button></form>').format(
            model.name, self.get_url(".fetch", id=model.id), generate_csrf(), _l("fetch now"))

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if "password" in form:
            form.password.widget = PasswordInput(hide_value=True)
            form.password.flags.required = False
        return form

    def update_model(self, form, model):
        if "password" in form and not (form.password.data or "").strip():
            form.password.data = model.password
        return super().update_model(form, model)

    @expose("/fetch/<int:id>", methods=("POST",))
    def fetch(self, id):
        """Poll this mailbox now and say what came in."""
        from core.mail.incoming.poll import fetch_mailbox

        mailbox = self.get_one(id)
        report = fetch_mailbox(current_app, mailbox)
        if report.error:
            flash(_("%(mailbox)s cannot be read: %(error)s", mailbox=report.mailbox, error=report.error), "error")
        else:
            flash(_("%(mailbox)s: %(created)s new records, %(threaded)s replies to known records, %(stored)s filed, "
                    "%(duplicates)s already taken in, %(failed)s failed (see the last error).",
                    mailbox=report.mailbox, created=report.created, threaded=report.threaded, stored=report.stored,
                    duplicates=report.duplicates, failed=report.failed),
                  "error" if report.failed else "success")
        return redirect(self.get_url(".index_view"))


class IncomingEmailView(SectionAdminView):
    """Read-only: messages are written by the fetch job; each one's attachments download from here."""

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True

    def __init__(self, section, **kwargs):
        super().__init__(section, **kwargs)
        self.column_formatters = {"subject": self._subject_and_files}

    def _subject_and_files(self, view, context, model, name):
        from core.extensions import db

        files = db.session.execute(sa.select(IncomingAttachment.id, IncomingAttachment.filename, IncomingAttachment.size,
                                             IncomingAttachment.content.is_(None)).where(
            IncomingAttachment.email_id == model.id).order_by(IncomingAttachment.id)).all()
        links = [Markup('<a href="{}">{}</a>').format(self.get_url(".attachment", id=file_id), filename)
                 if not too_big else Markup("{} ({})").format(filename, _l("over the size limit, not kept"))
                 for file_id, filename, _size, too_big in files]
        return Markup("{}<br><small>{}</small>").format(model.subject, Markup(", ").join(links)) if links \
            else model.subject

    @expose("/attachment/<int:id>")
    def attachment(self, id):
        """Download one attachment; its message must be readable by the admin (rights as everywhere)."""
        from core.extensions import db

        item = db.session.get(IncomingAttachment, id)
        if item is None or item.content is None:
            abort(404)
        self.get_one(item.email_id)
        # send_file writes a non-ASCII name as RFC 5987 filename*; nosniff keeps the browser from guessing.
        response = send_file(io.BytesIO(item.content), mimetype=item.content_type or "application/octet-stream",
                             as_attachment=True, download_name=item.filename)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def register_views(admin, app) -> None:
    """Add the mailboxes and incoming messages screens."""
    from core.state import get_state

    sections = get_state(app).sections
    admin.add_view(MailboxView(sections.get(MAILBOX_SECTION), category=MAIL_CATEGORY, url="/admin/mailboxes",
                               endpoint="mailboxes"))
    admin.add_view(IncomingEmailView(sections.get(INCOMING_SECTION), category=MAIL_CATEGORY,
                                     url="/admin/incoming_email", endpoint="incoming_email"))
