"""Users and saved filters shown on every list page are kept per process, and follow every change at once.

The list's bulk "change owner" offers the users, and its sidebar the saved
filters: both are read once per process and reused while the directory
generation (a counter that triggers on ``core_user`` and ``core_record_group``
move, migration ``core_0018``) stands still. Changes come through the other
worker's pages or through plain SQL from another process, and the very next
page must show them.
"""
from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from core.demo_users import ensure_demo_users
from core.extensions import db
from core.testing import counting_statements, lose_generation_triggers

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def users(app):
    """The demo users, and an account of alice's so that her list has rows to hand over."""
    with app.app_context():
        ids = {login: user.id for login, user in ensure_demo_users().items()}
        records = app.extensions["flowcase"].records(sudo=True)
        records.create("account", {"name": "Firm alice", "owner_id": ids["alice"]})
    return ids


def login(client, name):
    client.post("/logout")
    assert client.post("/login", data={"login": name, "password": name}).status_code == 302


def _reads(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if f"FROM {table}" in s]


def _generations(app):
    from core import config_cache

    with app.app_context():
        found = config_cache.generation(db.session), config_cache.directory_generation(db.session)
        db.session.remove()
    return found


def test_every_directory_table_has_the_trigger_that_moves_its_counter(app):
    from core import config_cache

    with app.app_context():
        config_cache._TRIGGERED.clear()
        assert config_cache._triggers_ready(db.session, db.engine.url, config_cache._DIRECTORY)
        token, _, counter = config_cache.directory_generation(db.session)[1].partition(":")
        assert len(token) == 16 and counter.isdigit()
        db.session.remove()


def test_a_list_page_reads_the_users_and_saved_filters_once_per_process(app, client, users):
    login(client, "alice")
    first = client.get("/account/").get_data(as_text=True)
    assert "data-fc-bulk-owner" in first and "data-fc-groups" in first
    with counting_statements(app) as statements:
        again = client.get("/account/").get_data(as_text=True)
    assert f'<option value="{users["bob"]}">' in again
    assert not _reads(statements, "core_record_group") and not _reads(statements, "core_user ORDER BY"), statements


def test_a_filter_saved_in_one_worker_shows_in_the_other_at_once(app, second_app, users):
    mine, other = app.test_client(), second_app.test_client()
    login(mine, "alice")
    login(other, "alice")
    assert "Key accounts" not in other.get("/account/").get_data(as_text=True)
    saved = mine.post("/account/groups", data={"name": "Key accounts", "kind": "dynamic", "query": "q=Firm"})
    assert saved.status_code in (302, 303), saved.get_data(as_text=True)
    assert "Key accounts" in other.get("/account/").get_data(as_text=True)


def test_users_and_filters_changed_in_plain_sql_elsewhere_show_on_the_next_page(app, client, users, elsewhere):
    login(client, "alice")
    client.get("/account/")
    config_before, directory_before = _generations(app)
    elsewhere.execute(sa.text("UPDATE core_user SET name = 'Robert Brown' WHERE login = 'bob'"))
    elsewhere.execute(sa.text(
        "INSERT INTO core_record_group (section, name, kind, filter, shared, owner_id, version, custom, created_at, updated_at) "
        "VALUES ('account', 'Shared by SQL', 'dynamic', '{}', :yes, NULL, 1, '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
        {"yes": True})
    elsewhere.commit()
    config_after, directory_after = _generations(app)
    assert directory_after != directory_before
    assert config_after == config_before  # rights, automations and print forms stay loaded
    page = client.get("/account/").get_data(as_text=True)
    assert f'<option value="{users["bob"]}">Robert Brown</option>' in page
    assert "Shared by SQL" in page


def test_a_user_deleted_elsewhere_leaves_the_owner_choices_of_the_next_page(app, client, users):
    login(client, "alice")
    assert f'<option value="{users["bob"]}">' in client.get("/account/").get_data(as_text=True)
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        records.session.execute(sa.text("DELETE FROM core_user_role WHERE user_id = :id"), {"id": users["bob"]})
        records.session.execute(sa.text("DELETE FROM core_user WHERE id = :id"), {"id": users["bob"]})
        records.session.commit()
    assert f'<option value="{users["bob"]}">' not in client.get("/account/").get_data(as_text=True)


def test_without_the_directory_triggers_each_page_reads_them_itself(app, client, users, elsewhere, caplog):
    """A trigger lost in a table rebuild must not leave every worker on a stale list of users."""
    lose_generation_triggers(elsewhere, "core_record_group", directory=True)
    with caplog.at_level(logging.WARNING, logger="core.config_cache"):
        login(client, "alice")
        client.get("/account/")
        with counting_statements(app) as statements:
            client.get("/account/")
    assert _reads(statements, "core_record_group") and _reads(statements, "core_user ORDER BY"), statements
    assert any("directory generation: triggers missing" in r.getMessage() for r in caplog.records)
    config_first, directory_first = _generations(app)
    config_second, directory_second = _generations(app)
    assert config_first == config_second and directory_first != directory_second


def test_choices_from_other_tables_are_read_on_every_form(app, client, users):
    """Only the directory is kept: an activity type added a moment ago is offered on the next form."""
    login(client, "alice")
    with counting_statements(app) as statements:
        client.get("/activity/new")
    assert _reads(statements, "crm_activity_type"), statements
    with counting_statements(app) as statements:
        client.get("/activity/new")
    assert _reads(statements, "crm_activity_type"), statements



def test_a_statement_that_also_reads_another_table_is_run_every_time(app, users):
    """Users joined to accounts change with the accounts, which move no counter: such rows are never kept."""
    from core.models import User
    from core.ui.statements import shared_rows

    def run(build, key):
        with app.app_context():
            records = app.extensions["flowcase"].records(sudo=True)
            with counting_statements() as statements:
                rows = shared_rows(records, [], key, build)
            db.session.remove()
        return rows, [s for s in statements if "core_user" in s]

    account = app.extensions["flowcase"].sections.get("account").table

    def users_only():
        return sa.select(User.id).order_by(User.id)

    def with_accounts():
        return sa.select(User.id).where(User.id.in_(sa.select(account.c.owner_id))).order_by(User.id)

    assert run(users_only, "test.users")[1] and not run(users_only, "test.users")[1]
    first, ran = run(with_accounts, "test.owners")
    assert ran and [tuple(r) for r in first] == [(users["alice"],)]
    again, ran = run(with_accounts, "test.owners")
    assert ran
