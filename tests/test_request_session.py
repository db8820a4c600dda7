"""A request's session ends so that PostgreSQL keeps its prepared statements, and nothing unsaved is kept.

A read-only request's transaction is committed instead of rolled back on
PostgreSQL (``core.request_session``), because a ROLLBACK makes psycopg drop
every statement it prepared. These scenarios check both halves: the pages a
user reads leave their statements prepared, and a request that wrote without
saving still loses what it wrote, on either database.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.demo_users import ensure_demo_users
from core.extensions import db
from core.testing import pooled_statement_plans

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def account_id(app):
    with app.app_context():
        ensure_demo_users()
        records = app.extensions["flowcase"].records(sudo=True)
        return records.create("account", {"name": "Prepared Ltd"}).id


def log_in(client):
    """Log the manager in; a test's own routes must be added before this, the app's first request."""
    assert client.post("/login", data={"login": "manager", "password": "manager"}).status_code == 302
    return client


def _account_names(app) -> list[str]:
    with app.app_context():
        names = db.session.scalars(sa.text("SELECT name FROM crm_account ORDER BY id")).all()
        db.session.remove()
    return names


def _plans_of_pooled_statements(app) -> tuple[int, int]:
    with app.app_context():
        return pooled_statement_plans(db.engine)


def _read_card_on_postgresql(app, client, account_id, times: int):
    """Log the manager in and read the account's card ``times`` times; skips the test off PostgreSQL."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are psycopg's; SQLite's module keeps its own statement cache")
    manager = log_in(client)
    for _ in range(times):
        assert manager.get(f"/account/{account_id}").status_code == 200
    return manager


def test_reading_a_card_again_and_again_keeps_its_statements_prepared_on_postgresql(app, client, account_id):
    _read_card_on_postgresql(app, client, account_id, 8)
    # psycopg prepares a statement on its fifth run; a rollback at the end of each request would have
    # dropped them all (it sends DEALLOCATE ALL), so none would be left.
    assert _plans_of_pooled_statements(app)[0] > 0


def test_within_the_bench_warm_up_a_card_stops_being_planned_on_postgresql(app, client, account_id):
    # The bench measures after WARMUP_RUNS calls: by then psycopg has prepared the card's statements (sixth
    # run) and PostgreSQL, after five plans of its own per prepared statement, keeps a generic one.
    from core.bench.stats import WARMUP_RUNS

    manager = _read_card_on_postgresql(app, client, account_id, 3)
    assert _plans_of_pooled_statements(app)[1] == 0, "three runs are too few: every statement is still planned"
    for _ in range(WARMUP_RUNS - 3):
        assert manager.get(f"/account/{account_id}").status_code == 200
    prepared, generic = _plans_of_pooled_statements(app)
    assert prepared >= 5 and generic >= 5, (prepared, generic)


def _connections_of_requests(app, client, url: str, requests: int = 6) -> list[int]:
    """Which pooled connection each of ``requests`` GETs of ``url`` ran on, with three connections idle in the pool."""
    used: list[int] = []
    with app.app_context():
        engine = db.engine
        held = [engine.connect() for _ in range(3)]  # what a job or a parallel dashboard would leave pooled
        for connection in held:
            connection.close()
        db.session.remove()

    def note(dbapi_connection, record, proxy):
        used.append(id(dbapi_connection))

    sa.event.listen(engine.pool, "checkout", note)
    try:
        for _ in range(requests):  # each in its own app context, as a worker serves them
            assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine.pool, "checkout", note)
    return used


def test_each_request_takes_the_connection_the_last_one_returned(app, client, account_id):
    # First in, first out, each request met another pooled connection, cold to its statements:
    # psycopg prepares one on its fifth run on a connection; the card took 8.0 ms instead of 5.4-6.0.
    manager = log_in(client)
    used = _connections_of_requests(app, manager, f"/account/{account_id}")
    assert len(used) >= 6
    assert len(set(used)) == 1


def test_an_instance_config_may_choose_the_pool_order(make_app):
    app = make_app(addons=("crm",), SQLALCHEMY_ENGINE_OPTIONS={"pool_use_lifo": False})
    with app.app_context():
        ensure_demo_users()
        account = app.extensions["flowcase"].records(sudo=True).create("account", {"name": "Rotating Ltd"})
        account_id = account.id
        db.session.remove()
    manager = log_in(app.test_client())
    assert len(set(_connections_of_requests(app, manager, f"/account/{account_id}"))) > 1


def test_a_request_that_wrote_without_saving_leaves_nothing_behind(app, client, account_id):
    @app.get("/test-writes-without-commit")
    def writes_without_commit():
        db.session.execute(sa.text("UPDATE crm_account SET name = 'Unsaved' WHERE name = 'Prepared Ltd'"))
        return "written, not committed"

    manager = log_in(client)
    assert manager.get("/test-writes-without-commit").status_code == 200
    assert _account_names(app) == ["Prepared Ltd"]


def test_a_request_with_unflushed_changes_leaves_nothing_behind(app, client, account_id):
    # Guards the way the request ends: a session commit (rather than the driver's) would flush the user in.
    from core.models import User

    @app.get("/test-adds-without-flush")
    def adds_without_flush():
        db.session.add(User(login="ghost", name="Ghost", email="ghost@example.com"))
        return "added, not flushed"

    manager = log_in(client)
    assert manager.get("/test-adds-without-flush").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(User.login == "ghost")) == 0


def test_a_failed_request_is_rolled_back_even_when_it_sent_only_selects(app, client, account_id):
    # On PostgreSQL the write hides in a function a SELECT calls, which the statement flag takes for a
    # read: only the request's failure keeps it from being committed. SQLite has no such functions.
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
        if postgresql:
            db.session.execute(sa.text(
                "CREATE OR REPLACE FUNCTION fc_test_rename(account integer) RETURNS integer AS "
                "$$ UPDATE crm_account SET name = 'Half' WHERE id = account; SELECT 1 $$ LANGUAGE sql"))
            db.session.commit()

    @app.get("/test-fails-after-reading")
    def fails_after_reading():
        if postgresql:
            db.session.execute(sa.text("SELECT fc_test_rename(:id)"), {"id": account_id})
        else:
            db.session.execute(sa.text("UPDATE crm_account SET name = 'Half' WHERE id = :id"), {"id": account_id})
        raise RuntimeError("the handler failed")

    manager = log_in(client)
    with pytest.raises(RuntimeError):  # a testing app lets a handler's error through, as a debugger would see it
        manager.get("/test-fails-after-reading")
    assert _account_names(app) == ["Prepared Ltd"]
    assert manager.get(f"/account/{account_id}").status_code == 200


def test_a_request_that_copied_rows_without_saving_leaves_nothing_behind(app, client, account_id):
    # On PostgreSQL the rows go in through COPY on the driver's cursor, which SQLAlchemy never sees.
    from core.bulk_insert import insert_rows
    from core.db import utcnow
    from core.models import ChangeLog

    @app.get("/test-copies-without-commit")
    def copies_without_commit():
        insert_rows(db.session, ChangeLog.__table__, [{"section": "account", "record_id": account_id,
                                                       "operation": "note", "field": None, "old_value": None,
                                                       "new_value": "copied", "user_id": None, "at": utcnow()}])
        return "copied, not committed"

    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLog))
        db.session.remove()
    manager = log_in(client)
    assert manager.get("/test-copies-without-commit").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLog)) == before
