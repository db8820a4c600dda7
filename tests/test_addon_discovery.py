"""Finding add-ons and ordering them; broken manifests, missing dependencies and cycles."""
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.addons.dependencies import dependency_order
from core.addons.discovery import discover
from core.addons.manager import AddonManager
from core.errors import AddonError
from core.extensions import db
from core.models import AddonState
from core.testing import FIXTURE_ADDONS


def write_addon(folder: Path, name: str, depends=(), manifest: str | None = None, init: str = "") -> Path:
    path = folder / name
    path.mkdir(parents=True)
    (path / "__manifest__.py").write_text(
        manifest if manifest is not None else repr({"name": name.title(), "version": "1.0", "depends": list(depends)})
    )
    (path / "__init__.py").write_text(init)
    return path


def config(*paths, entry_points=False):
    return {
        "FLOWCASE_USE_BUNDLED_ADDONS": False,
        "FLOWCASE_USE_ENTRY_POINTS": entry_points,
        "FLOWCASE_ADDONS_PATH": ":".join(str(p) for p in paths),
    }


def test_folder_addons_are_found_without_importing_them(tmp_path):
    write_addon(tmp_path, "zz_loud", init="raise RuntimeError('imported during discovery')")
    manifests = discover(config(tmp_path, FIXTURE_ADDONS))
    assert {"zz_loud", "fx_base", "fx_ext"} <= manifests.keys()
    assert manifests["fx_ext"].depends == ("fx_base",)
    assert manifests["zz_loud"].module == "flowcase_addons.zz_loud"
    assert "flowcase_addons.zz_loud" not in sys.modules


def test_pip_installed_addon_is_found_through_its_entry_point():
    manifests = discover(config(entry_points=True))
    sample = manifests["ep_sample"]
    assert sample.origin == "entry point"
    assert sample.module == "flowcase_ep_sample"
    assert sample.name == "Entry-point sample"
    assert "site-packages" in str(sample.path)


def test_entry_point_addon_installs_and_its_hooks_run(make_app):
    from core.jobs import enqueue

    app = make_app(addons=["ep_sample"], FLOWCASE_USE_ENTRY_POINTS=True)
    with app.app_context():
        assert "ep_sample" in app.extensions["flowcase"].active
        assert enqueue("ep_sample.echo", word="hi") == {"echo": {"word": "hi"}}


def test_dependencies_come_first_and_ties_go_by_name(tmp_path):
    write_addon(tmp_path, "sales_x", depends=["crm_x"])
    write_addon(tmp_path, "crm_x")
    write_addon(tmp_path, "alpha_x", depends=["crm_x"])
    write_addon(tmp_path, "tenders_x", depends=["sales_x", "alpha_x"])
    manifests = discover(config(tmp_path))
    assert dependency_order(manifests, ["tenders_x"]) == ["crm_x", "alpha_x", "sales_x", "tenders_x"]


@pytest.mark.parametrize("manifest, message", [
    ("{'name': 'Broken', 'version': '1.0',", "must be one literal dict"),
    ("{'name': 'Broken', 'version': __import__('os').getcwd()}", "must be one literal dict"),
    ("['not', 'a', 'dict']", "must be a dict"),
    ("{'name': 'Broken'}", "has no 'version'"),
    ("{'name': 'Broken', 'version': '1.0', 'depends': 'crm'}", "'depends' must be a list"),
    ("{'name': 'Broken', 'version': '1.0', 'colour': 'red'}", "unknown manifest key 'colour'"),
])
def test_broken_manifest_names_the_addon_and_file(tmp_path, manifest, message):
    path = write_addon(tmp_path, "broken_one", manifest=manifest)
    with pytest.raises(AddonError) as caught:
        discover(config(tmp_path))
    text = str(caught.value)
    assert "broken_one" in text and str(path / "__manifest__.py") in text and message in text


def test_missing_dependency_fails_naming_both_and_installs_nothing(make_app, tmp_path):
    path = write_addon(tmp_path, "needs_ghost", depends=["fx_base", "ghost"])
    app = make_app(paths=[FIXTURE_ADDONS, tmp_path])
    with app.app_context():
        with pytest.raises(AddonError) as caught:
            AddonManager(app.extensions["flowcase"]).install(["needs_ghost"])
        assert "needs_ghost" in str(caught.value) and "'ghost'" in str(caught.value)
        assert str(path / "__manifest__.py") in str(caught.value)
        assert db.session.scalars(sa.select(AddonState)).all() == []
        assert "fx_base_thing" not in sa.inspect(db.engine).get_table_names()


def test_dependency_cycle_fails_naming_the_cycle_and_installs_nothing(make_app, tmp_path):
    write_addon(tmp_path, "cyc_a", depends=["cyc_b"])
    write_addon(tmp_path, "cyc_b", depends=["cyc_c"])
    write_addon(tmp_path, "cyc_c", depends=["cyc_a", "fx_base"])
    app = make_app(paths=[FIXTURE_ADDONS, tmp_path])
    with app.app_context():
        with pytest.raises(AddonError) as caught:
            AddonManager(app.extensions["flowcase"]).install(["cyc_a"])
        text = str(caught.value)
        assert "cycle" in text and all(name in text for name in ("cyc_a", "cyc_b", "cyc_c"))
        assert db.session.scalars(sa.select(AddonState)).all() == []
        assert "fx_base_thing" not in sa.inspect(db.engine).get_table_names()


def test_same_addon_in_two_folders_is_an_error(tmp_path):
    write_addon(tmp_path / "one", "twin")
    write_addon(tmp_path / "two", "twin")
    with pytest.raises(AddonError, match="twin.*found twice"):
        discover(config(tmp_path / "one", tmp_path / "two"))
