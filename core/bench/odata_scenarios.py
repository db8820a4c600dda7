"""OData scenario of ``flowcase bench``: ``$filter`` + ``$count`` over activities beside the bare count query."""
from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa

from core.extensions import db
from core.request_session import read_connection


def odata_filter_count(ctx):
    """``GET /odata/Activity/$count?$filter=owner_id eq N and status eq 'open'`` (or why it is not available)."""
    from core.bench.rest_scenarios import _api_headers, _check, _table
    from core.bench.scenarios import Scenario

    name, title = "odata_filter_count", "OData $filter + $count: one owner's open activities"
    activity = _table("crm_activity")
    if activity is None or "activity" not in ctx.state.sections or not ctx.has_route("/odata/<set_name>/$count"):
        return Scenario(name, title, unavailable="needs the crm add-on and OData")
    headers = _api_headers(ctx)
    owner = db.session.scalar(sa.select(activity.c.owner_id).where(activity.c.owner_id.is_not(None)).limit(1))
    url = "/odata/Activity/$count?$filter=" + quote(f"owner_id eq {owner} and status eq 'open'")

    def floor():
        with read_connection(db.engine) as conn:
            return str(conn.scalar(sa.select(sa.func.count()).select_from(activity)
                                   .where(activity.c.owner_id == owner, activity.c.status == "open")))

    def run():
        return _check(ctx.client.get(url, headers=headers), 200, url)

    return Scenario(name, title, run=run, floor=floor, extra={"url": url})
