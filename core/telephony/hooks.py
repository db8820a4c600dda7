"""Telephony's registrations, through the same hooks add-ons use (imported by ``core.builtin_hooks``)."""
from __future__ import annotations

from core.plugins import hookimpl


@hookimpl(specname="flowcase_register_telephony_connectors")
def register_builtin_connectors(app):
    """The Mango Office VPBX-style connector and the generic signed-webhook connector."""
    from core.telephony.connectors import MangoConnector, WebhookConnector

    return {"mango": MangoConnector, "webhook": WebhookConnector}


@hookimpl(specname="flowcase_register_blueprints")
def register_telephony_blueprints(app):
    """PBX events (exempt from CSRF: signed by the PBX) and click-to-call (CSRF-protected)."""
    from core.extensions import csrf
    from core.telephony.views import bp, events_bp

    csrf.exempt(events_bp)
    return [events_bp, bp]


@hookimpl(specname="flowcase_template_slot")
def click_to_call_buttons(slot, context):
    """Call buttons for the phone numbers of any card."""
    if slot != "card_bottom":
        return None
    from core.telephony.slot import render_call_buttons

    return render_call_buttons(context)
