"""Outgoing email: templates, a queue written through the records service, SMTP sending by a job.

Public API (stable; the process engine and automations call it)::

    from core.mail import queue_email, queue_template_email

    queue_template_email(records, "sales.lead_assigned", to="a@example.com", record=lead)
    queue_email(records, "a@example.com", "Subject", "Body", record=lead)

Both write the email row in the caller's transaction and send it from the
``core.send_email`` job after commit. Configuration: ``FLOWCASE_MAIL_*`` in
:mod:`core.config`. Once sent, ``flowcase_email_sent`` lets add-ons react (the
CRM logs an activity of type ``email``).

Threading replies (read by incoming mail): every outgoing message's
``Message-ID`` is stored where its record can be found again —
``core_email.message_id`` (:attr:`core.mail.models.Email.message_id`, fixed
when queued, indexed) beside ``section``/``record_id``, ``contact_id`` and
``activity_id`` (the activity logged once sent), and for mailings
``core_mailing_recipient.message_id`` beside the recipient's
``section``/``record_id`` (see :func:`core.mailings.threads.mailing_links`).
"""
from core.mail.queue import queue_email, queue_template_email

__all__ = ["queue_email", "queue_template_email"]
