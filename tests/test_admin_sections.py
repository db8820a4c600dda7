"""Flask-Admin section views: superusers only, and every read and write through the records service."""
import importlib

import pytest
import sqlalchemy as sa
from flask_login import login_user
from werkzeug.exceptions import NotFound

from core.admin_sections import SectionAdminView
from core.models import ChangeLog
from core.users import create_user


def sign_in(client, login):
    assert client.post("/login", data={"login": login, "password": "pw"}).status_code == 302


def log_rows(app, section):
    with app.app_context():
        from core.extensions import db

        return db.session.execute(sa.select(ChangeLog.operation, ChangeLog.field, ChangeLog.new_value)
                                  .where(ChangeLog.section == section).order_by(ChangeLog.id)).all()


@pytest.mark.addons("crm")
def test_lookups_are_registered_and_refuse_non_superusers(app, client):
    with app.app_context():
        create_user("admin", "pw", superuser=True)
        create_user("alice", "pw")
    assert client.get("/admin/lookups/industry/").status_code == 302  # anonymous: to the login page
    sign_in(client, "alice")
    for url in ("/admin/lookups/industry/", "/admin/lookups/industry/new/", "/admin/change_log/",
                "/admin/custom_fields/", "/admin/addons/", "/admin/addons/install/crm"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/lookups/industry/new/", data={"name": "Sneaky"}).status_code == 403
    client.get("/logout")
    sign_in(client, "admin")
    text = client.get("/admin/").get_data(as_text=True)
    for name in ("industry", "account_type", "activity_type", "activity_result"):
        assert f"/admin/lookups/{name}/" in text
        assert client.get(f"/admin/lookups/{name}/").status_code == 200


@pytest.mark.addons("crm")
def test_lookup_create_edit_delete_through_the_records_service(app, client):
    with app.app_context():
        create_user("admin", "pw", superuser=True)
    sign_in(client, "admin")
    response = client.post("/admin/lookups/industry/new/", data={"name": "Aerospace", "code": "aero"})
    assert response.status_code == 302
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        model = records.section("industry").model
        industry = records.session.scalars(sa.select(model).where(model.code == "aero")).one()
        industry_id, version = industry.id, industry.version
    assert log_rows(app, "industry")[-1][0] == "create"

    # A required field left empty: the message by the field, nothing written, no 500.
    response = client.post(f"/admin/lookups/industry/edit/?id={industry_id}", data={"name": "", "code": "aero",
                                                                                     "version": version})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "is required" in text and "Not saved" in text
    response = client.post(f"/admin/lookups/industry/edit/?id={industry_id}",
                           data={"name": "Aerospace & defence", "code": "aero", "version": version})
    assert response.status_code == 302
    assert log_rows(app, "industry")[-1] == ("update", "name", "Aerospace & defence")

    # A stale version is a conflict message, not a lost update.
    response = client.post(f"/admin/lookups/industry/edit/?id={industry_id}",
                           data={"name": "Overwritten", "code": "aero", "version": version})
    assert "changed by someone else" in response.get_data(as_text=True)
    response = client.post("/admin/lookups/industry/delete/", data={"id": industry_id})
    assert response.status_code == 302
    assert log_rows(app, "industry")[-1][0] == "delete"
    assert client.get(f"/admin/lookups/industry/edit/?id={industry_id}").status_code == 404


@pytest.fixture
def things_admin(make_app):
    """fx_thing (hooks that record events) in a SectionAdminView, as an add-on could add one."""
    app = make_app(addons=["fx_base", "fx_own_only"])
    state = app.extensions["flowcase"]
    view = SectionAdminView(state.sections.get("fx_thing"), endpoint="fx_things", url="/admin/fx_things")
    app.extensions["flowcase_admin"].add_view(view)
    with app.app_context():
        create_user("admin", "pw", superuser=True)
    return app, view


def test_admin_writes_fire_hooks_and_validation_errors_show(things_admin):
    app, _view = things_admin
    hooks = importlib.import_module("flowcase_addons.fx_base.hooks")
    hooks.EVENTS.clear()
    client = app.test_client()
    sign_in(client, "admin")
    response = client.post("/admin/fx_things/new/", data={"name": "invalid", "stage": "new"})
    assert response.status_code == 200
    assert "must not be &#39;invalid&#39;" in response.get_data(as_text=True)  # the add-on's validation hook
    assert hooks.EVENTS == []
    assert client.post("/admin/fx_things/new/", data={"name": "From admin", "stage": "new"}).status_code == 302
    assert [event[0] for event in hooks.EVENTS] == ["created"]
    assert ("create", None) == log_rows(app, "fx_thing")[-1][:2]


def test_get_one_of_a_record_the_rights_hide_is_404(things_admin):
    app, view = things_admin
    with app.app_context():
        limited = create_user("limited_bob", "pw")
        other = create_user("carol", "pw")
        records = app.extensions["flowcase"].records(sudo=True)
        hidden = records.create("fx_thing", {"name": "Carol's", "owner_id": other.id}).id
        mine = records.create("fx_thing", {"name": "Bob's", "owner_id": limited.id}).id
        limited_id = limited.id
    with app.test_request_context("/admin/fx_things/"):
        from core.extensions import db
        from core.models import User

        login_user(db.session.get(User, limited_id))
        assert view.get_one(str(mine)).name == "Bob's"
        with pytest.raises(NotFound):
            view.get_one(str(hidden))
        assert [thing.name for thing in view.get_query().all()] == ["Bob's"]
        assert view.get_count_query().scalar() == 1
