"""Search and filter a list; switch the interface to Russian through the browser's language."""
import json
import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def _accounts(app, rows):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        for name, city in rows:
            records.create("account", {"name": name, "city": city})


def test_search_and_filter_a_list(live_server, page, shot):
    base_url, app = live_server
    _accounts(app, [("Kama Trucks Lst", "Naberezhnye Chelny"), ("Kama Tyres Lst", "Nizhnekamsk"),
                    ("Ural Mining Lst", "Yekaterinburg")])
    log_in(page, base_url, "admin")
    page.goto(f"{base_url}/account/")
    rows = page.locator("table[data-section=account] tbody tr")
    page.fill("#fc-q", "Lst")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(3)
    page.fill("#fc-q", "Kama")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    shot(page, "searched")
    page.fill("#fc-filter", json.dumps({"field": "city", "op": "eq", "value": "Nizhnekamsk"}))
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kama Tyres Lst")
    shot(page, "filtered")
    page.fill("#fc-filter", '{"field": "nope"')  # a typing mistake is a message, not a 500
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("[data-fc-error]")).to_be_visible()
    shot(page, "bad-filter")


def test_the_interface_speaks_russian(live_server, make_page, shot):
    base_url, _app = live_server
    page = make_page(locale="ru-RU")
    page.goto(f"{base_url}/login")
    expect(page.locator("h1")).to_have_text("Вход в Flowcase")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^ru"))
    shot(page, "login-ru")
    log_in(page, base_url, "bob")
    page.goto(f"{base_url}/account/")
    expect(page.locator("h1")).to_have_text("Контрагенты")
    expect(page.get_by_role("button", name="Применить")).to_be_visible()
    page.goto(f"{base_url}/account/new")
    expect(page.get_by_role("button", name="Сохранить")).to_be_visible()
    shot(page, "account-form-ru")
