"""OData v4 at ``/odata``: every API section as an entity set, for the key's user, through the records service.

Authentication is the REST API's (``Authorization: Bearer <key>``, see
:func:`core.api.user_from_request`); every read starts from the rights-limited
``Records.select``/``Records.get`` and every write goes through ``Records``,
so rights, record rules, column rights, validation, hooks and the change log
are those of every other door. Errors are OData JSON error objects
(``{"error": {"code", "message", "details"}}``).
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, g, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from core.errors import AccessDenied, ConflictError, RecordNotFound, ValidationError
from core.odata.query import QueryError

bp = Blueprint("odata", __name__, url_prefix="/odata")

#: Largest body OData reads, in bytes (``FLOWCASE_API_MAX_BODY`` overrides it, as for REST).
DEFAULT_MAX_BODY = 1024 * 1024


class ODataError(Exception):
    """Raised inside OData to answer with an error object."""

    def __init__(self, status: int, message, details: dict | None = None, headers=None):
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def error_response(status: int, message, details: dict | None = None, headers=None) -> Response:
    """An OData JSON error: ``{"error": {"code", "message", "details": [{"code", "target", "message"}]}}``."""
    body = {"error": {"code": str(status), "message": str(message)}}
    if details:
        body["error"]["details"] = [{"code": str(status), "target": target, "message": str(text)}
                                    for target, messages in details.items() for text in messages]
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
    response.headers["OData-Version"] = "4.0"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


@bp.before_request
def authenticate():
    """The key's user (401 otherwise); the body size cap of the API."""
    from core.api import user_from_request

    request.max_content_length = current_app.config.get("FLOWCASE_API_MAX_BODY", DEFAULT_MAX_BODY)
    user = user_from_request()
    if user is None:
        raise ODataError(401, _l("Send a valid API key as “Authorization: Bearer <key>”."),
                         headers={"WWW-Authenticate": 'Bearer realm="flowcase"'})
    g.api_user = user
    return None


@bp.after_request
def _version_header(response: Response) -> Response:
    response.headers.setdefault("OData-Version", "4.0")
    return response


@bp.errorhandler(ODataError)
def _odata_error(error: ODataError):
    return error_response(error.status, error.message, error.details, error.headers)


@bp.errorhandler(QueryError)
def _bad_query(error: QueryError):
    return error_response(400, str(error), {error.target: [str(error)]} if error.target else None)


@bp.errorhandler(ValidationError)
def _invalid(error: ValidationError):
    return error_response(422, str(error), error.errors)


@bp.errorhandler(RecordNotFound)
def _not_found(error):
    return error_response(404, str(error))


@bp.errorhandler(AccessDenied)
def _denied(error):
    return error_response(403, str(error))


@bp.errorhandler(ConflictError)
def _conflict(error):
    # Only If-Match makes a write conditional here: a lost race is a failed precondition.
    return error_response(412, str(error))


@bp.errorhandler(HTTPException)
def _http(error: HTTPException):
    return error_response(error.code or 500, error.description)


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    """A bug: the write already rolled back; clients get an error object, tests the traceback."""
    propagate = current_app.config.get("PROPAGATE_EXCEPTIONS")
    if propagate or (propagate is None and (current_app.testing or current_app.debug)):
        raise error
    current_app.logger.exception("OData request failed: %s %s", request.method, request.path)
    return error_response(500, _l("Internal server error"))


from core.odata import routes  # noqa: E402,F401  (registers the routes)
from core.odata import batch  # noqa: E402,F401  (registers POST /odata/$batch)

__all__ = ["bp", "ODataError"]
