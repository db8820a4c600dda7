"""Dashboards' hook implementations; :mod:`core.builtin_hooks` imports them so they register as the core's."""
from __future__ import annotations

import sqlalchemy as sa

from core.plugins import hookimpl


@hookimpl(specname="flowcase_register_sections")
def register_dashboard_sections(app):
    from core.dashboards.sections import dashboard_sections

    return dashboard_sections()


@hookimpl(specname="flowcase_record_access")
def dashboards_are_for_superusers(user, section, operation, record):
    # Superusers never reach this hook; users see dashboards through /dashboards only.
    from core.dashboards.sections import DASHBOARD_SECTIONS

    return False if section.name in DASHBOARD_SECTIONS else None


@hookimpl(specname="flowcase_record_filter")
def dashboards_hidden_from_users(user, section, operation):
    from core.dashboards.sections import DASHBOARD_SECTIONS

    return sa.false() if section.name in DASHBOARD_SECTIONS else None


@hookimpl(specname="flowcase_record_validate")
def validate_dashboard_widget(event):
    if event.section.name != "dashboard_widget" or event.section.addon != "core":
        return None
    from core.dashboards.validation import widget_errors

    return widget_errors(event.records.state.sections, event.record) or None


@hookimpl(specname="flowcase_register_blueprints")
def register_dashboard_blueprint(app):
    from core.dashboards.views import bp

    return [bp]


@hookimpl(specname="flowcase_template_slot")
def home_dashboard_slot(slot, context):
    if slot != "home_after_addons":
        return None
    from core.dashboards.views import home_dashboard

    return home_dashboard()


@hookimpl(specname="flowcase_register_menus")
def register_dashboard_menu(app):
    from flask_babel import lazy_gettext as _l

    from core.menus import MenuItem

    return [MenuItem(label=_l("Dashboards"), target="/dashboards", area="general", sequence=1)]
