"""Install → upgrade (new migration, changed seed data) → uninstall → reinstall, and refusals."""
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.addons.manager import AddonManager
from core.errors import AddonError
from core.extensions import db
from core.models import AddonState, ChangeLog, ExternalId
from core.testing import FIXTURE_ADDONS

UPGRADE_FIXTURE = Path(__file__).parent / "fixtures" / "upgrade"


def _tables():
    return set(sa.inspect(db.engine).get_table_names())


def _columns(table):
    return {c["name"] for c in sa.inspect(db.engine).get_columns(table)}


def _notes(records):
    return {n.name: n.text for n in db.session.scalars(records.select("fx_note"))}


@pytest.fixture
def upgrade_paths(tmp_path):
    """fx_upgrade 1.0 copied where the test can later lay version 1.1 over it."""
    folder = tmp_path / "upgradable"
    shutil.copytree(UPGRADE_FIXTURE / "v1", folder)
    return folder


def _lay_version_two(folder):
    shutil.copytree(UPGRADE_FIXTURE / "v2", folder, dirs_exist_ok=True)
    (folder / "fx_upgrade" / "data" / "fx_note_data.yaml").touch()


def test_install_upgrade_uninstall_reinstall(make_app, upgrade_paths):
    app = make_app(addons=["fx_upgrade"], paths=[FIXTURE_ADDONS, upgrade_paths])
    with app.app_context():
        state = app.extensions["flowcase"]
        manager = AddonManager(state)
        records = state.records(sudo=True)
        # Installed with its dependency first, its tables, its extension and its seeded records.
        assert state.active == ["fx_base", "fx_upgrade"]
        assert {"fx_base_thing", "fx_upgrade_note", "fx_upgrade_thing"} <= _tables()
        assert _notes(records) == {"alpha": "Alpha", "beta": "Beta", "gamma": "Gamma"}
        rated_id = db.session.scalars(sa.select(ExternalId.record_id).where(ExternalId.key == "rated_thing")).one()
        rated = records.get("fx_thing", rated_id)
        assert records.read("fx_thing", rated)["fx_upgrade.rating"] == 5
        assert db.session.get(AddonState, "fx_upgrade").installed_version == "1.0"

        # An admin edits beta; then version 1.1 arrives with a migration and new data.
        beta = db.session.scalars(records.select("fx_note").where(sa.text("name = 'beta'"))).one()
        records.update("fx_note", beta, {"text": "Beta (edited by admin)"})
        _lay_version_two(upgrade_paths)

    app = _fresh(make_app, upgrade_paths)
    with app.app_context():
        state = app.extensions["flowcase"]
        manager = AddonManager(state)
        assert manager.upgrade(["fx_upgrade"]) == ["fx_upgrade"]
        records = state.records(sudo=True)
        assert "priority" in _columns("fx_upgrade_note")
        assert _notes(records) == {"alpha": "Alpha two", "beta": "Beta (edited by admin)", "delta": "Delta"}
        assert records.read("fx_thing", rated_id)["fx_upgrade.rating"] == 4
        assert db.session.get(AddonState, "fx_upgrade").installed_version == "1.1"

        # Uninstall keeps the tables unless asked, but removes what the add-on seeded.
        manager.uninstall("fx_upgrade")
        assert db.session.get(rated.__class__, rated_id) is None
        assert "fx_upgrade_note" in _tables()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExternalId).where(ExternalId.addon == "fx_upgrade")) == 0
        assert "fx_upgrade" not in state.active
        assert db.session.get(AddonState, "fx_upgrade").state.value == "uninstalled"

        manager.install(["fx_upgrade"])
        assert _notes(records) == {"alpha": "Alpha two", "beta": "Beta two", "delta": "Delta"}

        # With --drop-data its own tables and its extension table go; the extended section stays.
        manager.uninstall("fx_upgrade", drop_data=True)
        assert not {"fx_upgrade_note", "fx_upgrade_thing"} & _tables()
        assert "fx_base_thing" in _tables()
        first_id = db.session.scalars(sa.select(ExternalId.record_id).where(ExternalId.key == "first")).one()
        assert "fx_upgrade.rating" not in records.read("fx_thing", first_id)

        manager.install(["fx_upgrade"])
        assert {"fx_upgrade_note", "fx_upgrade_thing"} <= _tables()
        assert "priority" in _columns("fx_upgrade_note")
        assert _notes(records) == {"alpha": "Alpha two", "beta": "Beta two", "delta": "Delta"}


def _fresh(make_app, upgrade_paths):
    """A new app on the same database, as after a deployment of the new code."""
    return make_app(addons=[], paths=[FIXTURE_ADDONS, upgrade_paths])


def test_uninstall_is_refused_while_a_dependant_is_installed(make_app):
    app = make_app(addons=["fx_ext"])
    with app.app_context():
        manager = AddonManager(app.extensions["flowcase"])
        with pytest.raises(AddonError, match="fx_ext"):
            manager.uninstall("fx_base")
        assert db.session.get(AddonState, "fx_base").state.value == "installed"
        manager.uninstall("fx_ext", drop_data=True)
        manager.uninstall("fx_base", drop_data=True)
        assert "fx_base_thing" not in _tables()


def test_seeded_records_marked_noupdate_are_left_alone(make_app, upgrade_paths):
    app = make_app(addons=["fx_base"])
    with app.app_context():
        state = app.extensions["flowcase"]
        records = state.records(sudo=True)
        first = db.session.scalars(sa.select(ExternalId).where(ExternalId.key == "first")).one()
        first.noupdate = True
        records.update("fx_thing", first.record_id, {"amount": 1})  # unchanged value: no write
        thing = records.get("fx_thing", first.record_id)
        db.session.commit()
        AddonManager(state).upgrade(["fx_base"])
        assert records.get("fx_thing", thing.id).amount == 1


def test_a_failing_install_changes_nothing(make_app, tmp_path):
    broken = tmp_path / "broken_data"
    addon = broken / "fx_bad_data"
    (addon / "data").mkdir(parents=True)
    (addon / "__manifest__.py").write_text(
        '{"name": "Bad data", "version": "1.0", "depends": ["fx_base"], "data": ["data/bad.yaml"]}'
    )
    (addon / "data" / "bad.yaml").write_text(
        "- section: fx_thing\n  id: ok\n  values: {name: Fine}\n"
        "- section: fx_thing\n  id: bad\n  values: {name: Bad, amount: lots}\n"
    )
    app = make_app(addons=["fx_base"], paths=[FIXTURE_ADDONS, broken])
    with app.app_context():
        state = app.extensions["flowcase"]
        before = db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLog))
        with pytest.raises(AddonError, match=r"fx_bad_data.*bad\.yaml.*'bad'.*amount"):
            AddonManager(state).install(["fx_bad_data"])
        assert db.session.get(AddonState, "fx_bad_data") is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLog)) == before
        assert state.active == ["fx_base"]
