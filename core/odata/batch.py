"""``POST /odata/$batch`` in the JSON format of OData 4.01 (``{"requests": [...]}`` → ``{"responses": [...]}``).

Each request of the batch (``id``, ``method``, ``url`` relative to the service
root, optional ``headers``, ``body``, ``atomicityGroup``, ``dependsOn``) is run
through this same application as its own request, with the batch's
``Authorization``: every rule of the single requests (rights, validation,
hooks, change log, ETags) applies unchanged, because it is the same code.

- Requests without an ``atomicityGroup`` commit on their own, in order.
- The requests of one atomicity group run in one transaction: their writes
  nest as savepoints inside it, and the first failure rolls the whole group
  back; that request keeps its error and the others of the group answer
  ``424 Failed Dependency``.
- ``dependsOn`` names earlier requests (or groups); when one of them failed,
  the dependent request is not run and answers 424.
- A ``url`` may start with ``$<id>`` of an earlier request that created an
  entity: it stands for that entity (``$1/...`` or just ``$1``), and a body's
  ``...@odata.bind`` value may too.

Errors in the batch document itself (not JSON, no ``requests`` list, an
unknown method, a duplicate id, a ``dependsOn`` on a later request, more than
:data:`MAX_REQUESTS`) are a 400 for the whole batch and nothing runs.
"""
from __future__ import annotations

import json
import re

from flask import Response, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.test import EnvironBuilder, run_wsgi_app

from core.odata import ODataError, bp

#: Requests one batch may hold.
MAX_REQUESTS = 100
_METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}
_REFERENCE = re.compile(r"^\$([A-Za-z0-9_.:-]+)")
#: Response headers passed on to the batch's responses.
_KEPT_HEADERS = ("Location", "ETag", "OData-EntityId", "Content-Type", "Allow")


class _GroupFailed(Exception):
    """Unwinds an atomicity group's transaction after one of its requests failed."""


def _problem(message) -> ODataError:
    return ODataError(400, message)


def _parse() -> list[dict]:
    raw = request.get_data(cache=True)
    try:
        document = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError) as exc:
        raise _problem(_l("The batch is not valid JSON: %(error)s", error=str(exc))) from None
    if not isinstance(document, dict) or not isinstance(document.get("requests"), list):
        raise _problem(_l("A JSON batch is an object with a “requests” list."))
    items = document["requests"]
    if len(items) > MAX_REQUESTS:
        raise _problem(_l("A batch may hold at most %(n)s requests.", n=MAX_REQUESTS))
    seen: set[str] = set()
    groups: set[str] = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _problem(_l("Request %(n)s of the batch is not an object.", n=index + 1))
        rid, method, url = item.get("id"), str(item.get("method") or "").upper(), item.get("url")
        if not isinstance(rid, str) or not rid or rid in seen:
            raise _problem(_l("Every request of the batch needs its own “id” (a string); request %(n)s has none or a repeated one.",
                              n=index + 1))
        if method not in _METHODS:
            raise _problem(_l("Request “%(id)s”: the method must be one of %(methods)s.", id=rid,
                              methods=", ".join(sorted(_METHODS))))
        if not isinstance(url, str) or not url or "$batch" in url or "://" in url:
            raise _problem(_l("Request “%(id)s”: “url” must be a path relative to the service root.", id=rid))
        headers = item.get("headers") or {}
        if not isinstance(headers, dict):
            raise _problem(_l("Request “%(id)s”: “headers” must be an object.", id=rid))
        depends = item.get("dependsOn") or []
        if not isinstance(depends, list) or any(d not in seen and d not in groups for d in depends):
            raise _problem(_l("Request “%(id)s”: “dependsOn” may only name earlier requests or groups.", id=rid))
        group = item.get("atomicityGroup")
        if group is not None and (not isinstance(group, str) or (group in groups and items[index - 1].get("atomicityGroup") != group)):
            raise _problem(_l("Request “%(id)s”: the requests of an atomicity group must be adjacent.", id=rid))
        item["method"], item["dependsOn"], item["headers"] = method, depends, headers
        seen.add(rid)
        if group is not None:
            groups.add(group)
    return items


def _resolve(url: str, created: dict[str, str]) -> str:
    """``$1/x`` → ``Contact(7)/x`` when request 1 created ``Contact(7)``; other URLs unchanged."""
    match = _REFERENCE.match(url)
    if match and match.group(1) in created:
        return created[match.group(1)] + url[match.end():]
    return url.lstrip("/")


def _resolve_body(body, created: dict[str, str]):
    if not isinstance(body, dict):
        return body
    return {key: (_resolve(value, created) if key.endswith("@odata.bind") and isinstance(value, str) else value)
            for key, value in body.items()}


def _run_one(item: dict, created: dict[str, str], root: str) -> dict:
    """Run one request of the batch through the application; its response as a batch entry."""
    path = _resolve(item["url"], created)
    headers = {key: value for key, value in item["headers"].items() if isinstance(value, str)}
    headers["Authorization"] = request.headers.get("Authorization", "")
    body = item.get("body")
    builder = EnvironBuilder(
        path=f"{root}{path.split('?', 1)[0]}", query_string=path.split("?", 1)[1] if "?" in path else None,
        method=item["method"], headers=headers, base_url=request.host_url,
        data=json.dumps(_resolve_body(body, created)) if body is not None else None,
        content_type="application/json" if body is not None else None,
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    app_iter, status, response_headers = run_wsgi_app(current_app.wsgi_app, environ, buffered=True)
    try:
        raw = b"".join(app_iter)
    finally:
        getattr(app_iter, "close", lambda: None)()
    code = int(status.split(" ", 1)[0])
    entry = {"id": item["id"], "status": code,
             "headers": {key: value for key, value in response_headers.items() if key in _KEPT_HEADERS}}
    if raw:
        try:
            entry["body"] = json.loads(raw)
        except ValueError:
            entry["body"] = raw.decode("utf-8", errors="replace")
    location = response_headers.get("Location")
    if location and code in (200, 201, 204) and item["method"] == "POST":
        created[item["id"]] = location.split(root, 1)[-1] if root in location else location
    return entry


def _failed_dependency(item: dict) -> dict:
    return {"id": item["id"], "status": 424, "body": {"error": {
        "code": "424", "message": str(_l("Not run: a request it depends on failed."))}}}


@bp.route("/$batch", methods=["POST"])
def batch():
    """Run a JSON batch; answers 200 with one response per request, in order."""
    from core.odata.routes import records

    items = _parse()
    root = request.path.rsplit("$batch", 1)[0]  # "/odata/"
    created: dict[str, str] = {}
    failed: set[str] = set()
    responses: list[dict] = []
    index = 0
    while index < len(items):
        group = items[index].get("atomicityGroup")
        members = [items[index]]
        while group is not None and index + len(members) < len(items) and \
                items[index + len(members)].get("atomicityGroup") == group:
            members.append(items[index + len(members)])
        index += len(members)
        if group is None:
            item = members[0]
            entry = _failed_dependency(item) if set(item["dependsOn"]) & failed else _run_one(item, created, root)
            if entry["status"] >= 400:
                failed.add(item["id"])
            responses.append(entry)
            continue
        responses.extend(_run_group(records(), group, members, created, failed, root))
    return Response(json.dumps({"responses": responses}, ensure_ascii=False, default=str), status=200,
                    mimetype="application/json")


def _run_group(service, group: str, members: list[dict], created: dict, failed: set, root: str) -> list[dict]:
    """All of the group or nothing: its requests share one transaction, rolled back at the first failure."""
    entries: list[dict] = []
    before = dict(created)
    try:
        with service.transaction():
            for item in members:
                if set(item["dependsOn"]) & failed:
                    entries.append(_failed_dependency(item))
                    raise _GroupFailed
                entry = _run_one(item, created, root)
                entries.append(entry)
                if entry["status"] >= 400:
                    raise _GroupFailed
    except _GroupFailed:
        created.clear()
        created.update(before)
        failed.update(item["id"] for item in members)
        failed.add(group)
        culprit = entries[-1]
        return [culprit if item["id"] == culprit["id"] else _failed_dependency(item) for item in members]
    return entries
