"""Click-to-call buttons on cards: a small form per phone number, moved next to its field by a script.

Without JavaScript the buttons show in a "Call" row under the card; with it,
``click_to_call.js`` puts each one beside its number (inline scripts are
forbidden by the Content-Security-Policy, hence a static file).
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

#: Field names (or their endings) that hold phone numbers.
PHONE_NAMES = ("phone", "mobile")


def phone_fields(section, record) -> list[tuple[str, str]]:
    """``(path, value)`` of the record's own phone fields that have a value."""
    result = []
    for info in section.own_fields():
        if info.path.endswith(PHONE_NAMES) and not info.path.endswith("_normalized"):
            value = getattr(record, info.path, None)
            if value:
                result.append((info.path, str(value)))
    return result


def render_call_buttons(context) -> Markup | None:
    """The buttons for a card, or None when the user has no extension or the record no number."""
    section, record = context.get("section"), context.get("record")
    if section is None or record is None or not getattr(current_user, "is_authenticated", False):
        return None
    from core.telephony.views import user_connector

    connector, _extension = user_connector(current_user.login)
    if connector is None:
        return None
    numbers = phone_fields(section, record)
    if not numbers:
        return None
    action, token = url_for("telephony.click_to_call"), generate_csrf()
    forms = Markup("").join(
        Markup('<form method="post" action="{}" class="d-inline ms-2" data-fc-call-field="{}">'
               '<input type="hidden" name="csrf_token" value="{}"><input type="hidden" name="number" value="{}">'
               '<button type="submit" class="btn btn-sm btn-outline-success py-0" title="{}">{} {}</button></form>')
        .format(action, path, token, value, _l("Call %(number)s", number=value), "☎", escape(value))
        for path, value in numbers)
    script = Markup('<script src="{}" defer></script>').format(
        url_for("telephony.static", filename="click_to_call.js"))
    return Markup('<div class="mt-2" data-fc-click-to-call><span class="text-muted small">{}</span>{}</div>{}').format(
        _l("Call:"), forms, script)
