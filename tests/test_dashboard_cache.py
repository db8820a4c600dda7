"""Dashboard widgets are kept between views while nothing is written, per viewer; any write shows at once."""
import re

import pytest
import sqlalchemy as sa

from core.dashboards import cache
from core.demo_users import ensure_demo_users
from core.extensions import db

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def cached_app(make_app):
    app = make_app(addons=["crm"], FLOWCASE_DASHBOARD_CACHE_SECONDS=600)
    cache.clear()
    with app.app_context():
        users = ensure_demo_users()
        records = app.extensions["flowcase"].records(sudo=True)
        with records.transaction():
            board = records.create("dashboard", {"code": "cached", "name": "Cached", "sequence": 1})
            records.create("dashboard_widget", {"dashboard_id": board.id, "title": "Accounts", "kind": "number",
                                                "section": "account", "measure": "count"})
            records.create("account", {"name": "Первый", "owner_id": users["alice"].id})
        db.session.remove()
    yield app
    cache.clear()


def shown(client) -> int:
    page = client.get("/dashboards/cached").get_data(as_text=True)
    return int(re.search(r'fc-widget-value[^>]*>\s*(\d+)', page).group(1))


def counted(app, client) -> tuple[int, int]:
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        value = shown(client)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return value, sum("crm_account" in s for s in statements)


def test_a_kept_widget_is_not_computed_again_until_something_is_written(cached_app):
    client = cached_app.test_client()
    assert client.post("/login", data={"login": "manager", "password": "manager"}).status_code == 302
    assert counted(cached_app, client) == (1, 1)
    assert counted(cached_app, client) == (1, 0), "an unchanged dashboard must not query the accounts again"
    with cached_app.app_context():
        records = cached_app.extensions["flowcase"].records(sudo=True)
        with records.transaction():
            records.create("account", {"name": "Второй"})
    assert counted(cached_app, client) == (2, 1), "a write through the records service shows at once"


def test_each_viewer_gets_numbers_computed_with_their_own_rights(cached_app):
    with cached_app.app_context():
        records = cached_app.extensions["flowcase"].records(sudo=True)
        session = records.session
        from core.addons.data import ref

        with records.transaction():
            records.create("record_rule", {"name": "salespeople read their own accounts", "section": "account",
                                           "role_id": ref(session, "role_sales_user", "crm"),
                                           "domain": {"field": "owner_id", "op": "eq", "value": "$me"},
                                           "apply_create": False, "apply_update": False, "apply_delete": False})
            records.create("account", {"name": "Чужой"})
    manager, alice = cached_app.test_client(), cached_app.test_client()
    for client, name in ((manager, "manager"), (alice, "alice")):
        assert client.post("/login", data={"login": name, "password": name}).status_code == 302
    assert shown(manager) == 2
    assert shown(alice) == 1
    assert shown(manager) == 2
