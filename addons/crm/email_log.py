"""A sent email becomes a done activity of type ``email`` on the record it concerns (its timeline shows it)."""
from __future__ import annotations

import sqlalchemy as sa

from .models import ActivityStatus, Contact, CrmActivityType

#: Code of the activity type sent emails are logged as.
EMAIL_ACTIVITY_TYPE_CODE = "email"


def log_sent_email(email, records) -> None:
    """Create the activity for ``email`` (a :class:`core.mail.models.Email` just sent) through ``records``."""
    type_id = records.session.scalar(sa.select(CrmActivityType.id).where(CrmActivityType.code == EMAIL_ACTIVITY_TYPE_CODE))
    linked = email.section is not None and email.record_id is not None and email.section in records.state.sections
    message_id = getattr(email, "message_id", None)
    header = f"To: {email.to}\n" + (f"Message-ID: {message_id}\n" if message_id else "")
    values = {
        "subject": email.subject[:250] or "(email)",
        "description": f"{header}\n{email.body}",
        "activity_type_id": type_id,
        "status": ActivityStatus.DONE,
        "owner_id": email.created_by_id,
        "actual_end_at": email.sent_at,
    }
    if linked:
        values.update(section=email.section, record_id=email.record_id)
    contact_id = getattr(email, "contact_id", None)
    if contact_id is not None and records.session.get(Contact, contact_id) is not None:
        # Written to a contact: the activity joins that contact's communication history too.
        values["contact_id"] = contact_id
    activity = records.create("activity", values)
    if hasattr(email, "activity_id"):
        # The email row carries the Message-ID: replies threaded by it find this activity.
        records.update("email", email, {"activity_id": activity.id})
