"""``/forms/<slug>`` (the form page) and ``/forms/<slug>/submit`` (posted from any allowed origin).

Submissions are JSON or form-encoded. Refusals are JSON ``{"error": ..., "errors": {...}}``
with a 4xx status, written before anything is stored; a plain HTML form post
from a browser gets the form page back with the messages instead, or the
success redirect or message.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, render_template, request
from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.state import get_state
from core.webforms import guard
from core.webforms.guard import HONEYPOT, Refusal
from core.webforms.models import WebForm
from core.webforms.spec import parse_origins
from core.webforms.submit import create_from_submission, form_fields

bp = Blueprint("webforms", __name__, url_prefix="/forms")


def _active_form(slug: str) -> WebForm | None:
    return db.session.scalars(sa.select(WebForm).where(WebForm.slug == slug, WebForm.active.is_(True))).first()


def _json(data, status: int, origin: str | None = None) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")
    return _cors(response, origin)


def _cors(response: Response, origin: str | None) -> Response:
    response.headers["Vary"] = "Origin"
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


def _wants_html() -> bool:
    """A browser posting the form page itself (not a script): answer with pages, not JSON."""
    return request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") and \
        request.accept_mimetypes.accept_html and not request.accept_mimetypes.accept_json


def _payload(body: bytes) -> dict:
    """The submitted values as ``{name: str}`` (JSON object or form-encoded); malformed input is a 400."""
    if request.mimetype == "application/json":
        try:
            data = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            raise Refusal(400, _l("The submission is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise Refusal(400, _l("The submission must be a JSON object of field values."))
        if any(isinstance(v, (dict, list)) for v in data.values()):
            raise Refusal(400, _l("Field values must be text, numbers or true/false."))
        return data
    if request.mimetype in ("application/x-www-form-urlencoded", ""):
        try:
            parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise Refusal(400, _l("The submission is not valid UTF-8.")) from None
        return {key: values[-1] for key, values in parsed.items()}
    raise Refusal(415, _l("Send the form as JSON or form-encoded."))


@bp.get("/<slug>")
def form_page(slug: str):
    """The form as a page of this site (landing pages may link or frame-embed it instead of the snippet)."""
    form = _active_form(slug)
    if form is None:
        abort(404)
    return render_template("webforms/form.html", form=form, fields=form_fields(form), honeypot=HONEYPOT,
                           errors={}, values={})


@bp.route("/<slug>/submit", methods=["OPTIONS"])
def preflight(slug: str):
    """CORS preflight: allowed origins get the headers, others a 403 without them."""
    form = _active_form(slug)
    if form is None:
        return _json({"error": str(_l("This form is not available."))}, 404)
    try:
        origin = guard.check_origin(parse_origins(form.allowed_origins))
    except Refusal as refusal:
        return _json({"error": str(refusal.message)}, refusal.status)
    response = _cors(Response(status=204), origin)
    response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


@bp.post("/<slug>/submit")
def submit(slug: str):
    """Accept one submission: origin, size, honeypot, rate, then the record; JSON 201 or a 4xx refusal."""
    form = _active_form(slug)
    if form is None:
        return _json({"error": str(_l("This form is not available."))}, 404)
    origin, payload, html = None, {}, _wants_html()
    try:
        origin = guard.check_origin(parse_origins(form.allowed_origins))
        # Every attempt counts, bots' and oversized ones too: the limit is what stops a flood.
        guard.check_rate(db.session, form.id, guard.client_ip())
        payload = _payload(guard.read_limited_body())
        guard.check_field_sizes(payload)
        guard.check_honeypot(payload)
        record = create_from_submission(get_state(), db.session, form, payload)
    except Refusal as refusal:
        db.session.rollback()
        if html and refusal.status == 422:
            return render_template("webforms/form.html", form=form, fields=form_fields(form), honeypot=HONEYPOT,
                                   errors=refusal.errors, values=payload), 422
        body = {"error": str(refusal.message)}
        if refusal.errors:
            body["errors"] = {k: [str(m) for m in v] for k, v in refusal.errors.items()}
        return _json(body, refusal.status, origin)
    if html:
        if form.success_url:
            return redirect(form.success_url, 303)
        return render_template("webforms/success.html", form=form)
    body = {"ok": True, "id": record.id, "message": form.success_message or str(_l("Thank you! We will contact you soon."))}
    if form.success_url:
        body["redirect"] = form.success_url
    return _json(body, 201, origin)
