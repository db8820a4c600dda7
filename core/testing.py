"""Test support shared by platform and add-on tests: an app factory on SQLite or PostgreSQL.

``FLOWCASE_TEST_DATABASE_URL`` (a PostgreSQL URL) runs every test in its own
schema of that database; without it each test gets its own SQLite file.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import sqlalchemy as sa

from core.config import PROJECT_ROOT

FIXTURE_ADDONS = PROJECT_ROOT / "tests" / "fixtures" / "addons"


class TestDatabase:
    """One throw-away database: a SQLite file, or a PostgreSQL schema dropped afterwards."""

    def __init__(self, tmp_path: Path):
        base = os.environ.get("FLOWCASE_TEST_DATABASE_URL", "")
        self.schema = None
        if base.startswith("postgresql"):
            self.schema = f"t_{uuid.uuid4().hex[:12]}"
            self.admin_url = base
            engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
            engine.dispose()
            joiner = "&" if "?" in base else "?"
            self.url = f"{base}{joiner}options=-csearch_path%3D{self.schema}"
        else:
            self.url = f"sqlite:///{tmp_path / 'flowcase.sqlite3'}"

    @property
    def is_postgres(self) -> bool:
        return self.schema is not None

    def drop(self) -> None:
        if self.schema:
            engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            engine.dispose()


def test_config(database: TestDatabase, tmp_path: Path, addon_paths=(), **overrides) -> dict:
    """The configuration a test app runs with: its own database, instance folder and queue."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "FLOWCASE_DATABASE_URL": database.url,
        "FLOWCASE_INSTANCE_PATH": str(tmp_path / "instance"),
        "FLOWCASE_ADDONS_PATH": os.pathsep.join(str(p) for p in addon_paths),
        "FLOWCASE_JOBS_IMMEDIATE": True,
        "FLOWCASE_QUEUE_NAME": f"test-{uuid.uuid4().hex[:8]}",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False,
        # Query-count tests measure pages, not the periodic add-on check; tests of that check set it low.
        "FLOWCASE_ADDON_CHECK_SECONDS": 3600.0,
        # Tests change data behind the records service's back; the dashboard cache's own test turns it on.
        "FLOWCASE_DASHBOARD_CACHE_SECONDS": 0,
    }
    config.update(overrides)
    return config


def build_app(config: dict, addons=()):
    """Create the schema, install ``addons``, and return a fresh app that has them active."""
    from core import create_app
    from core.addons.manager import AddonManager
    from core.extensions import db

    app = create_app(config)
    with app.app_context():
        manager = AddonManager(app.extensions["flowcase"])
        manager.init_core()
        if addons:
            manager.install(list(addons))
        db.session.remove()
        db.engine.dispose()
    return create_app(config)


@contextlib.contextmanager
def counting_statements(app=None):
    """Collect the SQL statements run inside the block (for query-count assertions).

    ``app``: the app whose engine to watch, when the block is outside its app
    context (a test client's requests); otherwise the current app's.
    """
    from core.extensions import db

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    if app is not None:
        with app.app_context():
            engine = db.engine
    else:
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def lose_generation_triggers(session, table: str, directory: bool = False) -> None:
    """Drop the triggers that move a generation counter on ``table`` (the configuration's, or the directory's),
    as a SQLite table rebuild would, and commit; this process then checks the triggers again, as a new one would."""
    from core import config_cache

    counter = config_cache._DIRECTORY if directory else config_cache._CONFIG
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"DROP TRIGGER {counter.pg_trigger} ON {table}"))
    else:
        for operation in ("insert", "update", "delete"):
            session.execute(sa.text(f"DROP TRIGGER {counter.sqlite_prefix}{table}_{operation}"))
    session.commit()
    config_cache._TRIGGERED.clear()
    config_cache._WARNED.clear()


def pooled_statement_plans(engine) -> tuple[int, int]:
    """``(statements prepared, of which PostgreSQL runs on a generic plan)`` on ``engine``'s idle pooled connections.

    Each is read through :func:`core.request_session.read_connection`, so the count leaves what it counts
    in place: ``engine.connect()`` would end with a ROLLBACK, on which psycopg deallocates them.
    """
    from core.request_session import read_connection

    with contextlib.ExitStack() as stack:
        idle = [stack.enter_context(read_connection(engine)) for _ in range(engine.pool.checkedin())]
        counts = [connection.execute(sa.text(
            "SELECT count(*), count(*) FILTER (WHERE generic_plans > 0) FROM pg_prepared_statements")).one()
            for connection in idle]
    return sum(c[0] for c in counts), sum(c[1] for c in counts)
