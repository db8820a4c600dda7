"""The REST JSON API at ``/api/v1``: every section with ``api=True``, authenticated by API key.

Requests carry ``Authorization: Bearer <key>``; the key's user acts through
the records service, so rights, validation, hooks and the change log are the
pages' own. No cookie is ever read here, which is why CSRF does not apply.
Errors are RFC 9457 problem documents (:mod:`core.api.problems`).
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, request
from werkzeug.exceptions import HTTPException

from core.errors import AccessDenied, ConflictError, RecordNotFound, ValidationError
from core.api.problems import ApiProblem, problem_response, validation_problem

#: Largest JSON body the API reads, in bytes (``FLOWCASE_API_MAX_BODY`` overrides it).
DEFAULT_MAX_BODY = 1024 * 1024

bp = Blueprint("api", __name__, url_prefix="/api/v1")
#: Paths served without a key: the API's description.
_PUBLIC_ENDPOINTS = {"api.openapi"}


def user_from_request():
    """The active user whose key the request's ``Authorization: Bearer`` header carries, or None.

    Shared by every door that authenticates by API key (``/api/v1``, ``/odata``).
    """
    from core.api.keys import user_for_token

    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    return user_for_token(token.strip()) if scheme.lower() == "bearer" else None


@bp.before_request
def authenticate():
    """Resolve the key to its user (401 otherwise) and cap the body size for this request."""
    request.max_content_length = current_app.config.get("FLOWCASE_API_MAX_BODY", DEFAULT_MAX_BODY)
    if request.endpoint in _PUBLIC_ENDPOINTS:
        return None
    user = user_from_request()
    if user is None:
        from flask_babel import lazy_gettext as _l

        raise ApiProblem(401, _l("Send a valid API key as “Authorization: Bearer <key>”."),
                         headers={"WWW-Authenticate": 'Bearer realm="flowcase"'})
    g.api_user = user
    return None


@bp.errorhandler(ApiProblem)
def _problem(error: ApiProblem):
    return problem_response(error.status, error.detail, error.errors, error.where, error.headers)


@bp.errorhandler(ValidationError)
def _invalid(error: ValidationError):
    return validation_problem(error)


@bp.errorhandler(RecordNotFound)
def _not_found(error):
    return problem_response(404, str(error))


@bp.errorhandler(AccessDenied)
def _denied(error):
    return problem_response(403, str(error))


@bp.errorhandler(ConflictError)
def _conflict(error):
    return problem_response(409, str(error))


@bp.errorhandler(HTTPException)
def _http(error: HTTPException):
    return problem_response(error.code or 500, error.description)


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    """A bug: the write already rolled back; clients get a problem document, tests the traceback."""
    propagate = current_app.config.get("PROPAGATE_EXCEPTIONS")
    if propagate or (propagate is None and (current_app.testing or current_app.debug)):
        raise error
    current_app.logger.exception("API request failed: %s %s", request.method, request.path)
    return problem_response(500)


from core.api import routes  # noqa: E402,F401  (registers the routes)

__all__ = ["bp"]
