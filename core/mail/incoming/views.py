"""Attachments of incoming email for users: listed on the email's activity card, downloaded with that card's rights.

A user who may read the activity logging a message (or, without crm, the
record it belongs to) may download its attachments; anyone else gets 404,
as for a hidden record. Superusers also reach them from /admin.
"""
from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, abort, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from core.errors import AccessDenied, RecordNotFound
from core.extensions import db
from core.mail.incoming.models import IncomingAttachment, IncomingEmail
from core.records import records_for

bp = Blueprint("incoming_mail", __name__, url_prefix="/mail")


def _readable(records, email: IncomingEmail) -> bool:
    """Whether the acting user may read what the message is filed under (its activity, else its record)."""
    sections = records.state.sections
    targets = []
    if email.activity_id is not None and "activity" in sections:
        targets.append(("activity", email.activity_id))
    elif email.section in sections and email.record_id is not None:
        targets.append((email.section, email.record_id))
    targets.append(("incoming_email", email.id))  # superusers
    for section, record_id in targets:
        try:
            records.get(section, record_id)
            return True
        except (RecordNotFound, AccessDenied):
            continue
    return False


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """Download one attachment (404 when it was not kept or its message is hidden from the user)."""
    item = db.session.get(IncomingAttachment, attachment_id)
    if item is None or item.content is None:
        abort(404)
    email = db.session.get(IncomingEmail, item.email_id)
    if email is None or not _readable(records_for(current_user), email):
        abort(404)
    # send_file writes a non-ASCII name as RFC 5987 filename*; nosniff keeps the browser from guessing.
    response = send_file(io.BytesIO(item.content), mimetype=item.content_type or "application/octet-stream",
                         as_attachment=True, download_name=item.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def attachments_panel(context) -> Markup | None:
    """The "Attachments" list under an email activity's card, or None for other cards and messages without files."""
    section, record = context.get("section"), context.get("record")
    if section is None or record is None or section.name != "activity" or getattr(record, "id", None) is None:
        return None
    rows = db.session.execute(
        sa.select(IncomingAttachment.id, IncomingAttachment.filename, IncomingAttachment.size,
                  IncomingAttachment.content.is_(None))
        .join(IncomingEmail, IncomingEmail.id == IncomingAttachment.email_id)
        .where(IncomingEmail.activity_id == record.id).order_by(IncomingAttachment.id)).all()
    if not rows:
        return None
    items = Markup("").join(
        Markup('<li>{} <small class="text-muted">({} KB)</small></li>').format(
            filename if too_big else Markup('<a href="{}">{}</a>').format(
                url_for("incoming_mail.attachment", attachment_id=file_id), filename),
            max(1, round(size / 1024)))
        + (Markup(' <small class="text-muted">{}</small>').format(_l("over the size limit, not kept"))
           if too_big else Markup(""))
        for file_id, filename, size, too_big in rows)
    return Markup('<section class="card mt-3" data-fc-attachments><div class="card-body"><h2 class="h6">{}</h2>'
                  '<ul class="mb-0">{}</ul></div></section>').format(_l("Email attachments"), items)
