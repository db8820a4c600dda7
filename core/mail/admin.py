"""/admin screens for email templates and the email queue (under "Automation")."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.admin_sections import SectionAdminView
from core.mail.queue import EMAIL_SECTION, TEMPLATE_SECTION

#: Flask-Admin category shared with the automation screens.
AUTOMATION_CATEGORY = _l("Automation")


class EmailQueueView(SectionAdminView):
    """The queue is read-only: emails are written by the queueing API and the sending job."""

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True


def register_views(admin) -> None:
    """Add the templates and queue screens; sections are looked up per request inside the views."""
    from core.state import get_state

    sections = get_state(admin.app).sections
    admin.add_view(SectionAdminView(sections.get(TEMPLATE_SECTION), category=AUTOMATION_CATEGORY,
                                    url="/admin/email_templates", endpoint="email_templates"))
    admin.add_view(EmailQueueView(sections.get(EMAIL_SECTION), category=AUTOMATION_CATEGORY,
                                  url="/admin/email_queue", endpoint="email_queue"))
