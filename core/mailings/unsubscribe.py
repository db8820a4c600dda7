"""Unsubscribe links: a signed token per (address, mailing), and the public page that records the wish.

The token is signed with the app's ``SECRET_KEY`` (itsdangerous) and never
expires: a link in a years-old email must still work. It carries the address,
so nothing but the key can forge one; no login, no CSRF token (mail clients
POST the one-click ``List-Unsubscribe-Post`` form without one).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from itsdangerous import BadSignature, URLSafeSerializer

from core.mailings.addresses import normalize
from core.mailings.models import EmailUnsubscribe

SECTION = "email_unsubscribe"
_SALT = "flowcase.unsubscribe"

bp = Blueprint("unsubscribe", __name__, url_prefix="/unsubscribe")


def _serializer(app=None) -> URLSafeSerializer:
    return URLSafeSerializer((app or current_app).config["SECRET_KEY"], salt=_SALT)


def make_token(email: str, mailing_id: int | None, app=None) -> str:
    """The signed token naming ``email`` (and the mailing it came from)."""
    return _serializer(app).dumps([normalize(email), mailing_id])


def read_token(token: str, app=None) -> tuple[str, int | None]:
    """``(email, mailing_id)`` from a token; :class:`itsdangerous.BadSignature` when forged or damaged."""
    data = _serializer(app).loads(token)
    if not (isinstance(data, list) and len(data) == 2 and normalize(data[0])):
        raise BadSignature("unexpected payload")
    return normalize(data[0]), data[1] if isinstance(data[1], int) else None


def unsubscribe_url(email: str, mailing_id: int | None, app=None) -> str:
    """The absolute link put in a mailing (``FLOWCASE_PUBLIC_URL`` + ``/unsubscribe/<token>``)."""
    app = app or current_app
    return f"{app.config['FLOWCASE_PUBLIC_URL'].rstrip('/')}/unsubscribe/{make_token(email, mailing_id, app)}"


def unsubscribed(session, addresses) -> set[str]:
    """Which of ``addresses`` (normalized) asked not to be mailed."""
    addresses = {a for a in addresses if a}
    if not addresses:
        return set()
    return set(session.scalars(sa.select(EmailUnsubscribe.email).where(EmailUnsubscribe.email.in_(addresses))))


def record_unsubscribe(records, email: str, mailing_id: int | None = None) -> bool:
    """Remember that ``email`` wants no mailings; False when it already had said so. Written as the system."""
    email = normalize(email)
    sudo = records.sudo()
    if unsubscribed(sudo.session, [email]):
        return False
    from core.mailings.models import Mailing

    if mailing_id is not None and sudo.session.get(Mailing, mailing_id) is None:
        mailing_id = None  # the mailing was deleted since; the wish still counts
    with sudo.transaction():
        sudo.create(SECTION, {"email": email, "mailing_id": mailing_id})
    return True


def _decode(token: str):
    try:
        return read_token(token)
    except BadSignature:
        return None


def _invalid():
    return render_template("mailings/unsubscribe.html", invalid=True), 400


@bp.route("/<token>", methods=["GET"])
def confirm(token: str):
    """Ask before unsubscribing: link scanners that follow every URL must not unsubscribe anyone."""
    decoded = _decode(token)
    if decoded is None:
        return _invalid()
    email = decoded[0]
    state = current_app.extensions["flowcase"]
    done = bool(unsubscribed(state.records(sudo=True).session, [email]))
    return render_template("mailings/unsubscribe.html", email=email, token=token, done=done, changed=False)


@bp.route("/<token>", methods=["POST"])
def unsubscribe(token: str):
    """Record the wish (the page's button, or a mail client's one-click POST)."""
    decoded = _decode(token)
    if decoded is None:
        return _invalid()
    email, mailing_id = decoded
    records = current_app.extensions["flowcase"].records(sudo=True)
    changed = record_unsubscribe(records, email, mailing_id)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("mailings/unsubscribe.html", email=email, token=token, done=True, changed=changed)
