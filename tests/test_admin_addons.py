"""The add-ons screen: every action behind a confirmation that shows its consequences; refusals are messages."""
import sqlalchemy as sa

from core.models import AddonState, CustomField
from core.users import create_user


def test_install_and_uninstall_from_admin_with_confirmation(make_app):
    app = make_app(addons=[])
    with app.app_context():
        create_user("admin", "pw", superuser=True)
    client = app.test_client()
    assert client.post("/login", data={"login": "admin", "password": "pw"}).status_code == 302
    listing = client.get("/admin/addons/").get_data(as_text=True)
    assert 'data-addon="fx_ext"' in listing and "/admin/addons/install/fx_ext" in listing

    # Confirmation first: fx_base comes along as a dependency; nothing is installed yet.
    page = client.get("/admin/addons/install/fx_ext").get_data(as_text=True)
    assert "data-fc-dependencies" in page and "fx_base" in page and "restart the server" in page
    assert states(app) == {}
    response = client.post("/admin/addons/install/fx_ext", follow_redirects=True)
    assert "Installed: fx_base, fx_ext" in response.get_data(as_text=True)
    assert "Restart the server" in response.get_data(as_text=True)
    assert states(app) == {"fx_base": "installed", "fx_ext": "installed"}
    assert "fx_ext.colour" in [info.path for info in app.extensions["flowcase"].sections.get("fx_thing").fields()]

    # fx_ext depends on fx_base: the confirmation says so and offers no button; a forced POST is refused.
    page = client.get("/admin/addons/uninstall/fx_base").get_data(as_text=True)
    assert "data-fc-blockers" in page and "fx_ext" in page and "Confirm" not in page
    response = client.post("/admin/addons/uninstall/fx_base", follow_redirects=True)
    assert "Nothing was changed" in response.get_data(as_text=True) and "fx_ext" in response.get_data(as_text=True)
    assert states(app)["fx_base"] == "installed"

    # An add-on's own custom-field definition goes with --drop-data, with its table.
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        records.create("custom_field", {"section": "fx_thing", "name": "shade", "label": "Shade", "type": "text",
                                        "owner": "fx_ext"})
    page = client.get("/admin/addons/uninstall/fx_ext").get_data(as_text=True)
    assert "fx_ext_thing" in page.split("data-fc-tables", 1)[1] and "fx_thing.shade" in page
    response = client.post("/admin/addons/uninstall/fx_ext", data={"drop_data": "1"}, follow_redirects=True)
    assert "Uninstalled: fx_ext" in response.get_data(as_text=True)
    assert states(app)["fx_ext"] == "uninstalled"
    with app.app_context():
        from core.extensions import db

        assert not sa.inspect(db.engine).has_table("fx_ext_thing")
        assert db.session.scalars(sa.select(CustomField.name)).all() == []


def test_bad_requests_are_messages(make_app):
    app = make_app(addons=["fx_base"])
    with app.app_context():
        create_user("admin", "pw", superuser=True)
    client = app.test_client()
    client.post("/login", data={"login": "admin", "password": "pw"})
    assert "Unknown add-on" in client.get("/admin/addons/install/nope", follow_redirects=True).get_data(as_text=True)
    assert "Unknown add-on" in client.post("/admin/addons/explode/fx_base", follow_redirects=True).get_data(as_text=True)
    page = client.get("/admin/addons/install/fx_base").get_data(as_text=True)
    assert "data-fc-refusal" in page and "already installed" in page
    response = client.post("/admin/addons/upgrade/fx_ext", follow_redirects=True)
    assert response.status_code == 200 and "Nothing was changed" in response.get_data(as_text=True)


def states(app):
    with app.app_context():
        from core.extensions import db

        return {row.name: row.state.value for row in db.session.scalars(sa.select(AddonState))}
