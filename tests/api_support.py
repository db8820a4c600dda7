"""Shared helpers of the REST API tests: users with keys, authorised requests."""
from __future__ import annotations

import json

from core.api.keys import create_key
from core.users import create_user


def user_with_key(login: str, superuser: bool = False) -> tuple[int, str]:
    """Create a user and an API key for them (inside an app context); returns ``(user_id, token)``."""
    user = create_user(login, login + "-pw", superuser=superuser)
    _, token = create_key(user, f"{login} key")
    return user.id, token


class Api:
    """A test client speaking to /api/v1 with one key."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body=None, raw: bytes | None = None, headers=None, **kwargs):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return self.client.open(f"/api/v1{path}", method=method, data=data, content_type="application/json",
                                headers={**self.headers, **(headers or {})}, **kwargs)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)
