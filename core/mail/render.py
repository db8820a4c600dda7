"""Rendering email templates in Jinja's sandbox, with the record and its display values.

Templates are written by admins, so they run in
:class:`jinja2.sandbox.SandboxedEnvironment`: no attribute access to
internals, no imports. A mistake in a template is a
:class:`core.errors.ValidationError` naming it, never a 500.
"""
from __future__ import annotations

from typing import Any

import jinja2
from flask import current_app
from flask_babel import lazy_gettext as _l
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from core.errors import ValidationError



class _Sandbox(SandboxedEnvironment):
    """The sandbox, refusing loudly: reaching for internals is an error, not an empty string."""

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} is not allowed")


# Missing values render empty (a record without a phone), chained lookups too.
_ENV = _Sandbox(autoescape=False, undefined=jinja2.ChainableUndefined, keep_trailing_newline=True)


def template_context(records, section_name: str | None, record, context: dict | None = None) -> dict:
    """What a template sees: ``record`` (the object), ``values`` (raw, by path), ``display`` (as pages show them)."""
    result: dict[str, Any] = {"record": record, "values": {}, "display": {}, "section": None}
    if record is not None and section_name:
        from core.ui.display import format_value, lookup_names

        sudo = records.sudo()
        section = sudo.section(section_name)
        values = sudo.read(section, record)
        infos = [info for info in section.fields() if info.path in values]
        names = lookup_names(sudo, infos, [values])
        result.update(
            section=section.name,
            values=values,
            display={info.path: format_value(info, values.get(info.path), names) for info in infos},
            title=section.display_name(record),
        )
    result.update(context or {})
    return result


def render(source: str, context: dict, what: str = "template") -> str:
    """Render one template text; a syntax or runtime error becomes a readable ValidationError."""
    try:
        return _ENV.from_string(source or "").render(context)
    except jinja2.TemplateError as exc:
        raise ValidationError({what: [_l("The email template cannot be rendered: %(error)s", error=str(exc))]}) from None


def pick_language(language: str | None) -> str:
    """The language asked for, else the UI's current one, else the app's default."""
    if language:
        return language
    try:
        from flask_babel import get_locale

        locale = get_locale()
        if locale is not None:
            return locale.language
    except Exception:  # noqa: BLE001 - outside a request there is no locale: fall through
        pass
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def render_template_email(template, context: dict, language: str | None = None) -> tuple[str, str]:
    """``(subject, body)`` of ``template`` in ``language`` (Russian falls back to English when empty)."""
    lang = pick_language(language)
    subject, body = template.subject, template.body
    if lang == "ru":
        subject = template.subject_ru or subject
        body = template.body_ru or body
    # One line: a subject with a newline would break the message headers.
    return " ".join(render(subject, context, "subject").split()), render(body, context, "body")
