"""What protects a public form instead of CSRF: allowed origins, a honeypot, a per-IP rate limit, size limits.

Every refusal is a :class:`Refusal` (an HTTP status and a message) raised
before anything is written. The rate limit counts attempts in the database
(``core_web_form_hit``), so every worker process and machine shares it.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import lazy_gettext as _l

from core.webforms.models import WebFormHit

#: Name of the hidden field people never fill and bots do.
HONEYPOT = "website_url"


class Refusal(Exception):
    """A submission refused with an HTTP status and a readable message (and per-field errors)."""

    def __init__(self, status: int, message, errors: dict | None = None):
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.errors = errors or {}


def request_origin() -> str | None:
    """The browser's ``Origin`` header without a trailing slash, or None (server-to-server posts)."""
    origin = request.headers.get("Origin")
    return origin.rstrip("/") if origin and origin != "null" else None


def own_origin() -> str:
    return request.host_url.rstrip("/")


def check_origin(allowed: set[str]) -> str | None:
    """The origin to echo in CORS headers; a foreign origin not in ``allowed`` is a 403."""
    origin = request_origin()
    if origin is None or origin == own_origin():
        return None
    if origin not in allowed:
        raise Refusal(403, _l("This form does not accept submissions from %(origin)s.", origin=origin))
    return origin


def read_limited_body() -> bytes:
    """The request body, refused with 413 past ``FLOWCASE_WEBFORM_MAX_BODY`` bytes (read no further)."""
    limit = current_app.config["FLOWCASE_WEBFORM_MAX_BODY"]
    if (request.content_length or 0) > limit:
        raise Refusal(413, _l("The submission is too large (at most %(n)s bytes).", n=limit))
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise Refusal(413, _l("The submission is too large (at most %(n)s bytes).", n=limit))
    return data


def check_field_sizes(values: dict) -> None:
    """Each value at most ``FLOWCASE_WEBFORM_MAX_FIELD`` characters, else a 413 naming the fields."""
    limit = current_app.config["FLOWCASE_WEBFORM_MAX_FIELD"]
    too_long = {name: [_l("At most %(n)s characters.", n=limit)]
                for name, value in values.items() if isinstance(value, str) and len(value) > limit}
    if too_long:
        raise Refusal(413, _l("Some fields are too long."), too_long)


def check_honeypot(values: dict) -> None:
    """A filled honeypot is a bot: refused (400) without saying which field gave it away."""
    if str(values.get(HONEYPOT) or "").strip():
        raise Refusal(400, _l("The submission was refused."))


def client_ip() -> str:
    # Behind a proxy, ProxyFix (configured by the deployment) puts the client's address here.
    return (request.remote_addr or "unknown")[:64]


def check_rate(session, form_id: int, ip: str) -> None:
    """Count this attempt; past ``FLOWCASE_WEBFORM_RATE_LIMIT`` within the window, a 429.

    The attempt is committed at once, in its own transaction, so it counts even
    when the submission fails later, and other processes see it.
    """
    limit = current_app.config["FLOWCASE_WEBFORM_RATE_LIMIT"]
    window = timedelta(seconds=current_app.config["FLOWCASE_WEBFORM_RATE_WINDOW"])
    now = datetime.now(timezone.utc)
    count = session.scalar(sa.select(sa.func.count()).select_from(
        sa.select(WebFormHit.id).where(WebFormHit.ip == ip, WebFormHit.at >= now - window).limit(limit).subquery()))
    if count >= limit:
        raise Refusal(429, _l("Too many submissions from your address; try again later."))
    session.add(WebFormHit(ip=ip, form_id=form_id, at=now))
    # Old rows are useless: drop them as we go, so the table stays small without a timer.
    session.execute(sa.delete(WebFormHit).where(WebFormHit.at < now - 2 * window))
    session.commit()
