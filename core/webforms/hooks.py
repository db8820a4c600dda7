"""Web forms' registrations, through the same hooks add-ons use (imported by ``core.builtin_hooks``)."""
from __future__ import annotations

from core.plugins import hookimpl
from core.webforms.sections import SECTION_NAME


@hookimpl(specname="flowcase_register_sections")
def register_web_form_section(app):
    from core.webforms.sections import web_form_section

    return [web_form_section()]


@hookimpl(specname="flowcase_register_blueprints")
def register_web_form_blueprint(app):
    """``/forms``: public and exempt from CSRF (honeypot, rate and size limits instead)."""
    from core.extensions import csrf
    from core.webforms.views import bp

    csrf.exempt(bp)
    return [bp]


@hookimpl(specname="flowcase_register_admin_views")
def register_web_form_admin(admin, app):
    from core.webforms.admin import register

    register(admin, app)


@hookimpl(specname="flowcase_record_access")
def web_forms_are_for_superusers(user, section, operation, record):
    """Only superusers (and the system) configure forms: a form writes as whoever it names."""
    from core.webforms.sections import SECTION_NAME

    return False if section.name == SECTION_NAME else None


@hookimpl(specname="flowcase_record_validate")
def validate_web_form(event):
    """A form whose section, fields, defaults or origins cannot work is refused with the reason by the field."""
    if event.section.name != SECTION_NAME:  # before any import: this runs for every record written
        return None
    from core.webforms.spec import config_errors

    return config_errors(event.records.state.sections, event.record) or None


@hookimpl(specname="flowcase_record_filter")
def web_forms_hidden_from_users(user, section, operation):
    import sqlalchemy as sa

    from core.webforms.sections import SECTION_NAME

    return sa.false() if section.name == SECTION_NAME else None
