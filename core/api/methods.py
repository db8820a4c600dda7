"""Which methods a path answers, for 405 replies from a blueprint's catch-all route."""
from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import HTTPException

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(catch_all: str) -> list[str]:
    """Methods other routes than ``catch_all`` accept at the request's path (empty: the path does not exist)."""
    adapter = current_app.create_url_adapter(request)
    allowed = []
    for method in _METHODS:
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != catch_all:
            allowed.append(method)
    return allowed
