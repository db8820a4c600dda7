"""Data files: the ``{user: login}`` and ``{days: N, at: "HH:MM"}`` value forms, and lazy messages in errors."""
from datetime import date, datetime, timedelta, timezone

import pytest
from flask_babel import lazy_gettext as _l

from core.addons import data
from core.addons.manifest import Manifest
from core.errors import AddonError, ValidationError
from core.users import create_user

pytestmark = pytest.mark.addons("fx_base")


def _manifest(tmp_path, text):
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "things.yaml").write_text(text, encoding="utf-8")
    return Manifest(technical_name="fx_base", name="x", version="1", path=tmp_path, module="x",
                    data=("data/things.yaml",))


def test_users_by_login_and_relative_dates(app_ctx, tmp_path):
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    alice = create_user("alice", "secret-password", name="Alice")
    manifest = _manifest(tmp_path, """
- section: fx_thing
  id: owned
  values: {name: Owned, owner_id: {user: alice}}
""")
    data.load_files(records, manifest, manifest.data)
    thing = records.get("fx_thing", data.ref(records.session, "owned", "fx_base"))
    assert thing.owner_id == alice.id

    today = datetime.now(timezone.utc).date()
    assert data.relative_moment(-3) == today - timedelta(days=3)
    assert data.relative_moment(2, "10:30") == datetime.combine(today + timedelta(days=2), datetime.min.time(),
                                                                tzinfo=timezone.utc).replace(hour=10, minute=30)
    assert isinstance(data.relative_moment(0), date)


def test_unknown_login_and_bad_dates_name_the_problem(app_ctx, tmp_path):
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    manifest = _manifest(tmp_path, """
- section: fx_thing
  id: orphan
  values: {name: Orphan, owner_id: {user: nobody}}
""")
    with pytest.raises(AddonError, match="nobody"):
        data.load_files(records, manifest, manifest.data)
    with pytest.raises(AddonError, match="relative date"):
        data.relative_moment("soon")
    with pytest.raises(AddonError, match="relative date"):
        data.relative_moment(1, 630)  # YAML reads an unquoted 10:30 as 630


def test_validation_error_accepts_one_lazy_message(app_ctx):
    error = ValidationError(_l("The database refused the change"))
    assert list(error.errors) == [""]
    assert str(error) == "The database refused the change"
