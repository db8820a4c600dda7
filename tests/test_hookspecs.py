"""The hook contract: every spec documented and exercised, and each one doing what it says."""
import inspect
from pathlib import Path

import pluggy
import pytest
import sqlalchemy as sa

from core import hookspecs
from core.addons.manager import AddonManager
from core.config import PROJECT_ROOT
from core.errors import AccessDenied, ValidationError
from core.extensions import db
from core.users import create_user

SPECS = [name for name, obj in vars(hookspecs).items() if name.startswith("flowcase_") and callable(obj)]


def test_every_hook_is_named_documented_and_exercised_by_a_test():
    sources = "\n".join(
        path.read_text(encoding="utf-8")
        for pattern in ("tests/**/*.py", "addons/*/tests/**/*.py", "addons/*/hooks.py")
        for path in PROJECT_ROOT.glob(pattern)
    )
    for name in SPECS:
        assert name.startswith(("flowcase_register_", "flowcase_record_", "flowcase_addon_", "flowcase_demo_", "flowcase_template_",
                                "flowcase_timeline_", "flowcase_owner_", "flowcase_contact_", "flowcase_email_")), name
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc) > 40, f"{name} needs a docstring saying when it runs and what it returns"
        assert sources.count(name) >= 1 and name in sources, f"{name} is not used by any test or add-on"


def test_an_implementation_without_a_spec_fails_loudly():
    from core.plugins import hookimpl

    class Typo:
        @staticmethod
        @hookimpl
        def flowcase_record_aftr_create(event):
            pass

    pm = pluggy.PluginManager("flowcase")
    pm.add_hookspecs(hookspecs)
    pm.register(Typo)
    with pytest.raises(pluggy.PluginValidationError):
        pm.check_pending()


@pytest.mark.addons("fx_base")
def test_before_hooks_adjust_or_refuse_writes(app_ctx):
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    thing = records.create("fx_thing", {"name": "No amount"})
    assert thing.amount == 0  # flowcase_record_before_create filled it
    with pytest.raises(ValidationError, match="is reserved"):
        records.update("fx_thing", thing, {"name": "locked"})  # flowcase_record_before_update
    records.set_stage("fx_thing", thing.id, "won")
    with pytest.raises(ValidationError, match="won things are kept"):
        records.delete("fx_thing", thing.id)  # flowcase_record_before_delete
    db.session.expire_all()
    assert records.get("fx_thing", thing.id).name == "No amount"


@pytest.mark.addons("fx_base")
def test_access_hook_denies_writes(app_ctx):
    state = app_ctx.extensions["flowcase"]
    reader = create_user("readonly", "pw")
    thing = state.records(sudo=True).create("fx_thing", {"name": "Visible"})
    as_reader = state.records(user=reader)
    assert as_reader.get("fx_thing", thing.id).name == "Visible"  # flowcase_record_access abstains on read
    with pytest.raises(AccessDenied):
        as_reader.update("fx_thing", thing.id, {"name": "Changed"})
    with pytest.raises(AccessDenied):
        as_reader.create("fx_thing", {"name": "New"})
    anonymous = state.records(user=None)
    with pytest.raises(Exception):
        anonymous.create("fx_thing", {"name": "From nowhere"})


def test_lifecycle_and_demo_hooks_run_for_their_own_addon(make_app):
    app = make_app(addons=["fx_ext"])
    with app.app_context():
        from flowcase_addons.fx_base import hooks

        state = app.extensions["flowcase"]
        manager = AddonManager(state)
        hooks.LIFECYCLE.clear()
        manager.uninstall("fx_ext")
        assert hooks.LIFECYCLE == []  # fx_ext has no implementation; fx_base's is not called for it
        manager.uninstall("fx_base")
        manager.install(["fx_base"])
        assert hooks.LIFECYCLE == ["uninstalling fx_base", "installed fx_base"]
        assert manager.load_demo(scale=3) == []  # flowcase_demo_generate made three things
        names = set(db.session.scalars(sa.text("SELECT name FROM fx_base_thing")))
        assert {"Generated 1", "Generated 2", "Generated 3", "Demo thing"} <= names


def test_page_hooks_blueprints_templates_slots_menus_and_admin_views(make_app):
    app = make_app(addons=["fx_base"])
    client = app.test_client()
    with app.app_context():
        create_user("admin", "pw", superuser=True)
        create_user("clerk", "pw")
    # flowcase_register_blueprints + flowcase_register_template_folders
    assert b"hello from an extra template folder" in client.get("/fx-hello").data
    client.post("/login", data={"login": "clerk", "password": "pw"})
    # flowcase_register_admin_views: admins only
    assert client.get("/admin/fx_hello/").status_code == 403
    client.post("/logout")
    client.post("/login", data={"login": "admin", "password": "pw"})
    home = client.get("/").get_data(as_text=True)
    assert 'id="fx-slot"' in home  # flowcase_template_slot
    assert 'href="/fx_thing/"' in home  # flowcase_register_menus
    assert client.get("/admin/fx_hello/").data == b"fx admin view"
    assert b'data-addon="fx_base"' in client.get("/admin/addons/").data
