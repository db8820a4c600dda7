"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the API answers has ``type``, ``title``, ``status`` and ``detail``;
validation errors add ``errors``: one ``{"field", "pointer", "detail"}`` per
message, ``pointer`` being a JSON Pointer into the request body (or the query
parameter's name for query mistakes).
"""
from __future__ import annotations

import json

from flask import Response
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError

PROBLEM_TYPE = "about:blank"
#: Titles of the statuses the API answers with, translated for ``detail``-less problems.
TITLES = {
    400: _l("Bad request"),
    401: _l("Authentication required"),
    403: _l("Forbidden"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Request body too large"),
    415: _l("Unsupported media type"),
    422: _l("Invalid values"),
    500: _l("Internal server error"),
}


class ApiProblem(Exception):
    """Raised inside the API to answer with a problem document."""

    def __init__(self, status: int, detail=None, errors: dict | None = None, where: str = "body", headers=None):
        super().__init__(str(detail or TITLES.get(status, "")))
        self.status = status
        self.detail = detail
        self.errors = errors or {}
        self.where = where
        self.headers = headers or {}


def _pointer(field: str, where: str) -> str:
    if where == "query":
        return field
    return "#/" + field.replace("~", "~0").replace("/", "~1") if field else "#"


def problem_response(status: int, detail=None, errors: dict | None = None, where: str = "body", headers=None) -> Response:
    """A ``application/problem+json`` response."""
    body = {"type": PROBLEM_TYPE, "title": str(TITLES.get(status, "Error")), "status": status}
    if detail is not None:
        body["detail"] = str(detail)
    if errors:
        body["errors"] = [
            {"field": field, "pointer": _pointer(field, where), "detail": str(message)}
            for field, messages in errors.items() for message in messages
        ]
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def validation_problem(error: ValidationError, status: int = 422, where: str = "body") -> Response:
    """A problem carrying each field's messages of a :class:`ValidationError`."""
    return problem_response(status, str(error), errors=error.errors, where=where)
