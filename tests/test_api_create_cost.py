"""What one REST create costs in SQL: the write and its guarantees (rights, dedup, change log), nothing more.

Each request runs in its own app context, as under a WSGI server, so nothing
is reused from the previous request's session. The statements are named, so a
new per-request lookup (a rights reload, the record read back after the
commit, the user read apart from the key, a key stamp on every call) shows as
a failure here.
"""
from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.models import ChangeLog
from core.models.dedup import DedupRule
from core.security.models import Role
from tests.api_support import user_with_key

pytestmark = pytest.mark.addons("crm")


def _kind(statement: str) -> str:
    """``INSERT crm_contact``, ``SELECT core_api_key``, ``BEGIN``: the verb and the table it works on."""
    words = statement.split()
    verb = words[0].upper()
    if verb == "SELECT":
        outer, inner = statement, None
        while inner != outer:  # the statement's own FROM, not one of its subqueries'
            inner, outer = outer, re.sub(r"\([^()]*\)", "", outer)
        match = re.search(r"\bFROM\s+\"?(\w+)", outer, re.I)
        return f"SELECT {match.group(1) if match else '?'}"
    if verb in ("INSERT", "UPDATE", "DELETE"):
        match = re.search(r"\b(?:INTO|UPDATE|FROM)\s+\"?(\w+)", statement, re.I)
        return f"{verb} {match.group(1) if match else '?'}"
    return verb


@pytest.fixture
def salesperson_key(app):
    """A salesperson's key (role with section rights, so rights are really checked) and an email dedup rule."""
    with app.app_context():
        user_id, token = user_with_key("seller")
        from core.models import User

        user = db.session.get(User, user_id)
        user.roles.append(db.session.scalars(sa.select(Role).where(Role.code == "sales_user")).one())
        db.session.add(DedupRule(section="contact", name="email", fields=[{"path": "email", "normalize": "email"}],
                                 action="warn", active=True))
        db.session.commit()
    return token


def _post(client, token: str, n: int):
    body = {"first_name": "Anna", "last_name": f"Orlova {n}", "email": f"anna{n}@example.com", "phone": "+7 495 123-45-67"}
    return client.post("/api/v1/contact", data=json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def test_one_create_is_its_write_and_its_guarantees(app, client, salesperson_key):
    first = _post(client, salesperson_key, 1)  # also stamps the key's last use (once a minute at most)
    assert first.status_code == 201, first.get_data(as_text=True)
    statements: list[str] = []
    texts: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(_kind(statement))
        texts.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        response = _post(client, salesperson_key, 2)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["name"] == "Anna Orlova 2" and body["email_normalized"] == "anna2@example.com" and body["version"] == 1

    writes = [s for s in statements if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert sorted(writes) == ["INSERT core_change_log", "INSERT core_dedup_key", "INSERT crm_contact"]
    # The key is not stamped again within the minute, and the record is not read back after its commit.
    assert "UPDATE core_api_key" not in statements
    assert statements.count("SELECT crm_contact") == 0
    assert statements.count("SELECT core_api_key") == 1
    assert statements.count("SELECT core_dedup_key") == 1
    # The user comes with the key, and so does the configuration generation (the counter row the rights
    # tables' triggers move): the rights loaded by the first request are reused, not reloaded table by table.
    assert "SELECT core_user" not in statements
    key_lookup = texts[statements.index("SELECT core_api_key")]
    assert "core_config_generation" in key_lookup
    assert "SELECT core_section_right" not in statements
    for table in ("core_record_rule", "core_column_right", "core_user_role"):
        assert f"SELECT {table}" not in statements, statements
    # Custom fields, duplicate rules and automations come from the same per-process configuration cache.
    for table in ("core_custom_field", "core_dedup_rule", "core_automation"):
        assert f"SELECT {table}" not in statements, statements
    assert len(statements) <= 6, statements

    with app.app_context():
        logged = db.session.execute(sa.select(ChangeLog.operation, ChangeLog.new_value).where(
            ChangeLog.section == "contact", ChangeLog.record_id == body["id"])).all()
    assert [operation for operation, _ in logged] == ["create"] and logged[0][1]["email"] == "anna2@example.com"


def test_a_duplicate_is_still_caught_and_nothing_is_written(app, client, salesperson_key):
    assert _post(client, salesperson_key, 7).status_code == 201
    again = _post(client, salesperson_key, 7)
    assert again.status_code == 422 and again.mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM crm_contact WHERE email = 'anna7@example.com'")) == 1


@pytest.mark.parametrize("base_url", ["http://localhost/", "http://localhost/crm/"])
def test_the_created_record_answers_with_its_url_version_and_json(app, client, salesperson_key, base_url):
    body = {"first_name": "Irina", "last_name": "Volkova"}
    response = client.post("/api/v1/contact", data=json.dumps(body), content_type="application/json",
                           headers={"Authorization": f"Bearer {salesperson_key}"}, base_url=base_url)
    assert response.status_code == 201, response.get_data(as_text=True)
    record_id = response.get_json()["id"]
    from flask import url_for

    with app.test_request_context("/", base_url=base_url):
        expected = url_for("api.get_record", section_name="contact", record_id=record_id)
    assert response.headers["Location"] == expected
    assert expected.startswith("/crm/" if "crm" in base_url else "/api/")
    assert response.headers["ETag"] == '"1"' and response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # the app's own headers are still added
