"""The session cookie is neither opened nor written on the doors that authenticate by API key.

``/api/v1`` and ``/odata`` act as the key's user and never read the session,
yet Flask verifies and decodes the signed cookie of every request before any
view runs; a client that also holds a page login (a browser, the test client)
paid for that on every call. Those paths get a fresh, empty session instead,
and it is never saved, so an API call leaves the page login's cookie as it was.
"""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


def is_key_door(path: str) -> bool:
    """Whether ``path`` is served by API key only (see :func:`core.api.user_from_request`)."""
    return path.startswith("/api/") or path == "/odata" or path.startswith("/odata/")


class KeyDoorSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, left alone on requests to the API-key doors."""

    def open_session(self, app, request):
        """An empty session for the key doors; the signed cookie's contents elsewhere."""
        if is_key_door(request.path):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        """Nothing for the key doors (their session was never read); the signed cookie elsewhere."""
        from flask import request

        if is_key_door(request.path):
            return None
        return super().save_session(app, session, response)
