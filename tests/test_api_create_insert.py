"""A single create writes its row with one INSERT instead of a unit-of-work flush (core.record_insert).

What the flush did must still happen: the same row and object state (defaults,
version, id), the flush listeners told (count cache, dashboards, configuration
cache), a rollback undoing the record as it undid a flushed one, and the real
flush whenever anything else is pending.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import core.records
from core.dashboards import parallel
from core.extensions import db
from core.ui import count_cache

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def records(app_ctx):
    return app_ctx.extensions["flowcase"].records(sudo=True)


@pytest.fixture
def inserts(monkeypatch):
    """How each create went: True = the lone INSERT, False = the flush."""
    seen = []
    real = core.records.insert_new

    def spy(session, record):
        done = real(session, record)
        seen.append(done)
        return done

    monkeypatch.setattr(core.records, "insert_new", spy)
    return seen


def _state(record) -> tuple:
    state = sa.inspect(record)
    values = {key: value for key, value in state.dict.items()
              if key not in ("_sa_instance_state", "id", "created_at", "updated_at")}
    return (values, set(state.unloaded), set(state.expired_attributes), dict(state.committed_state),
            state.persistent, record in db.session.new, type(record.created_at), record.version)


@pytest.mark.parametrize("section, values", [
    ("contact", {"first_name": "Anna", "last_name": "Orlova", "email": "anna@example.com", "phone": "+7 495 123-45-67"}),
    ("account", {"name": "Horns and Hooves"}),
])
def test_the_insert_leaves_the_record_as_a_flush_did(records, inserts, monkeypatch, section, values):
    fast = records.create(section, values)
    assert inserts == [True]
    fast_state = _state(fast)
    monkeypatch.setattr(core.records, "insert_new", lambda session, record: False)
    flushed = records.create(section, {**values, **({"email": "anna2@example.com"} if "email" in values else {})})
    expected = _state(flushed)
    for state in (fast_state, expected):  # the one value that differs on purpose
        state[0].pop("email", None), state[0].pop("email_normalized", None)
    assert fast_state == expected
    assert fast.id and fast.version == 1 and fast.id != flushed.id
    model = type(fast)
    db.session.expire_all()
    row = db.session.get(model, fast.id)
    assert row.version == 1 and row.created_at is not None and row.custom == {}


def test_flush_listeners_hear_of_the_insert(records, inserts):
    before = count_cache._generations.get("crm_contact", 0)
    heard = []

    def after_flush(session, context):
        heard.append([type(obj).__name__ for obj in session.new])

    sa.event.listen(db.session, "after_flush", after_flush)
    try:
        with records.transaction():
            records.create("contact", {"first_name": "Ivan", "last_name": "Petrov"})
            assert db.session.info.get(parallel.WROTE) is True  # dashboards run on this session until the commit
    finally:
        sa.event.remove(db.session, "after_flush", after_flush)
    assert inserts == [True]
    assert heard == [["Contact"]]
    assert count_cache._generations.get("crm_contact", 0) == before + 1
    assert not db.session.new and not db.session.dirty


def test_a_rollback_undoes_the_inserted_record_as_a_flushed_one(records, inserts):
    with pytest.raises(RuntimeError):
        with records.transaction():
            record = records.create("contact", {"first_name": "Olga", "last_name": "Sidorova"})
            record_id = record.id
            raise RuntimeError("a later hook failed")
    assert inserts == [True]
    assert record not in db.session and sa.inspect(record).transient
    assert db.session.scalar(sa.text("SELECT count(*) FROM crm_contact WHERE id = :id"), {"id": record_id}) == 0


def test_other_pending_changes_go_through_the_flush(records, inserts):
    from core.models.dedup import DedupRule

    with db.session.no_autoflush:  # still pending when the contact is written (no savepoint flushes it first)
        pending = DedupRule(section="contact", name="pending", fields=[{"path": "email"}], action="warn", active=False)
        db.session.add(pending)
        record = records.create("contact", {"first_name": "Petr", "last_name": "Ivanov"})
    assert inserts == [False]
    assert record.id and pending.id
    assert db.session.scalar(sa.select(DedupRule.id).where(DedupRule.name == "pending")) == pending.id


def test_a_mapper_insert_listener_still_gets_its_flush(app_ctx, records, inserts):
    model = app_ctx.extensions["flowcase"].sections.get("contact").model
    called = []

    def before_insert(mapper, connection, target):
        called.append(target.last_name)

    sa.event.listen(model, "before_insert", before_insert)
    try:
        records.create("contact", {"first_name": "Nina", "last_name": "Listened"})
    finally:
        sa.event.remove(model, "before_insert", before_insert)
    assert inserts == [False] and called == ["Listened"]
    records.create("contact", {"first_name": "Nina", "last_name": "Unlistened"})
    assert inserts == [False, True]


def test_the_inserted_record_updates_with_its_version_in_the_same_session(records, inserts):
    record = records.create("contact", {"first_name": "Vera", "last_name": "First"})
    updated = records.update("contact", record, {"last_name": "Second"}, expected_version=1)
    assert inserts == [True] and updated is record and record.version == 2
    db.session.expire_all()
    assert db.session.execute(sa.text("SELECT last_name, version FROM crm_contact WHERE id = :id"),
                              {"id": record.id}).one() == ("Second", 2)
