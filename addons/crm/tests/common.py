"""Helpers shared by the CRM's page tests: signing in and counting SQL statements."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa

from core.extensions import db


def today():
    """The date the pages call today (UTC)."""
    return datetime.now(timezone.utc).date()


def login(client, name: str) -> None:
    """Sign in as a demo user (password = login)."""
    response = client.post("/login", data={"login": name, "password": name})
    assert response.status_code == 302, response.get_data(as_text=True)


@contextmanager
def counting():
    """Collect the SQL statements run inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
