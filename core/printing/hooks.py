"""Print forms registered through the core's own hooks (``core.builtin_hooks`` imports these).

The ``print_form`` section is a settings lookup edited by superusers (in /admin
or by an add-on's data file); every user who may read a record may print it.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.plugins import hookimpl

SECTION_NAME = "print_form"
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


def print_form_section():
    """The section of print-form definitions."""
    from core.printing.models import PrintForm
    from core.sections import Section

    return Section(
        name=SECTION_NAME, model=PrintForm, title=_l("Print form"), title_plural=_l("Print forms"),
        area="settings", is_lookup=True, api=False, list_columns=["section", "code", "name", "language", "owner", "active"],
        search_fields=["name", "code", "section"], filter_fields=["section", "language", "owner"],
        labels={"section": _l("Section"), "code": _l("Code"), "name": _l("Name"), "template": _l("Template (Jinja HTML)"),
                "language": _l("Language"), "owner": _l("Owner"), "active": _l("Active")},
    )


@hookimpl(specname="flowcase_register_sections")
def register_print_form_section(app):
    return [print_form_section()]


@hookimpl(specname="flowcase_record_access")
def print_forms_are_for_superusers(user, section, operation, record):
    # Superusers never reach this hook; users read forms through the printing service only.
    return False if section.name == SECTION_NAME else None


@hookimpl(specname="flowcase_record_filter")
def print_forms_hidden_from_users(user, section, operation):
    return sa.false() if section.name == SECTION_NAME else None


@hookimpl(specname="flowcase_record_validate")
def validate_print_form(event):
    """A known section, a snake_case code, a known language and a template that compiles in the sandbox."""
    if event.section.name != SECTION_NAME:
        return None
    from jinja2 import TemplateSyntaxError

    from core.printing.render import _environment
    from core.printing.words import WORD_LANGUAGES

    form, errors = event.record, {}
    if form.section not in event.records.state.sections:
        errors["section"] = [_l("no section named “%(name)s”", name=form.section or "")]
    if not _CODE.match(form.code or ""):
        errors["code"] = [_l("use lower-case letters, digits and underscores, starting with a letter")]
    if form.language not in WORD_LANGUAGES:
        errors["language"] = [_l("must be one of: %(choices)s", choices=", ".join(WORD_LANGUAGES))]
    try:
        _environment(form.language or "en").parse(form.template or "")
    except TemplateSyntaxError as exc:
        errors["template"] = [_l("line %(line)s: %(error)s", line=exc.lineno, error=exc.message)]
    return errors or None


@hookimpl(specname="flowcase_register_blueprints")
def register_printing_blueprint(app):
    from core.printing.views import bp

    return [bp]


@hookimpl(specname="flowcase_template_slot")
def print_menus(slot, context):
    """The card's "Print" menu (``card_top``) and the list's print-selection buttons (``list_bulk_actions``)."""
    if slot not in ("card_top", "list_bulk_actions"):
        return None
    section = context.get("section")
    if section is None:
        return None
    from core.printing.service import menu_forms
    from core.records import records_for

    forms = menu_forms(records_for(), section)
    if not forms:
        return None
    if slot == "card_top":
        return Markup(render_template("printing/card_menu.html", forms=forms, section=section, record=context["record"]))
    return Markup(render_template("printing/list_actions.html", forms=forms, section=section))
