"""The records service: one path for every write, with hooks, rollback, change log and locking."""
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.errors import ConflictError, RecordNotFound, ValidationError
from core.extensions import db
from core.models import ChangeLog
from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")


class _Lazy:
    """The fixture add-on's modules, importable once an app has discovered them."""

    def __getattr__(self, name):
        import importlib

        return getattr(importlib.import_module(self._module), name)

    def __init__(self, module):
        self._module = module


fx_hooks = _Lazy("flowcase_addons.fx_base.hooks")


@pytest.fixture
def records(app_ctx):
    global FxThing
    from flowcase_addons.fx_base.models import FxThing

    fx_hooks.EVENTS.clear()
    return app_ctx.extensions["flowcase"].records(sudo=True)


def count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def log_rows(thing_id):
    return [(row.operation, row.field, row.old_value, row.new_value) for row in db.session.scalars(
        sa.select(ChangeLog).where(ChangeLog.section == "fx_thing", ChangeLog.record_id == thing_id).order_by(ChangeLog.id))]


def test_create_update_delete_fire_each_hook_once_and_log_old_and_new(records):
    thing = records.create("fx_thing", {"name": "Lamp", "amount": "3", "fx_ext.colour": "red"})
    assert thing.amount == 3 and thing.version == 1
    records.update("fx_thing", thing, {"name": "Desk lamp", "amount": 3, "fx_ext.colour": "blue"})
    records.delete("fx_thing", thing.id)
    assert [(kind, changes) for kind, _, _, changes in fx_hooks.EVENTS] == [
        ("created", {"name": (None, "Lamp"), "amount": (None, 3), "fx_ext.colour": (None, "red")}),
        ("updated", {"name": ("Lamp", "Desk lamp"), "fx_ext.colour": ("red", "blue")}),
        ("deleted", {}),
    ]
    rows = log_rows(thing.id)
    assert rows[0][0] == "create" and rows[0][3] == {"name": "Lamp", "amount": 3, "fx_ext.colour": "red"}
    assert ("update", "name", "Lamp", "Desk lamp") in rows
    assert ("update", "fx_ext.colour", "red", "blue") in rows
    assert rows[-1][0] == "delete" and rows[-1][2]["name"] == "Desk lamp"


def test_an_update_that_changes_nothing_writes_nothing(records):
    thing = records.create("fx_thing", {"name": "Same"})
    fx_hooks.EVENTS.clear()
    records.update("fx_thing", thing, {"name": "Same"})
    assert fx_hooks.EVENTS == [] and thing.version == 1 and len(log_rows(thing.id)) == 1


def test_a_raising_hook_leaves_the_database_unchanged(records):
    before = (count(FxThing), count(ChangeLog))
    with pytest.raises(RuntimeError, match="boom hook"):
        records.create("fx_thing", {"name": "boom", "fx_ext.colour": "red"})
    assert (count(FxThing), count(ChangeLog)) == before
    assert count(sa.table("fx_ext_thing")) == 0


def test_a_raising_stage_hook_keeps_the_old_stage_and_everything_else(records):
    thing = records.create("fx_thing", {"name": "Deal"})
    thing_id = thing.id
    # Inside a larger transaction a failed write is undone by its savepoint,
    # even when the caller catches the error and goes on.
    with records.transaction():
        other_id = records.create("fx_thing", {"name": "Made in the same transaction"}).id
        with pytest.raises(RuntimeError):
            records.set_stage("fx_thing", thing, "explode")
    db.session.expire_all()
    assert db.session.get(FxThing, other_id) is not None
    assert db.session.get(FxThing, thing_id).stage == "new"
    with pytest.raises(RuntimeError):
        records.set_stage("fx_thing", thing_id, "explode")
    db.session.expire_all()
    assert db.session.get(FxThing, thing_id).stage == "new"
    assert [row[0] for row in log_rows(thing_id)] == ["create"]


def test_stage_change_hooks_can_refuse_the_move(records):
    thing = records.create("fx_thing", {"name": "Deal"})
    with pytest.raises(ValidationError) as caught:
        records.set_stage("fx_thing", thing, "forbidden")
    assert caught.value.errors == {"stage": ["cannot move to 'forbidden'"]}
    db.session.expire_all()
    assert db.session.get(FxThing, thing.id).stage == "new"
    records.set_stage("fx_thing", thing.id, "won")
    assert [e[0] for e in fx_hooks.EVENTS][-2:] == ["updated", "stage"]
    assert log_rows(thing.id)[-1] == ("stage", "stage", "new", "won")


def test_bad_values_are_reported_per_field_and_nothing_is_written(records):
    before = count(FxThing)
    with pytest.raises(ValidationError) as caught:
        records.create("fx_thing", {"name": "x" * 101, "amount": "many", "owner_id": 999, "colour": "red"})
    errors = {field: [str(m) for m in messages] for field, messages in caught.value.errors.items()}
    assert errors == {
        "name": ["must be at most 100 characters"],
        "amount": ["must be a whole number"],
        "owner_id": ["refers to record #999, which does not exist"],
        "colour": ["unknown field of Thing"],
    }
    with pytest.raises(ValidationError) as caught:
        records.create("fx_thing", {"amount": 1})
    assert list(caught.value.errors) == ["name"]
    with pytest.raises(ValidationError, match="must not be 'invalid'"):
        records.create("fx_thing", {"name": "invalid"})
    assert count(FxThing) == before


def test_two_conflicting_edits_raise_a_conflict_instead_of_losing_one(records, app_ctx):
    thing = records.create("fx_thing", {"name": "Shared"})
    seen_version = thing.version
    records.update("fx_thing", thing, {"amount": 10}, expected_version=seen_version)
    with pytest.raises(ConflictError, match="changed by someone else"):
        records.update("fx_thing", thing, {"amount": 20}, expected_version=seen_version)
    # Two sessions that both loaded version 2: the second flush matches no row.
    state = app_ctx.extensions["flowcase"]
    from core.records import Records

    with Session(db.engine) as other_session:
        other = Records(state, other_session, sudo=True)
        stale = other.get("fx_thing", thing.id)
        records.update("fx_thing", thing, {"amount": 30})
        with pytest.raises(ConflictError):
            other.update("fx_thing", stale, {"amount": 40})
    db.session.expire_all()
    assert db.session.get(FxThing, thing.id).amount == 30


def test_hooks_fire_once_per_write_from_every_door(records, app_ctx):
    from core.addons.manager import AddonManager
    from core.jobs import enqueue

    state = app_ctx.extensions["flowcase"]
    # Door: data files (demo load through the add-on manager).
    AddonManager(state).load_demo()
    assert [e[0] for e in fx_hooks.EVENTS] == ["created"]
    # Door: a job, queued after commit.
    thing = records.create("fx_thing", {"name": "Counter", "amount": 0})
    fx_hooks.EVENTS.clear()
    with records.transaction():
        records.after_commit("fx_base.bump_amount", thing_id=thing.id)
        assert fx_hooks.EVENTS == []  # nothing runs before the commit
    assert [e[:1] + e[3:] for e in fx_hooks.EVENTS] == [("updated", {"amount": (0, 1)})]
    # Door: a named action run by code (stages and the API call actions the same way).
    fx_hooks.EVENTS.clear()
    state.actions["fx_base.rename"](records, "fx_thing", thing, name="Renamed")
    assert [e[0] for e in fx_hooks.EVENTS] == ["updated"]
    assert enqueue("core.ping", hello="world") == {"hello": "world"}


def test_reads_by_id_honour_the_record_filter_hook(app_ctx):
    state = app_ctx.extensions["flowcase"]
    alice = create_user("alice", "pw")
    bob = create_user("bob", "pw")
    sudo = state.records(sudo=True)
    mine = sudo.create("fx_thing", {"name": "Alice's", "owner_id": alice.id})
    theirs = sudo.create("fx_thing", {"name": "Bob's", "owner_id": bob.id})

    class OwnRecordsOnly:
        @staticmethod
        def flowcase_record_filter(user, section, operation):
            return section.model.owner_id == user.id

    from core.plugins import hookimpl

    hookimpl(OwnRecordsOnly.flowcase_record_filter)
    state.pm.register(OwnRecordsOnly, name="own_only")
    try:
        as_alice = state.records(user=alice)
        assert as_alice.get("fx_thing", mine.id).name == "Alice's"
        with pytest.raises(RecordNotFound):
            as_alice.get("fx_thing", theirs.id)
        with pytest.raises(RecordNotFound):
            as_alice.update("fx_thing", theirs.id, {"name": "Stolen"})
        assert [t.name for t in db.session.scalars(as_alice.select("fx_thing"))] == ["Alice's"]
    finally:
        state.pm.unregister(name="own_only")
