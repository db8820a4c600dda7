"""The section wizard: a custom field added in /admin shows on the card and the form at once, no restart."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_a_custom_field_added_in_admin_appears_on_the_card(live_server, page, shot):
    base_url, app = live_server
    with app.app_context():
        account = app.extensions["flowcase"].records(sudo=True).create("account", {"name": "Wizard Works"})
        account_id = account.id
    log_in(page, base_url, "admin")
    page.goto(f"{base_url}/admin/custom_fields/new/")
    page.select_option("select[name=section]", "account")
    page.fill("input[name=name]", "loyalty_level")
    page.fill("input[name=label]", "Loyalty level")
    page.select_option("select[name=type]", "text")
    shot(page, "wizard-form")
    page.locator("form [type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/new/"))
    shot(page, "wizard-saved")
    # The same running server: the edit form and the card know the new field.
    page.goto(f"{base_url}/account/{account_id}/edit")
    field = page.get_by_label("Loyalty level")
    expect(field).to_be_visible()
    field.fill("Gold")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/account/{account_id}$"))
    expect(page.locator(".tab-content")).to_contain_text("Loyalty level")
    expect(page.locator(".tab-content")).to_contain_text("Gold")
    shot(page, "card-with-custom-field")
