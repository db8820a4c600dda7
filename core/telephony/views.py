"""``/telephony/<connector>/events/<event>`` (from the PBX, signed, no CSRF) and ``/telephony/call`` (click-to-call).

A bad signature is a 403, logged with the connector and address, and nothing
is written. Click-to-call is a signed-in user's form post (CSRF-protected)
asking the connector to ring that user's extension and then dial the number.
"""
from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, current_app, flash, redirect, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from core.extensions import db
from core.state import get_state
from core.telephony.calls import record_event
from core.telephony.connectors import BadEvent, connectors
from core.telephony.numbers import normalize_number

log = logging.getLogger(__name__)

#: PBX events: no session, no CSRF; the connector's signature is the authentication.
events_bp = Blueprint("telephony_events", __name__, url_prefix="/telephony")
#: Pages for signed-in users: CSRF applies.
bp = Blueprint("telephony", __name__, url_prefix="/telephony", static_folder="static",
               static_url_path="/static")


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")


@events_bp.post("/<name>/events/<event>")
def receive_event(name: str, event: str):
    """Verify, read and log one PBX event; 200 ``{"ok": true}`` once it is recorded."""
    connector = connectors(current_app).get(name)
    if connector is None:
        return _json({"error": str(_l("There is no telephony connector named %(name)s.", name=name))}, 404)
    if not connector.verify(request):
        log.warning("telephony: bad signature on %s event %r from %s", name, event, request.remote_addr)
        return _json({"error": str(_l("The signature does not match."))}, 403)
    try:
        call_event = connector.parse(event, request)
    except BadEvent as error:
        return _json({"error": str(_l("The event cannot be read: %(reason)s", reason=str(error)))}, 400)
    if call_event is None:
        return _json({"ok": True, "ignored": True})
    call = record_event(get_state(), db.session, connector, call_event)
    return _json({"ok": True, "activity_id": call.activity_id})


def user_connector(login: str):
    """The first configured connector that knows the user's extension, with that extension."""
    for connector in connectors(current_app).values():
        extension = connector.extension_for(login)
        if extension is not None:
            return connector, extension
    return None, None


@bp.post("/call")
@login_required
def click_to_call():
    """Ask the PBX to call the user's extension back and connect it to ``number``."""
    number = normalize_number(request.form.get("number"))
    back = request.referrer or "/"
    wants_json = request.accept_mimetypes.best == "application/json"
    connector, extension = user_connector(current_user.login)
    if number is None:
        message, status = _l("There is no number to call."), 400
    elif connector is None:
        message, status = _l("You have no phone extension; ask an administrator to set one."), 400
    else:
        try:
            connector.place_call(extension, number)
            message, status = _l("Your phone (extension %(ext)s) will ring; then %(number)s is dialled.",
                                 ext=extension, number=number), 200
        except Exception as error:  # the PBX's HTTP errors, timeouts, refused connections
            log.warning("telephony: click-to-call through %s failed: %s", connector.name, error)
            message, status = _l("The telephone system did not accept the call; try again."), 502
    if wants_json:
        return _json({"ok": status == 200, "message": str(message)}, status)
    flash(str(message), "success" if status == 200 else "error")
    return redirect(back)
