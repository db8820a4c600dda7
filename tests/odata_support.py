"""Shared helpers of the OData tests: a test client speaking to /odata with one key."""
from __future__ import annotations

import json


class OData:
    """Requests to /odata with ``Authorization: Bearer <key>``."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body=None, headers=None, **kwargs):
        data = json.dumps(body) if body is not None else None
        return self.client.open(f"/odata{path}", method=method, data=data, content_type="application/json",
                                headers={**self.headers, **(headers or {})}, **kwargs)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)
