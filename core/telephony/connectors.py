"""Telephony connectors: how a PBX's events are verified and read, and how a call is placed through it.

A connector is configured by ``FLOWCASE_TELEPHONY[<name>]`` (a dict):

- ``extensions``: ``{"101": "alice"}``, the PBX extension of each user (login);
- ``mango`` (Mango Office VPBX style): ``api_key``, ``api_salt``, ``api_url``
  (the PBX's API base for click-to-call). Every form post either way carries
  ``vpbx_api_key``, ``json`` and ``sign = sha256(api_key + json + api_salt)``;
- ``webhook`` (generic): ``secret``, and ``call_url`` for click-to-call. Bodies
  are JSON, signed with ``X-Flowcase-Signature: sha256=<hex HMAC-SHA256(secret, body)>``.

Add-ons add connectors through ``flowcase_register_telephony_connectors``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode

#: Seconds the PBX gets to accept a click-to-call request.
CALL_TIMEOUT = 10


class BadEvent(ValueError):
    """An event whose body cannot be read (a 400, nothing written)."""


@dataclass
class CallEvent:
    """One thing the PBX said about a call, in the connector-neutral form :mod:`.calls` records."""

    call_id: str
    #: ``appeared``, ``connected``, ``disconnected`` or ``summary``.
    kind: str
    direction: str | None = None
    #: The outside party's number and the internal extension.
    number: str | None = None
    extension: str | None = None
    from_number: str | None = None
    to_number: str | None = None
    at: datetime | None = None
    duration: int | None = None
    #: ``answered``, ``missed``, ``busy``, ``failed``.
    result: str | None = None
    recording_url: str | None = None


def _moment(value) -> datetime | None:
    """A Unix timestamp or ISO string as an aware UTC datetime."""
    if value in (None, ""):
        return None
    try:
        return datetime.fromtimestamp(int(value), timezone.utc)
    except (TypeError, ValueError):
        pass
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise BadEvent(f"not a time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _post(url: str, data: bytes, content_type: str, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": content_type, **(headers or {})})
    with urllib.request.urlopen(request, timeout=CALL_TIMEOUT) as response:  # noqa: S310 (configured URL)
        return response.status


class Connector:
    """Base of every connector: settings, the extension map, and the three things a PBX needs."""

    def __init__(self, name: str, settings: dict):
        self.name = name
        self.settings = settings or {}

    @property
    def extensions(self) -> dict[str, str]:
        """``{extension: login}``."""
        return {str(k): v for k, v in (self.settings.get("extensions") or {}).items()}

    def login_for(self, extension) -> str | None:
        return self.extensions.get(str(extension)) if extension not in (None, "") else None

    def extension_for(self, login: str) -> str | None:
        for extension, name in self.extensions.items():
            if name == login:
                return extension
        return None

    def verify(self, request) -> bool:
        """Whether the request really comes from the PBX (its signature)."""
        raise NotImplementedError

    def parse(self, event: str, request) -> CallEvent | None:
        """The event as a :class:`CallEvent`; None for events that say nothing about a call."""
        raise NotImplementedError

    def place_call(self, extension: str, number: str) -> None:
        """Ask the PBX to ring ``extension`` and, once answered, dial ``number`` (raises on failure)."""
        raise NotImplementedError


def mango_sign(api_key: str, payload: str, api_salt: str) -> str:
    """Mango's signature: ``sha256(api_key + json + api_salt)`` as hex."""
    return hashlib.sha256((api_key + payload + api_salt).encode("utf-8")).hexdigest()


class MangoConnector(Connector):
    """A hosted PBX in the Mango Office VPBX style (events ``call``, ``summary``, ``recording``)."""

    STATES = {"appeared": "appeared", "connected": "connected", "disconnected": "disconnected",
              "onhold": "connected"}

    def verify(self, request) -> bool:
        key, salt = self.settings.get("api_key", ""), self.settings.get("api_salt", "")
        form = request.form
        if not key or form.get("vpbx_api_key") != key:
            return False
        expected = mango_sign(key, form.get("json", ""), salt)
        return hmac.compare_digest(expected, form.get("sign", ""))

    def parse(self, event: str, request) -> CallEvent | None:
        try:
            data = json.loads(request.form.get("json", ""))
        except ValueError:
            raise BadEvent("json is not valid JSON") from None
        if not isinstance(data, dict) or not data.get("entry_id"):
            raise BadEvent("entry_id is missing")
        frm, to = data.get("from") or {}, data.get("to") or {}
        if event == "call":
            kind = self.STATES.get(str(data.get("call_state", "")).lower())
            if kind is None:
                raise BadEvent(f"unknown call_state {data.get('call_state')!r}")
            # An extension on the caller's side means one of ours dialled out.
            direction = "out" if frm.get("extension") else "in"
            result = None
        elif event == "summary":
            kind = "summary"
            direction = {1: "in", 2: "out"}.get(int(data.get("call_direction") or 0), "out" if frm.get("extension") else "in")
            answered = bool(data.get("talk_time")) and int(data.get("entry_result", 1) or 0) == 1
            result = "answered" if answered else "missed"
        elif event == "recording":
            return CallEvent(call_id=str(data["entry_id"]), kind="recording", recording_url=data.get("recording_url"))
        else:
            return None
        outside, inside = (frm, to) if direction == "in" else (to, frm)
        duration = None
        if kind == "summary" and data.get("talk_time") and data.get("end_time"):
            duration = max(0, int(data["end_time"]) - int(data["talk_time"]))
        return CallEvent(
            call_id=str(data["entry_id"]), kind=kind, direction=direction,
            number=outside.get("number"), extension=inside.get("extension"),
            from_number=frm.get("number") or frm.get("extension"), to_number=to.get("number") or to.get("extension"),
            at=_moment(data.get("timestamp") or data.get("end_time")), duration=duration, result=result,
            recording_url=data.get("recording_url"),
        )

    def place_call(self, extension: str, number: str) -> None:
        key, salt = self.settings["api_key"], self.settings.get("api_salt", "")
        payload = json.dumps({"command_id": uuid.uuid4().hex, "from": {"extension": str(extension)},
                              "to_number": number.lstrip("+")})
        body = urlencode({"vpbx_api_key": key, "sign": mango_sign(key, payload, salt), "json": payload})
        _post(self.settings["api_url"].rstrip("/") + "/commands/callback", body.encode(),
              "application/x-www-form-urlencoded")


def webhook_signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256(secret, body)>``, the generic connector's header value."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookConnector(Connector):
    """Any PBX or middleware that posts JSON call events signed with a shared secret.

    Body: ``{"call_id", "direction": "in"|"out", "number", "extension",
    "timestamp", "duration", "result", "recording_url"}``; the event name in the
    URL is ``appeared``, ``connected``, ``disconnected`` or ``summary``.
    """

    HEADER = "X-Flowcase-Signature"
    KINDS = {"appeared", "connected", "disconnected", "summary"}

    def verify(self, request) -> bool:
        secret = self.settings.get("secret", "")
        given = request.headers.get(self.HEADER, "")
        return bool(secret) and hmac.compare_digest(webhook_signature(secret, request.get_data()), given)

    def parse(self, event: str, request) -> CallEvent | None:
        if event not in self.KINDS:
            return None
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not data.get("call_id"):
            raise BadEvent("a JSON object with call_id is expected")
        direction = data.get("direction") if data.get("direction") in ("in", "out") else "in"
        number, extension = data.get("number"), data.get("extension")
        from_number, to_number = (number, extension) if direction == "in" else (extension, number)
        try:
            duration = int(data["duration"]) if data.get("duration") not in (None, "") else None
        except (TypeError, ValueError):
            raise BadEvent("duration must be seconds") from None
        return CallEvent(call_id=str(data["call_id"]), kind=event, direction=direction, number=number,
                         extension=None if extension is None else str(extension),
                         from_number=from_number, to_number=to_number, at=_moment(data.get("timestamp")),
                         duration=duration, result=data.get("result"), recording_url=data.get("recording_url"))

    def place_call(self, extension: str, number: str) -> None:
        body = json.dumps({"extension": str(extension), "number": number}).encode()
        _post(self.settings["call_url"], body, "application/json",
              {self.HEADER: webhook_signature(self.settings.get("secret", ""), body)})


def connectors(app) -> dict[str, Connector]:
    """The configured connectors of ``app``: those registered by hooks and named in ``FLOWCASE_TELEPHONY``."""
    from core.state import get_state

    settings = app.config.get("FLOWCASE_TELEPHONY") or {}
    if isinstance(settings, str):  # from the environment, as JSON
        settings = json.loads(settings or "{}")
    classes = {}
    for registered in get_state(app).call_ordered("flowcase_register_telephony_connectors", app=app):
        classes.update(registered)
    return {name: classes[name](name, conf) for name, conf in settings.items() if name in classes}
