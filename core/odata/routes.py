"""OData v4 endpoints: service document, ``$metadata``, collections, ``$count``, entities by key, writes.

Views stay thin: they build the user's model, read through the rights-limited
``Records.select``/``Records.get``, write through ``Records`` and serialise.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Response, g, request, url_for
from flask_babel import lazy_gettext as _l

from core.odata import ODataError, bp
from core.odata.metadata import metadata_xml
from core.odata.model import EntitySet, Model, build_model
from core.odata.query import (QueryError, filter_clause, int_option, order_clauses, parse_expand,
                              select_props)
from core.odata.serialize import body_values, entities_json, etag, rename_errors
from core.errors import ConflictError, ValidationError
from core.state import get_state

#: Entities per page unless ``Prefer: odata.maxpagesize`` asks for fewer.
PAGE_SIZE = 100
#: Largest page a client may ask for with ``odata.maxpagesize``.
MAX_PAGE_SIZE = 1000
_JSON = "application/json;odata.metadata=minimal"


# -- helpers ------------------------------------------------------------------------------

def _json(data, status: int = 200, headers=None) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")
    response.headers["Content-Type"] = _JSON
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def records():
    """The records service acting as the key's user."""
    return get_state().records(g.api_user)


def model() -> Model:
    """The user's model, built once per request."""
    if "odata_model" not in g:
        g.odata_model = build_model(get_state(), records())
    return g.odata_model


def service_root() -> str:
    return url_for("odata.service_document", _external=True)


def entity_set(name: str) -> EntitySet:
    found = model().get(name)
    if found is None:
        raise ODataError(404, _l("There is no entity set named “%(name)s”.", name=name))
    return found


def _query_error(error: QueryError):
    return ODataError(400, str(error), {error.target: [str(error)]} if error.target else None)


def _if_match() -> int | None:
    """The version an ``If-Match`` header demands (``W/"3"`` or ``"3"``), None for none or ``*``."""
    header = (request.headers.get("If-Match") or "").strip()
    if not header or header == "*":
        return None
    tag = header.removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise ODataError(400, _l("If-Match must be the ETag of the entity, like W/\"3\"."))
    return int(tag)


def _read_body() -> dict:
    raw = request.get_data(cache=True)  # raises 413 past request.max_content_length
    try:
        body = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError) as exc:
        raise ODataError(400, _l("The body is not valid JSON: %(error)s", error=str(exc))) from None
    if not isinstance(body, dict):
        raise ODataError(400, _l("The body must be a JSON object."))
    return body


def _prefers(token: str) -> bool:
    return token in (request.headers.get("Prefer") or "").replace(" ", "").split(",")


def _page_size() -> int:
    for part in (request.headers.get("Prefer") or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "odata.maxpagesize" and value.strip().isdigit():
            return max(1, min(int(value), MAX_PAGE_SIZE))
    return PAGE_SIZE


# -- service document and metadata ------------------------------------------------------

@bp.route("/", methods=["GET"])
def service_document():
    """The entity sets this service offers to the key's user."""
    sets = [{"name": s.name, "kind": "EntitySet", "url": s.name} for s in model().sets.values()]
    return _json({"@odata.context": service_root() + "$metadata", "value": sets})


@bp.route("/$metadata", methods=["GET"])
def metadata():
    """CSDL XML generated from the sections (fields hidden from the user left out)."""
    return Response(metadata_xml(model()), mimetype="application/xml")


# -- collections ------------------------------------------------------------------------

def _filtered(entity: EntitySet, text: str | None):
    service = records()
    service.check_listable(entity.section)  # the collection and its $count: the reason, not an empty set
    stmt = service.select(entity.section)
    if text:
        try:
            stmt = stmt.where(filter_clause(model(), entity, service, text))
        except QueryError as error:
            raise _query_error(error) from None
    return stmt


def _count(stmt, entity: EntitySet) -> int:
    counted = stmt.with_only_columns(entity.section.table.c.id).order_by(None).subquery()
    return records().session.scalar(sa.select(sa.func.count()).select_from(counted)) or 0


@bp.route("/<set_name>/$count", methods=["GET"])
def count(set_name: str):
    """How many entities match ``$filter``, as plain text."""
    entity = entity_set(set_name)
    return Response(str(_count(_filtered(entity, request.args.get("$filter")), entity)), mimetype="text/plain")


@bp.route("/<set_name>", methods=["GET"])
def collection(set_name: str):
    """Entities with ``$filter``, ``$select``, ``$expand``, ``$orderby``, ``$top``, ``$skip``, ``$count``; paged by nextLink."""
    entity = entity_set(set_name)
    stmt = _filtered(entity, request.args.get("$filter"))
    try:
        props = select_props(entity, request.args.get("$select"))
        expand = parse_expand(entity, request.args.get("$expand"))
        ordering = order_clauses(entity, request.args.get("$orderby"))
        top, skip = int_option(request.args, "$top"), int_option(request.args, "$skip") or 0
    except QueryError as error:
        raise _query_error(error) from None
    want_count = (request.args.get("$count") or "false").lower()
    if want_count not in ("true", "false"):
        raise ODataError(400, _l("$count must be true or false."), {"$count": [_l("must be true or false")]})
    page = _page_size() if top is None else min(top, _page_size())
    service = records()
    rows = list(service.session.scalars(stmt.order_by(*ordering).offset(skip).limit(page + 1)))
    more = len(rows) > page and (top is None or top > page)
    rows = rows[:page]
    body = {"@odata.context": _context(entity, request.args.get("$select"))}
    if want_count == "true":
        body["@odata.count"] = _count(stmt, entity)
    from core.odata.expand import expand_into

    items = entities_json(service.session, entity, rows, props)
    expand_into(model(), entity, service, rows, items, expand)
    body["value"] = items
    if more:
        args = {k: v for k, v in request.args.items()}
        args["$skip"] = str(skip + page)
        if top is not None:
            args["$top"] = str(top - page)
        body["@odata.nextLink"] = f"{service_root()}{entity.name}?{urlencode(args)}"
    return _json(body)


def _context(entity: EntitySet, select: str | None, single: bool = False) -> str:
    suffix = f"({select.replace(' ', '')})" if select and select.strip() != "*" else ""
    return f"{service_root()}$metadata#{entity.name}{suffix}" + ("/$entity" if single else "")


def _entity_response(entity: EntitySet, record, status: int = 200, headers=None) -> Response:
    service = records()
    try:
        props = select_props(entity, request.args.get("$select"))
        expand = parse_expand(entity, request.args.get("$expand"))
    except QueryError as error:
        raise _query_error(error) from None
    from core.odata.expand import expand_into

    item = entities_json(service.session, entity, [record], props)
    expand_into(model(), entity, service, [record], item, expand)
    body = {"@odata.context": _context(entity, request.args.get("$select"), single=True), **item[0]}
    return _json(body, status, {"ETag": etag(record), **(headers or {})})


@bp.route("/<set_name>", methods=["POST"])
def create(set_name: str):
    """Create an entity: 201 with the entity and its ``Location``."""
    entity = entity_set(set_name)
    values = body_values(model(), entity, _read_body())
    try:
        record = records().create(entity.section, values)
    except ValidationError as error:
        raise ODataError(422, str(error), rename_errors(entity, error.errors)) from None
    location = f"{service_root()}{entity.name}({record.id})"
    if _prefers("return=minimal"):
        return Response(status=204, headers={"Location": location, "OData-EntityId": location, "ETag": etag(record)})
    return _entity_response(entity, record, 201, {"Location": location})


# -- one entity -------------------------------------------------------------------------

@bp.route("/<set_name>(<int:key>)", methods=["GET"])
def get_entity(set_name: str, key: int):
    """One entity (404 when missing or hidden from the key's user); ``$select`` and ``$expand`` apply."""
    entity = entity_set(set_name)
    return _entity_response(entity, records().get(entity.section, key))


@bp.route("/<set_name>(<int:key>)", methods=["PATCH", "PUT"])
def update_entity(set_name: str, key: int):
    """Change the given properties; ``If-Match`` with a stale ETag is a 412 and nothing is written."""
    entity = entity_set(set_name)
    version = _if_match()
    values = body_values(model(), entity, _read_body())
    service = records()
    record = service.get(entity.section, key)
    if version is not None and version != record.version:
        raise ConflictError(_l("The entity was changed since this ETag; read it again."))
    try:
        record = service.update(entity.section, record, values, expected_version=version)
    except ValidationError as error:
        raise ODataError(422, str(error), rename_errors(entity, error.errors)) from None
    if _prefers("return=representation"):
        return _entity_response(entity, record)
    return Response(status=204, headers={"ETag": etag(record)})


@bp.route("/<set_name>(<int:key>)", methods=["DELETE"])
def delete_entity(set_name: str, key: int):
    """Delete an entity: 204; ``If-Match`` makes it conditional (412 when stale)."""
    entity = entity_set(set_name)
    version = _if_match()
    service = records()
    record = service.get(entity.section, key)
    if version is not None and version != record.version:
        raise ConflictError(_l("The entity was changed since this ETag; read it again."))
    service.delete(entity.section, record, expected_version=version)
    return Response(status=204)


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_path(rest: str):
    """Any other path: an OData error (405 when the path exists for another method)."""
    from core.api.methods import allowed_methods

    allowed = allowed_methods("odata.unknown_path")
    if allowed:
        raise ODataError(405, _l("This resource does not accept %(method)s.", method=request.method),
                         headers={"Allow": ", ".join(allowed)})
    raise ODataError(404, _l("There is no OData resource at this path."))
