"""Outgoing email's hook implementations (registered by ``core.builtin_hooks``).

Named for what they do and bound to their hook with ``specname``, like the
core's other built-in hooks.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.mail.queue import EMAIL_SECTION, TEMPLATE_SECTION
from core.plugins import hookimpl

_MAIL_SECTIONS = {EMAIL_SECTION, TEMPLATE_SECTION}


@hookimpl(specname="flowcase_register_sections")
def register_mail_sections(app):
    from core.mail.sections import mail_sections

    return mail_sections()


@hookimpl(specname="flowcase_register_jobs")
def register_send_email_job(app):
    from core.mail.sender import send_email_job

    return {"core.send_email": send_email_job}


def _readable_template(user, section, operation) -> bool:
    # Signed-in users read templates to pick one (a mailing, "Send email"); only superusers change them.
    return section.name == TEMPLATE_SECTION and operation == "read" and user is not None


@hookimpl(specname="flowcase_record_access")
def mail_is_for_superusers(user, section, operation, record):
    # Superusers and sudo (the queueing API) never reach this hook.
    if _readable_template(user, section, operation):
        return None
    return False if section.name in _MAIL_SECTIONS else None


@hookimpl(specname="flowcase_record_filter")
def mail_hidden_from_users(user, section, operation):
    if _readable_template(user, section, operation):
        return None
    return sa.false() if section.name in _MAIL_SECTIONS else None


@hookimpl(specname="flowcase_record_validate")
def validate_email_template(event):
    """A template must compile in the sandbox (both languages), so a typo shows when it is saved."""
    if event.section.name != TEMPLATE_SECTION:
        return None
    import jinja2

    from core.mail.render import _ENV

    errors = {}
    for path in ("subject", "body", "subject_ru", "body_ru"):
        try:
            _ENV.parse(getattr(event.record, path) or "")
        except jinja2.TemplateSyntaxError as exc:
            errors[path] = [_l("Template error on line %(line)s: %(error)s", line=exc.lineno, error=exc.message)]
    return errors or None


@hookimpl(specname="flowcase_register_admin_views")
def register_mail_admin_views(admin, app):
    from core.mail.admin import register_views

    register_views(admin)
