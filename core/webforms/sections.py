"""The ``web_form`` core section (settings, superusers only): admins configure forms in /admin."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.sections import Section
from core.webforms.models import WebForm

SECTION_NAME = "web_form"

LABELS = {
    "name": _l("Name"), "slug": _l("Public key (URL)"), "section": _l("Creates records in section"),
    "fields": _l("Fields (path | label | required, one a line)"),
    "defaults": _l("Hidden defaults (path = value, one a line)"),
    "allowed_origins": _l("Allowed origins (one a line)"), "success_url": _l("Redirect after success"),
    "success_message": _l("Message after success"), "user_id": _l("Create as user"), "active": _l("Active"),
}


def web_form_section() -> Section:
    """A fresh Section for web forms (the registry fills per-app attributes)."""
    return Section(
        name=SECTION_NAME, model=WebForm, title=_l("Web form"), title_plural=_l("Web forms"), area="settings",
        list_columns=["name", "slug", "section", "active"], search_fields=["name", "slug"], labels=LABELS,
        layout=[{"tab": _l("Web form"), "groups": [
            {"title": _l("Form"), "fields": ["name", "slug", "section", "active", "user_id"]},
            {"title": _l("Contents"), "fields": ["fields", "defaults"]},
            {"title": _l("After submission"), "fields": ["success_url", "success_message", "allowed_origins"]},
        ]}],
        api=False,
    )
