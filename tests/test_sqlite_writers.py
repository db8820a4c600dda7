"""Two workers writing one SQLite file at the same time queue for the write lock instead of failing.

Real threads, each with its own test client, app context, session and
connection, post creates at once against a real SQLite file, as two gunicorn
workers do. A transaction that read first and then wrote would be refused
(SQLITE_BUSY_SNAPSHOT: a 409) whenever the other committed in between; write
requests take the lock when their transaction begins, so every create lands.
"""
from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.api_support import user_with_key

pytestmark = pytest.mark.addons("crm")

WRITERS = 2
PER_WRITER = 40


@pytest.fixture
def token(app):
    if app.config["FLOWCASE_DATABASE_URL"].split(":")[0] != "sqlite":
        pytest.skip("the write lock is SQLite's")
    with app.app_context():
        return user_with_key("writer", superuser=True)[1]


def test_concurrent_creates_on_one_sqlite_file_all_succeed(app, token):
    start = threading.Barrier(WRITERS)
    statuses: list[list[int]] = [[] for _ in range(WRITERS)]

    def writer(slot: int) -> None:
        client = app.test_client()
        start.wait()
        for n in range(PER_WRITER):
            body = {"first_name": "W", "last_name": f"{slot}-{n}", "email": f"w{slot}-{n}@example.com"}
            response = client.post("/api/v1/contact", data=json.dumps(body), content_type="application/json",
                                   headers={"Authorization": f"Bearer {token}"})
            statuses[slot].append(response.status_code)

    threads = [threading.Thread(target=writer, args=(slot,)) for slot in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [[201] * PER_WRITER] * WRITERS
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM crm_contact WHERE first_name = 'W'")) == WRITERS * PER_WRITER
