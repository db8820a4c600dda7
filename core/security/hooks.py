"""The security model's hook implementations; :mod:`core.builtin_hooks` imports them so they register as the core's."""
from __future__ import annotations

from core.plugins import hookimpl
from core.security.sections import SECURITY_SECTIONS


@hookimpl
def flowcase_register_sections(app):
    from core.security.sections import security_sections

    return security_sections()


@hookimpl
def flowcase_register_admin_views(admin, app):
    from core.security.admin import register_security_views

    register_security_views(admin)


@hookimpl
def flowcase_record_access(user, section, operation, record):
    from core.extensions import db
    from core.security.policy import record_access

    # The session itself, looked up once: the policy reads its ``info`` several times per call.
    return record_access(db.session(), user, section, operation, record)


@hookimpl
def flowcase_record_filter(user, section, operation):
    from core.extensions import db
    from core.security.policy import record_filter

    return record_filter(db.session(), user, section, operation)


def _check_security_record(event) -> None:
    # Every other section's write (an import: every row) returns here, before any import statement runs.
    if event.section.name not in SECURITY_SECTIONS or event.section.addon != "core":
        return
    from core.errors import ValidationError
    from core.security.validation import validate_security_record

    errors = validate_security_record(event.records.state.sections, event.section.name, event.record)
    if errors:
        raise ValidationError(errors)


@hookimpl
def flowcase_record_before_create(event):
    _check_security_record(event)


@hookimpl
def flowcase_record_before_update(event):
    _check_security_record(event)


@hookimpl(specname="flowcase_register_blueprints")
def register_profile_blueprint(app):
    from core.security.profile import bp

    return [bp]
