"""Global search from the top navigation, bulk "change owner" on a list, and inline rows of a card's detail grid."""
import re

import sqlalchemy as sa
from playwright.sync_api import expect

from core.extensions import db
from core.models import User
from tests.browser.conftest import log_in


def _user_id(app, login):
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.login == login))


def _owners(app, names):
    with app.app_context():
        account = app.extensions["flowcase"].sections.get("account").model
        return dict(db.session.execute(sa.select(account.name, account.owner_id).where(account.name.in_(names))).all())


def test_global_search_from_the_navigation(live_server, page, shot):
    base_url, app = live_server
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        for i in range(7):
            records.create("account", {"name": f"Zephyr Works {i}"})
        records.create("contact", {"last_name": "Zephyrova"})
    log_in(page, base_url, "admin")
    page.goto(f"{base_url}/account/")
    box = page.locator("[data-fc-global-search] input[name=q]")
    box.fill("zephyr")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=zephyr"))
    accounts = page.locator('[data-fc-search-section="account"] li')
    expect(accounts).to_have_count(5)
    expect(page.locator('[data-fc-search-section="contact"] li')).to_have_count(1)
    shot(page, "results")
    page.locator('[data-fc-search-section="account"] [data-fc-search-more]').click()
    page.wait_for_url(re.compile(r"/account/\?q=zephyr"))
    expect(page.locator("table[data-section=account] tbody tr")).to_have_count(7)
    shot(page, "more-in-the-list")


def test_bulk_change_owner_of_checked_and_of_all_matching(live_server, page, shot):
    base_url, app = live_server
    names = [f"Bulkco {i}" for i in range(4)]
    alice = _user_id(app, "alice")
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        for name in names:
            records.create("account", {"name": name, "owner_id": alice})
    bob = _user_id(app, "bob")
    log_in(page, base_url, "manager")
    page.goto(f"{base_url}/account/?q=Bulkco&sort=name")
    rows = page.locator("table[data-section=account] tbody tr")
    expect(rows).to_have_count(4)
    rows.nth(0).locator("input[name=ids]").check()
    rows.nth(1).locator("input[name=ids]").check()
    page.select_option("[data-fc-bulk-owner] select[name=owner_id]", str(bob))
    shot(page, "two-checked")
    page.locator("[data-fc-bulk-owner-submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("2 records given to")
    assert sorted(_owners(app, names).values()) == sorted([bob, bob, alice, alice])
    shot(page, "two-changed")
    # All matching the filter: a confirmation page first, then every match.
    page.select_option("[data-fc-bulk-owner] select[name=owner_id]", str(bob))
    page.locator("[data-fc-bulk-owner] input[name=all_matching]").check()
    page.locator("[data-fc-bulk-owner-submit]").click()
    expect(page.locator("[data-fc-bulk-confirm]")).to_contain_text("4")
    shot(page, "confirm-all")
    page.get_by_role("button", name="Change owner").click()
    expect(page.locator(".alert-success")).to_contain_text("4 records given to")
    assert set(_owners(app, names).values()) == {bob}


def test_inline_add_and_edit_in_a_detail_grid(live_server, page, shot):
    base_url, app = live_server
    alice = _user_id(app, "alice")
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        account_id = records.create("account", {"name": "Gridline Ltd", "owner_id": alice}).id
    log_in(page, base_url, "alice")
    page.goto(f"{base_url}/account/{account_id}")
    page.get_by_role("tab", name="Activities").click()
    pane = page.locator('[data-detail="activity"]')
    pane.locator("[data-fc-row-add]").click()
    new_row = pane.locator("tr[data-fc-new-row]")
    expect(new_row).to_be_visible()
    new_row.locator("[data-fc-row-save]").click()  # no subject: the message shows in the row
    expect(pane.locator('[data-fc-row-error="subject"]')).to_be_visible()
    shot(page, "row-error")
    pane.locator("tr[data-fc-new-row] input[name=subject]").fill("Call from the grid")
    pane.locator("tr[data-fc-new-row] [data-fc-row-save]").click()
    saved = pane.locator("tbody tr[data-id]", has_text="Call from the grid")
    expect(saved).to_have_count(1)
    saved.locator("[data-fc-row-edit]").click()
    editing = pane.locator("tr[data-id-editing]")
    editing.locator("input[name=subject]").fill("Call from the grid, moved")
    editing.locator("[data-fc-row-save]").click()
    expect(pane.locator("tbody tr[data-id]", has_text="Call from the grid, moved")).to_have_count(1)
    shot(page, "row-edited")
    page.reload()
    page.get_by_role("tab", name="Activities").click()
    expect(page.locator('[data-detail="activity"] tbody tr[data-id]', has_text="Call from the grid, moved")).to_have_count(1)
