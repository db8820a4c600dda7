"""The OpenAPI 3.1 document of the REST API, generated from the app's sections.

Built as a plain dict: the sections already are the schema, so apispec (whose
strength is turning marshmallow schemas and docstrings into paths) would add a
dependency without removing code.
"""
from __future__ import annotations

from core.api.serialize import readable_paths, writable_fields

_SCHEMA_TYPES = {
    "string": {"type": "string"},
    "text": {"type": "string"},
    "integer": {"type": "integer"},
    "lookup": {"type": "integer"},
    "decimal": {"type": "string", "format": "decimal"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "json": {},
}
_SYSTEM = {
    "id": {"type": "integer", "readOnly": True},
    "version": {"type": "integer", "readOnly": True, "description": "Optimistic-lock version; send it back to PATCH."},
    "created_at": {"type": "string", "format": "date-time", "readOnly": True},
    "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
    "created_by_id": {"type": ["integer", "null"], "readOnly": True},
    "updated_by_id": {"type": ["integer", "null"], "readOnly": True},
}


def _field_schema(info) -> dict:
    if info.type == "choice":
        allowed = list(getattr(info.column.type, "enums", []) or []) if info.column is not None else []
        allowed = allowed or list(getattr(info, "options", ()) or ())
        schema = {"type": "string", "enum": [*allowed, None]} if allowed else {"type": "string"}
    else:
        schema = dict(_SCHEMA_TYPES.get(info.type, {"type": "string"}))
    if "type" in schema and not info.required:
        schema["type"] = [schema["type"], "null"]
    length = getattr(getattr(info.column, "type", None), "length", None) if info.column is not None else None
    if info.type in ("string", "text") and length:
        schema["maxLength"] = length
    schema["title"] = str(info.label)
    if info.lookup:
        schema["description"] = f"id of a record of table {info.lookup}"
    return schema


def _schemas(section) -> dict:
    fields = writable_fields(section)
    props = {path: _SYSTEM[path] for path in readable_paths(section) if path in _SYSTEM}
    props.update({path: _field_schema(info) for path, info in fields.items()})
    write_props = {path: _field_schema(info) for path, info in fields.items()}
    return {
        _name(section): {"type": "object", "title": str(section.title), "properties": props},
        _name(section) + "Write": {
            "type": "object", "properties": write_props, "additionalProperties": False,
            "required": [p for p, info in fields.items() if info.required],
        },
        _name(section) + "Patch": {
            "type": "object", "additionalProperties": False,
            "properties": {**write_props, "version": {"type": "integer"}},
        },
    }


def _name(section) -> str:
    return "".join(part.capitalize() for part in section.name.split("_"))


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _paths(section) -> dict:
    name, tag = _name(section), section.name
    problems = {code: {"$ref": f"#/components/responses/{label}"} for code, label in (
        ("400", "BadRequest"), ("401", "Unauthorized"), ("404", "NotFound"), ("409", "Conflict"),
        ("413", "TooLarge"), ("422", "Invalid"))}
    one = {"200": {"description": "The record", "content": _json(_ref(name))}, **problems}
    record_id = {"name": "record_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    page = {"type": "object", "properties": {
        "items": {"type": "array", "items": _ref(name)}, "page": {"type": "integer"}, "limit": {"type": "integer"},
        "count": {"type": ["integer", "null"]}, "count_capped": {"type": ["boolean", "null"]},
        "next": {"type": ["string", "null"]}}}
    query = [
        {"name": "filter", "in": "query", "schema": {"type": "string"}, "description": "A filter tree as JSON (the shared filter language)."},
        {"name": "sort", "in": "query", "schema": {"type": "string"}, "description": "A field, or -field for descending."},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
        {"name": "fields", "in": "query", "schema": {"type": "string"}, "description": "Comma-separated fields to return."},
        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Search text."},
        {"name": "count", "in": "query", "schema": {"type": "boolean"}},
    ]
    base = f"/{section.name}"
    return {
        base: {
            "get": {"tags": [tag], "operationId": f"list_{tag}", "parameters": query,
                    "responses": {"200": {"description": "A page of records", "content": _json(page)}, **problems}},
            "post": {"tags": [tag], "operationId": f"create_{tag}", "requestBody": {"required": True, "content": _json(_ref(name + "Write"))},
                     "responses": {"201": {"description": "Created", "content": _json(_ref(name))}, **problems}},
        },
        f"{base}/{{record_id}}": {
            "parameters": [record_id],
            "get": {"tags": [tag], "operationId": f"get_{tag}", "responses": one},
            "patch": {"tags": [tag], "operationId": f"update_{tag}", "requestBody": {"required": True, "content": _json(_ref(name + "Patch"))},
                      "responses": one},
            "delete": {"tags": [tag], "operationId": f"delete_{tag}", "responses": {"204": {"description": "Deleted"}, **problems}},
        },
        f"{base}/{{record_id}}/stage": {
            "parameters": [record_id],
            "post": {"tags": [tag], "operationId": f"stage_{tag}", "requestBody": {"required": True, "content": _json({
                "type": "object", "required": ["stage"], "properties": {"stage": {}, "version": {"type": "integer"}}})},
                "responses": one},
        },
        f"{base}/{{record_id}}/actions/{{action}}": {
            "parameters": [record_id, {"name": "action", "in": "path", "required": True, "schema": {"type": "string"}}],
            "post": {"tags": [tag], "operationId": f"action_{tag}", "requestBody": {"content": _json({
                "type": "object", "properties": {"params": {"type": "object"}, "version": {"type": "integer"}}})},
                "responses": {"200": {"description": "The record after the action"}, **problems}},
        },
        f"{base}/by-external-id/{{source}}/{{external_id}}": {
            "parameters": [{"name": "source", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "external_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "put": {"tags": [tag], "operationId": f"upsert_{tag}", "requestBody": {"required": True, "content": _json(_ref(name + "Patch"))},
                    "responses": {**one, "201": {"description": "Created", "content": _json(_ref(name))}}},
            "get": {"tags": [tag], "operationId": f"get_{tag}_by_external_id", "responses": one},
        },
    }


def build_openapi(state, server_url: str) -> dict:
    """The whole document for the sections exposed to the API."""
    problem = {"type": "object", "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "pointer": {"type": "string"}, "detail": {"type": "string"}}}}}}
    responses = {label: {"description": label, "content": {"application/problem+json": {"schema": _ref("Problem")}}}
                 for label in ("BadRequest", "Unauthorized", "NotFound", "Conflict", "TooLarge", "Invalid")}
    schemas, paths, tags = {"Problem": problem}, {}, []
    for section in state.sections.all():
        if not section.api:
            continue
        schemas.update(_schemas(section))
        paths.update(_paths(section))
        tags.append({"name": section.name, "description": str(section.title_plural)})
    return {
        "openapi": "3.1.0",
        "info": {"title": "Flowcase REST API", "version": "1"},
        "servers": [{"url": server_url.rstrip("/")}],
        "security": [{"apiKey": []}],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": responses,
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                           "description": "An API key made with `flowcase apikey create USER`."}},
        },
    }
