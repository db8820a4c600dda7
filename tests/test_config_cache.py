"""Configuration kept per process (rights, custom fields, duplicate rules, automations) follows every change.

Two app instances share one database, as two workers do; the configuration is
changed through one of them, or through a session of its own (another
process, a CLI command), and the other's very next request must act on it.
"""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.models.dedup import DedupRule
from core.security.models import Role, SectionRight
from tests.api_support import Api, user_with_key

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def seller(app):
    """A salesperson's key: the role has section rights, so rights are really checked."""
    with app.app_context():
        from core.models import User

        user_id, token = user_with_key("seller")
        user = db.session.get(User, user_id)
        user.roles.append(db.session.scalars(sa.select(Role).where(Role.code == "sales_user")).one())
        db.session.commit()
    return token


def _contact(api, n: int, **extra):
    return api.post("/contact", {"first_name": "Anna", "last_name": f"Orlova {n}", **extra})


def test_a_custom_field_added_in_one_worker_is_writable_in_the_other_at_once(app, second_app, seller):
    api = Api(second_app.test_client(), seller)
    assert _contact(api, 1).status_code == 201  # the other worker has loaded the definitions (none)
    refused = _contact(api, 2, **{"custom.vip": True})
    assert refused.status_code == 422 and [e["field"] for e in refused.get_json()["errors"]] == ["custom.vip"]
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        field = records.create("custom_field", {"section": "contact", "name": "vip", "label": "VIP", "type": "boolean"})
        field_id = field.id
    created = _contact(api, 3, **{"custom.vip": True})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["custom.vip"] is True
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        records.delete("custom_field", field_id)
    assert _contact(api, 4, **{"custom.vip": True}).status_code == 422


def test_a_duplicate_rule_changed_by_another_process_applies_to_the_next_request(app, seller, elsewhere):
    api = Api(app.test_client(), seller)
    assert _contact(api, 1, email="anna@example.com").status_code == 201
    assert _contact(api, 2, email="anna@example.com").status_code == 201  # no rule yet
    elsewhere.add(DedupRule(section="contact", name="email", fields=[{"path": "email", "normalize": "email"}],
                            action="block", active=True))
    elsewhere.commit()
    assert _contact(api, 3, email="Bob@example.com").status_code == 201  # its key is stored under the rule
    assert _contact(api, 4, email="bob@example.com").status_code == 422
    # Duplicate rules have no version column: switching one off changes no count, id or version.
    rule = elsewhere.scalars(sa.select(DedupRule)).one()
    rule.active = False
    elsewhere.commit()
    assert _contact(api, 5, email="bob@example.com").status_code == 201
    rule.active = True
    rule.action = "warn"
    elsewhere.commit()
    warned = _contact(api, 6, email="bob@example.com")
    assert warned.status_code == 422 and "Confirm" in warned.get_data(as_text=True)


def test_an_automation_saved_in_one_worker_runs_in_the_other(app, second_app, seller):
    api = Api(second_app.test_client(), seller)
    assert _contact(api, 1).get_json()["job_title"] is None
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        rule = records.create("automation", {
            "name": "Titles", "section": "contact", "trigger": "on_create",
            "actions": json.dumps([{"type": "set_fields", "values": {"job_title": "Buyer"}}])})
        rule_id = rule.id
    assert _contact(api, 2).status_code == 201
    with second_app.app_context():
        titles = db.session.scalars(sa.text("SELECT job_title FROM crm_contact ORDER BY id")).all()
    assert titles == [None, "Buyer"]
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        records.update("automation", rule_id, {"active": False})
    assert _contact(api, 3).status_code == 201
    with second_app.app_context():
        titles = db.session.scalars(sa.text("SELECT job_title FROM crm_contact ORDER BY id")).all()
    assert titles == [None, "Buyer", None]


def test_a_right_taken_away_elsewhere_refuses_the_next_create(app, seller, elsewhere):
    api = Api(app.test_client(), seller)
    assert _contact(api, 1).status_code == 201
    right = elsewhere.scalars(sa.select(SectionRight).join(Role, Role.id == SectionRight.role_id).where(
        Role.code == "sales_user", SectionRight.section == "contact")).one()
    right.create = "none"
    elsewhere.commit()
    assert _contact(api, 2).status_code == 403
    right.create = "all"
    elsewhere.commit()
    assert _contact(api, 3).status_code == 201


def test_a_change_inside_a_transaction_is_seen_by_that_transaction_only(app, elsewhere):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        with pytest.raises(RuntimeError):
            with records.transaction():
                records.create("custom_field", {"section": "contact", "name": "vip", "label": "VIP", "type": "boolean"})
                contact = records.create("contact", {"first_name": "A", "last_name": "B", "custom.vip": True})
                assert contact.custom == {"vip": True}
                raise RuntimeError("roll back")
        db.session.remove()
    with app.app_context():
        from core.errors import ValidationError

        records = app.extensions["flowcase"].records(sudo=True)
        with pytest.raises(ValidationError):
            records.create("contact", {"first_name": "A", "last_name": "C", "custom.vip": True})


def test_a_role_membership_taken_away_elsewhere_refuses_the_next_create(app, seller, elsewhere):
    """Memberships have no version column: the generation's own fingerprint of them must still move."""
    api = Api(app.test_client(), seller)
    assert _contact(api, 1).status_code == 201
    elsewhere.execute(sa.text("DELETE FROM core_user_role WHERE user_id = (SELECT id FROM core_user WHERE login = 'seller')"))
    elsewhere.commit()
    assert _contact(api, 2).status_code == 403


def _generation(app):
    from core import config_cache

    with app.app_context():
        found = config_cache.generation(db.session)
        db.session.remove()
    return found


def test_every_watched_table_has_the_trigger_that_moves_the_generation(app):
    """A table added to the watched set without its trigger (migration core_0017) fails here."""
    from core import config_cache

    with app.app_context():
        config_cache._TRIGGERED.clear()
        assert config_cache._triggers_ready(db.session, db.engine.url)
        token, _, counter = config_cache.generation(db.session)[1].partition(":")
        assert len(token) == 16 and counter.isdigit()  # the counter row's, not the share-nothing stand-in
        db.session.remove()


def test_a_plain_sql_write_elsewhere_moves_the_generation_and_nothing_else_does(app, seller, elsewhere):
    """No ORM event sees a write from another process in plain SQL; the table's trigger does."""
    first = _generation(app)
    assert _generation(app) == first  # nothing changed: the same generation, so caches are shared
    elsewhere.execute(sa.text("UPDATE core_section_right SET section = section "
                              "WHERE id = (SELECT min(id) FROM core_section_right)"))
    elsewhere.commit()
    second = _generation(app)
    assert second != first
    taken = elsewhere.execute(sa.text(
        "DELETE FROM core_user_role WHERE user_id = (SELECT id FROM core_user WHERE login = 'seller')"))
    assert taken.rowcount == 1
    elsewhere.commit()
    assert _generation(app) not in (first, second)


def test_a_watched_table_without_its_trigger_shares_nothing(app, elsewhere, caplog):
    """A table rebuilt without its trigger must not leave every process on a stale configuration."""
    from core.testing import lose_generation_triggers

    lose_generation_triggers(elsewhere, "core_dedup_rule")
    assert _generation(app) != _generation(app)  # each transaction reads the configuration itself
    assert any("triggers missing" in record.getMessage() for record in caplog.records)


def test_the_counter_migrations_go_down_and_up(app):
    """Down one step (core_0018), the directory is read per page while the configuration is still shared;
    down another (core_0017), the database has no counter and nothing is shared; up again, both are back."""
    from alembic import command

    from core import config_cache
    from core.addons.migrations import alembic_config

    def ready():
        config_cache._TRIGGERED.clear()
        return tuple(config_cache._triggers_ready(db.session, db.engine.url, counter)
                     for counter in (config_cache._CONFIG, config_cache._DIRECTORY))

    with app.app_context():
        connection = db.session.connection()
        cfg = alembic_config(app.extensions["flowcase"].manifests, connection)
        command.downgrade(cfg, "core_0017")
        assert ready() == (True, False)
        command.downgrade(cfg, "core_0016")
        assert ready() == (False, False)
        command.upgrade(cfg, "core@head")
        assert ready() == (True, True)
        db.session.commit()
    assert _generation(app) == _generation(app)
