"""REST API scenarios of ``flowcase bench``: list, single get, and create throughput, each beside its floor."""
from __future__ import annotations

import itertools
import json
import time

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from core.request_session import read_connection

#: Contacts one measured run of ``rest_create`` posts; the report turns it into records/s.
CREATE_BATCH = 20


def _api_headers(ctx) -> dict:
    """A key for the bench user, made once per bench context."""
    token = getattr(ctx, "_api_token", None)
    if token is None:
        from core.api.keys import create_key

        _, token = create_key(ctx.user, "bench")
        ctx._api_token = token
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _table(name: str):
    return sa.Table(name, sa.MetaData(), autoload_with=db.engine) if sa.inspect(db.engine).has_table(name) else None


def _check(response, status: int, url: str):
    if response.status_code != status:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.get_data(as_text=True)[:200]}")
    return response.data


def _dedup_rule_on_email() -> None:
    """An active duplicate rule on the contact's email, so ``rest_create`` pays for the duplicate check.

    ``warn``: every posted email is new, so nothing is refused, but each create
    looks its key up and stores it, as in production with a rule on.
    """
    from core.models.dedup import DedupRule

    if not db.session.scalar(sa.select(DedupRule.id).where(DedupRule.section == "contact",
                                                            DedupRule.name == "bench email")):
        db.session.add(DedupRule(section="contact", name="bench email", fields=[{"path": "email", "normalize": "email"}],
                                 action="warn", active=True))
        db.session.commit()


def _analyze_dedup_keys() -> None:
    """Fresh planner statistics of the duplicate keys on PostgreSQL, as autovacuum keeps them in production.

    The bench database is reused and each run stores more keys; with autovacuum off
    (as on the bench server) the planner kept the statistics of an empty table and
    looked a key up through the (section, record) index, filtering every key of the
    section: 0.8 ms per create at 2,000 keys, growing with each run.
    """
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE core_dedup_key"))


def rest_scenarios(ctx) -> list:
    """``rest_list``, ``rest_get``, ``rest_create`` (or why they are not available)."""
    from core.bench.scenarios import Scenario
    from core.bench.server_scenario import server_scenario

    titles = {"rest_list": "REST list: owner + open activities by due date, 50 per page",
              "rest_get": "REST single get of an account",
              "rest_create": f"REST create of contacts, {CREATE_BATCH} per run, email dedup rule on (records/s)"}
    activity, account, contact = _table("crm_activity"), _table("crm_account"), _table("crm_contact")
    if activity is None or "activity" not in ctx.state.sections or not ctx.has_route("/api/v1/<section_name>"):
        return [Scenario(name, title, unavailable="needs the crm add-on and the REST API")
                for name, title in (*titles.items(), ("rest_create_server", "REST create over HTTP (gunicorn)"))]
    headers = _api_headers(ctx)
    _dedup_rule_on_email()
    _analyze_dedup_keys()
    owner = db.session.scalar(sa.select(activity.c.owner_id).where(activity.c.owner_id.is_not(None)).limit(1))
    list_url = f"/api/v1/activity?owner_id={owner}&status=open&sort=due_date&limit=50"
    columns = [c for c in activity.c if c.key != "custom"]

    def list_floor():
        with read_connection(db.engine) as conn:
            rows = conn.execute(sa.select(*columns).where(activity.c.owner_id == owner, activity.c.status == "open")
                                .order_by(activity.c.due_date, activity.c.id).limit(50)).mappings().all()
        return json.dumps([dict(r) for r in rows], default=str)

    account_id = db.session.scalar(sa.select(account.c.id).order_by(account.c.id.desc()).limit(1))
    get_url = f"/api/v1/account/{account_id}"

    def get_floor():
        with read_connection(db.engine) as conn:
            row = conn.execute(sa.select(account).where(account.c.id == account_id)).mappings().first()
        return json.dumps(dict(row), default=str)

    # Numbers new to this database (the bench reuses it between runs), so the email rule never matches.
    counter = itertools.count(int(time.time() * 10) % 10**9 * 100)

    def create_run():
        for _ in range(CREATE_BATCH):
            n = next(counter)
            body = json.dumps({"first_name": "Bench", "last_name": f"Contact {n}", "email": f"bench{n}@example.com",
                               "phone": f"+7 900 {n % 1000:03d}-{n % 100:02d}-00"})
            _check(ctx.client.post("/api/v1/contact", data=body, headers=headers), 201, "POST /api/v1/contact")

    def create_floor():
        # The least work that stores as many rows: a bare Core INSERT and commit per record.
        for _ in range(CREATE_BATCH):
            n = next(counter)
            with db.engine.begin() as conn:
                conn.execute(sa.insert(contact).values(
                    first_name="Floor", last_name=f"Contact {n}", name=f"Floor Contact {n}", version=1, custom={},
                    created_at=utcnow(), updated_at=utcnow()))

    return [
        Scenario("rest_list", titles["rest_list"], run=lambda: _check(ctx.client.get(list_url, headers=headers), 200, list_url),
                 floor=list_floor, extra={"url": list_url}),
        Scenario("rest_get", titles["rest_get"], run=lambda: _check(ctx.client.get(get_url, headers=headers), 200, get_url),
                 floor=get_floor, extra={"url": get_url}),
        Scenario("rest_create", titles["rest_create"], run=create_run, floor=create_floor,
                 extra={"url": "/api/v1/contact", "records_per_run": CREATE_BATCH}),
        server_scenario(ctx, Scenario, headers, contact),
    ]
