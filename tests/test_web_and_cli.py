"""The doors that exist in the kernel: the login page, the home page and the CLI."""
import re

import pytest
import sqlalchemy as sa

from core import create_app
from core.extensions import db
from core.models import AddonState, AddonStatus, User
from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")


def login(client, user, password):
    return client.post("/login", data={"login": user, "password": password})


def test_home_needs_login_and_then_lists_installed_addons_and_sections(app, client):
    with app.app_context():
        create_user("admin", "s3cret", superuser=True)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert b"Log in to Flowcase" in client.get("/login").data

    assert login(client, "admin", "wrong").status_code == 401
    response = login(client, "admin", "s3cret")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert 'data-addon="fx_base"' in page and 'data-addon="fx_ext"' in page
    assert 'data-section="fx_thing"' in page and "Things" in page
    assert "X-Frame-Options" in client.get("/").headers


def test_login_never_redirects_off_site(app, client):
    with app.app_context():
        create_user("admin", "s3cret", superuser=True)
    response = client.post("/login?next=//evil.example/x", data={"login": "admin", "password": "s3cret"})
    assert response.headers["Location"] == "/"


def test_pages_speak_russian_when_the_browser_asks(app, client):
    page = client.get("/login", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Войти" in page


def test_passwords_are_stored_as_slow_hashes(app_ctx):
    user = create_user("someone", "pa55word")
    assert user.password_hash.startswith("scrypt:") and "pa55word" not in user.password_hash
    assert user.check_password("pa55word") and not user.check_password("other")


def test_cli_init_installs_defaults_and_prints_a_generated_password_once(make_app, database, tmp_path):
    app = make_app(FLOWCASE_DEFAULT_ADDONS=["fx_ext"])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["flowcase", "init"])
    assert result.exit_code == 0, result.output
    assert "Installed: fx_base, fx_ext" in result.output
    password = re.search(r"password: (\S+)", result.output).group(1)
    with app.app_context():
        admin = db.session.scalars(sa.select(User).where(User.login == "admin")).one()
        assert admin.is_superuser and admin.check_password(password)
    again = runner.invoke(args=["flowcase", "init"])
    assert again.exit_code == 0 and "password" not in again.output


def test_cli_addons_list_install_upgrade_uninstall(make_app):
    app = make_app()
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["flowcase", "addons", "list"]).output
    assert re.search(r"fx_ext\s+uninstalled\s+-\s+1.0\s+fx_base", listing)
    assert "Installed: fx_base, fx_ext" in runner.invoke(args=["flowcase", "addons", "install", "fx_ext"]).output
    assert "Upgraded: fx_base, fx_ext" in runner.invoke(args=["flowcase", "addons", "upgrade"]).output
    refused = runner.invoke(args=["flowcase", "addons", "uninstall", "fx_base"])
    assert refused.exit_code == 1 and "fx_ext depend on it" in refused.output
    done = runner.invoke(args=["flowcase", "addons", "uninstall", "fx_ext", "--drop-data"])
    assert done.exit_code == 0 and "tables dropped" in done.output
    missing = runner.invoke(args=["flowcase", "addons", "install", "nope"])
    assert missing.exit_code == 1 and "'nope' is not found" in missing.output
    with app.app_context():
        assert db.session.get(AddonState, "fx_ext").state.value == "uninstalled"


def test_cli_user_create_and_demo_users(make_app):
    app = make_app()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["flowcase", "user", "create", "carol", "--name", "Carol", "--password", "pw"])
    assert result.exit_code == 0, result.output
    taken = runner.invoke(args=["flowcase", "user", "create", "carol", "--password", "pw"])
    assert taken.exit_code == 1 and "taken" in taken.output
    demo = runner.invoke(args=["flowcase", "demo"])
    assert demo.exit_code == 0, demo.output
    with app.app_context():
        logins = {u.login: u for u in db.session.scalars(sa.select(User))}
        assert {"admin", "manager", "alice", "bob", "carol"} <= logins.keys()
        assert logins["admin"].check_password("admin") and logins["admin"].is_superuser
        assert logins["alice"].manager_id == logins["manager"].id
        # The demo tells the cases' whole story: every bundled business add-on with its data.
        installed = set(db.session.scalars(sa.select(AddonState.name).where(AddonState.state == AddonStatus.INSTALLED)))
        assert set(app.config["FLOWCASE_DEMO_ADDONS"]) <= installed
        for table in ("sales_opportunity", "tenders_tender", "contracts_contract", "projects_project"):
            assert db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")) > 0, table


def test_app_starts_on_an_empty_database(database, tmp_path):
    from core.testing import test_config

    app = create_app(test_config(database, tmp_path))
    assert app.extensions["flowcase"].active == []
