"""REST endpoints: list, get, create, partial update, delete, stage move, actions, upsert.

Views stay thin: they parse the request, call the records service as the key's
user, and serialise. Reads start from ``Records.select``/``Records.get``, so a
record the user may not see is a 404 here exactly as on the pages.
"""
from __future__ import annotations

import json
from contextlib import contextmanager

from flask import Response, g, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import scoped_session

from core.api import bp
from core.api.problems import ApiProblem
from core.api.serialize import check_body, dump_record, dump_records, parse_fields_param, writable_fields
from core.errors import AccessDenied, ConflictError, ValidationError
from core.extensions import db
from core.filters import parse_filter
from core.sections import Section
from core.state import get_state
from core.ui import list_query

#: Records per page unless ``?limit=`` asks for fewer or more.
DEFAULT_LIMIT = 50
#: The most ``?limit=`` may ask for.
MAX_LIMIT = 500
#: Query parameters with a meaning of their own; every other one is ``field=value``.
_RESERVED = {"filter", "sort", "page", "limit", "fields", "q", "count"}


# -- helpers ----------------------------------------------------------------------------

def json_response(data, status: int = 200, headers=None) -> Response:
    # Headers given to the constructor: set one by one, each would scan and lower-case the others.
    return Response(json.dumps(data, ensure_ascii=False), status=status,
                    headers=list((headers or {}).items()) or None, content_type="application/json")


def api_section(name: str) -> Section:
    """The section named in the URL if it exists and is exposed to the API, else a 404 problem."""
    sections = get_state().sections
    if name not in sections or not sections.get(name).api:
        raise ApiProblem(404, _l("There is no API section named “%(name)s”.", name=name))
    return sections.get(name)


def api_records():
    """The records service acting as the key's user, made once per request.

    It works on the request's session itself rather than through ``db.session``:
    the scoped proxy looks the session up by app context on every attribute
    (some 35 lookups of a few microseconds in one create), and it is the same
    session either way.
    """
    session, user = db.session(), g.api_user
    records = g.get("api_records")
    # ``g`` outlives the request when an app context wraps several (tests, the bench): made anew for another key check.
    if records is None or records.session is not session or records.user is not user:
        records = g.api_records = get_state().records(user).on_session(session)
    return records


def read_body() -> dict:
    """The request's JSON object; malformed JSON or a non-object is a 400, too large a 413."""
    raw = request.get_data(cache=True)  # raises 413 past request.max_content_length
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ApiProblem(400, _l("The body is not valid JSON: %(error)s", error=str(exc))) from None
    if not isinstance(body, dict):
        raise ApiProblem(400, _l("The body must be a JSON object."))
    return body


def expected_version(body: dict):
    """The optimistic-lock version from the body's ``version`` or an ``If-Match`` header, or None."""
    if "version" in body and body["version"] is not None:
        value = body["version"]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError({"version": [_l("must be a whole number")]})
        return value
    header = (request.headers.get("If-Match") or "").strip()
    if not header or header == "*":
        return None
    tag = header.removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise ApiProblem(400, _l("If-Match must be the ETag of the record, like \"3\"."))
    return int(tag)


def hidden_fields(section: Section) -> frozenset:
    """Field paths column rights hide from the key's user: absent from output, refused in queries and bodies."""
    return api_records().field_access(section).hidden


def record_response(section: Section, record, status: int = 200, hidden: frozenset | None = None,
                    infos: dict | None = None) -> Response:
    """The record as JSON with its ETag (and ``Location`` for 201); ``hidden``: column rights already looked up;
    ``infos``: the section's writable fields, when the request already listed them."""
    records = api_records()
    headers = {"ETag": f'"{record.version}"'}
    if status == 201:
        headers["Location"] = _record_url(section, record.id)
    if hidden is None:
        hidden = hidden_fields(section)
    return json_response(dump_record(records.session, section, record, hidden=hidden, infos=infos), status, headers)


def _record_url(section: Section, record_id: int) -> str:
    """``url_for("api.get_record", ...)``; from the collection's own path when the request is the section's
    collection (a create), which spares building the URL from the routing map."""
    if request.endpoint == "api.create_record" and request.view_args.get("section_name") == section.name:
        return f"{request.script_root}{request.path}/{record_id}"
    return url_for("api.get_record", section_name=section.name, record_id=record_id)


@contextmanager
def kept_after_commit(records):
    """Keep the objects a write loaded usable after its commit, for the response.

    A commit normally expires everything in the session, so answering with the
    record just written would cost a SELECT of it, another of the key's user
    (its id is read by the rights), and a reload of the rights snapshot (it is
    per transaction) — twice the statements of the write itself. The values
    are the ones this request just flushed, so nothing stale is served. Build
    the response inside the block: on leaving it, once the write's transaction
    is over, everything is expired as a commit would have, so a session that
    outlives the request (a test client inside an app context, the bench)
    reads fresh rows afterwards.
    """
    session = records.session
    if isinstance(session, scoped_session):
        session = session()
    previous = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = previous
        if records._uow.depth == 0:  # not inside a caller's transaction (an OData batch group)
            session.expire_all()


# -- collection -------------------------------------------------------------------------

def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiProblem(400, errors={name: [_l("must be a whole number")]}, where="query") from None
    if value < low:
        raise ApiProblem(400, errors={name: [_l("must be at least %(n)s", n=low)]}, where="query")
    return min(value, high)


@bp.route("/")
def index():
    """The sections this API serves, with their paths."""
    sections = [s for s in get_state().sections.all() if s.api]
    return json_response({"sections": [
        {"name": s.name, "title": str(s.title), "path": url_for("api.list_records", section_name=s.name)} for s in sections
    ], "openapi": url_for("api.openapi")})


@bp.route("/<section_name>", methods=["GET"])
def list_records(section_name: str):
    """Filtered, sorted, paged records: ``?filter=<json>``, ``?<field>=value``, ``?sort=-f``, ``?page``, ``?limit``, ``?fields``."""
    section = api_section(section_name)
    records = api_records()
    records.check_listable(section)
    limit = _int_arg("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    page = _int_arg("page", 1, 1, 1_000_000)
    hidden = hidden_fields(section)
    try:
        fields = parse_fields_param(section, request.args.get("fields"), hidden)
        args = list_query.ListArgs(q=(request.args.get("q") or "").strip(), sort=(request.args.get("sort") or "").strip())
        args.tree = parse_filter(request.args.get("filter"))
        for key in request.args:
            if key not in _RESERVED:
                values = request.args.getlist(key)
                args.simple[key] = values
        # Rights-limited, and column rights applied: hidden fields are unknown to filters, search and sort.
        stmt = list_query.filtered_select(records, section, args)
        ordering = list_query.order_by(section, args.sort)
    except ValidationError as error:
        raise ApiProblem(400, str(error), errors=error.errors, where="query") from None
    want_count = (request.args.get("count") or "true").lower() not in ("0", "false", "no")
    count, capped = list_query.capped_count(records, section, stmt) if want_count else (None, None)
    rows = list(records.session.scalars(stmt.order_by(*ordering).limit(limit + 1).offset((page - 1) * limit)))
    more = len(rows) > limit
    rows = rows[:limit]
    body = {"items": dump_records(records.session, section, rows, fields, hidden), "page": page, "limit": limit,
            "count": count, "count_capped": capped, "next": None}
    if more:
        query = {k: request.args.getlist(k) for k in request.args}
        query["page"] = [str(page + 1)]
        body["next"] = url_for("api.list_records", section_name=section.name, **query)
    return json_response(body)


@bp.route("/<section_name>", methods=["POST"])
def create_record(section_name: str):
    """Create a record from a JSON object of field paths to values: 201 with ``Location``."""
    section = api_section(section_name)
    body = read_body()
    hidden = hidden_fields(section)
    infos = writable_fields(section)  # listed once: the body's check and the response both walk them
    values = check_body(section, body, hidden=hidden, fields=infos)
    records = api_records()
    with kept_after_commit(records):
        record = records.create(section, values)
        return record_response(section, record, 201, hidden, infos)


# -- one record -------------------------------------------------------------------------

@bp.route("/<section_name>/<int:record_id>", methods=["GET"])
def get_record(section_name: str, record_id: int):
    """One record (404 when missing or hidden from the key's user); ``?fields=`` selects fields."""
    section = api_section(section_name)
    records = api_records()
    hidden = hidden_fields(section)
    try:
        fields = parse_fields_param(section, request.args.get("fields"), hidden)
    except ValidationError as error:
        raise ApiProblem(400, str(error), errors=error.errors, where="query") from None
    record = records.get(section, record_id)
    return json_response(dump_record(records.session, section, record, fields, hidden),
                         headers={"ETag": f'"{record.version}"'})


@bp.route("/<section_name>/<int:record_id>", methods=["PATCH"])
def update_record(section_name: str, record_id: int):
    """Change only the given fields; ``version`` in the body or ``If-Match`` guards against lost updates (409)."""
    section = api_section(section_name)
    body = read_body()
    version = expected_version(body)
    hidden = hidden_fields(section)
    values = check_body(section, body, ignore=("version",), hidden=hidden)
    records = api_records()
    with kept_after_commit(records):
        record = records.update(section, records.get(section, record_id), values, expected_version=version)
        return record_response(section, record, hidden=hidden)


@bp.route("/<section_name>/<int:record_id>", methods=["DELETE"])
def delete_record(section_name: str, record_id: int):
    """Delete a record: 204; ``If-Match`` makes it conditional."""
    section = api_section(section_name)
    version = expected_version({})
    api_records().delete(section, record_id, expected_version=version)
    return Response(status=204)


@bp.route("/<section_name>/<int:record_id>/stage", methods=["POST"])
def move_stage(section_name: str, record_id: int):
    """Move a record to ``{"stage": value}``; stage hooks may refuse (422) and nothing is written."""
    section = api_section(section_name)
    body = read_body()
    version = expected_version(body)
    if not section.stage_field:
        raise ApiProblem(409, _l("%(section)s records have no stages", section=section.title))
    unknown = set(body) - {"stage", "version"}
    if unknown or "stage" not in body:
        errors = {key: [_l("unknown field")] for key in sorted(unknown)}
        if "stage" not in body:
            errors["stage"] = [_l("is required")]
        raise ValidationError(errors)
    try:
        check_body(section, {section.stage_field: body["stage"]})
    except ValidationError as error:
        raise ValidationError({"stage": error.errors[section.stage_field]}) from None
    records = api_records()
    record = records.set_stage(section, records.get(section, record_id), body["stage"], expected_version=version)
    return record_response(section, record)


@bp.route("/<section_name>/<int:record_id>/actions/<action_name>", methods=["POST"])
def run_action(section_name: str, record_id: int, action_name: str):
    """Run a named action (``flowcase_register_actions``) on a record, in one transaction, as the key's user.

    The body may hold ``params`` (an object passed as keyword arguments) and ``version``.
    """
    section = api_section(section_name)
    body = read_body()
    action = get_state().actions.get(action_name)
    if action is None:
        raise ApiProblem(404, _l("There is no action named “%(name)s”.", name=action_name))
    unknown = set(body) - {"params", "version"}
    if unknown:
        raise ValidationError({key: [_l("unknown field")] for key in sorted(unknown)})
    params = body.get("params") or {}
    if not isinstance(params, dict):
        raise ValidationError({"params": [_l("must be an object")]})
    version = expected_version(body)
    records = api_records()
    record = records.get(section, record_id)
    if not records.can(section, "update", record):
        raise AccessDenied(_l("You may not %(operation)s %(section)s records", operation="update", section=section.title))
    if version is not None and version != record.version:
        raise ConflictError(_l("This %(section)s was changed by someone else; reload it first.", section=section.title))
    try:
        with records.transaction():
            result = action(records, section, record, **params)
    except (TypeError, KeyError) as exc:
        # Wrong or missing parameters: the client's mistake, and the transaction rolled back.
        raise ValidationError({"params": [_l("the action did not accept these parameters: %(error)s", error=str(exc))]}) from None
    records.session.refresh(record)
    payload = {"record": dump_record(records.session, section, record, hidden=hidden_fields(section))}
    if isinstance(result, (str, int, float, bool, list, dict)):
        payload["result"] = result
    return json_response(payload)


# -- upsert by external id --------------------------------------------------------------

@bp.route("/<section_name>/by-external-id/<source>/<path:external_id>", methods=["PUT"])
def upsert_record(section_name: str, source: str, external_id: str):
    """Create or update the record an outside system knows by ``source`` + ``external_id`` (idempotent)."""
    from core.api.upsert import upsert

    section = api_section(section_name)
    body = read_body()
    hidden = hidden_fields(section)
    values = check_body(section, body, ignore=("version",), hidden=hidden)
    records = api_records()
    with kept_after_commit(records):
        record, created = upsert(records, section, source, external_id, values)
        return record_response(section, record, 201 if created else 200, hidden)


@bp.route("/<section_name>/by-external-id/<source>/<path:external_id>", methods=["GET"])
def get_by_external_id(section_name: str, source: str, external_id: str):
    """The record an outside system knows by ``source`` + ``external_id``."""
    from core.api.upsert import find_ref

    section = api_section(section_name)
    records = api_records()
    ref = find_ref(records.session, section, source, external_id)
    if ref is None or ref.record_id is None:
        raise ApiProblem(404, _l("No %(section)s has the external id %(source)s/%(id)s.",
                                 section=section.title, source=source, id=external_id))
    record = records.get(section, ref.record_id)
    return json_response(dump_record(records.session, section, record, hidden=hidden_fields(section)), headers={"ETag": f'"{record.version}"'})


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API, generated from the sections."""
    from core.api.openapi import build_openapi

    return json_response(build_openapi(get_state(), url_for("api.index")))


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_path(rest: str):
    """Any other path under /api/v1: a problem document rather than the pages' HTML 404 (405 for a wrong method)."""
    from core.api.methods import allowed_methods

    allowed = allowed_methods("api.unknown_path")
    if allowed:
        raise ApiProblem(405, _l("This resource does not accept %(method)s.", method=request.method),
                         headers={"Allow": ", ".join(allowed)})
    raise ApiProblem(404, _l("There is no API resource at this path."))

