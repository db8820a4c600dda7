"""A running web process picks up add-ons another process installed, without a restart."""
from core import create_app
from core.addons.manager import AddonManager
from core.extensions import db
from core.users import create_user


def test_sections_installed_by_another_process_appear_on_the_next_request(make_app):
    web = make_app(FLOWCASE_ADDON_CHECK_SECONDS=0)
    with web.app_context():
        create_user("admin", "pw", superuser=True)
    client = web.test_client()
    client.post("/login", data={"login": "admin", "password": "pw"})
    assert client.get("/fx_thing/").status_code == 404

    cli = create_app(web.config)  # as `flowcase addons install` in another process
    with cli.app_context():
        AddonManager(cli.extensions["flowcase"]).install(["fx_base"])
        db.session.remove()

    page = client.get("/fx_thing/")
    assert page.status_code == 200 and "First" in page.get_data(as_text=True)
    assert web.extensions["flowcase"].active == ["fx_base"]

    with cli.app_context():
        AddonManager(cli.extensions["flowcase"]).uninstall("fx_base")
        db.session.remove()
    assert client.get("/fx_thing/").status_code == 404
