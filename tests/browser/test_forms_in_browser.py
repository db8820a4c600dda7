"""Log in, create an account through the generated form, hit a validation error and fix it."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_log_in_and_create_an_account(live_server, page, shot):
    base_url, _app = live_server
    page.goto(f"{base_url}/account/")
    expect(page).to_have_url(re.compile(r"/login"))  # pages need a signed-in user
    shot(page, "login-page")
    log_in(page, base_url, "admin")
    page.goto(f"{base_url}/account/")
    page.get_by_role("link", name="New", exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/new$"))
    page.fill("input[name=name]", "Volga Steel")
    page.fill("input[name=phone]", "+7 843 200-00-00")
    shot(page, "account-form")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/account/\d+$"))
    expect(page.locator("h1")).to_contain_text("Volga Steel")
    shot(page, "account-card")
    page.goto(f"{base_url}/account/?q=Volga")
    expect(page.locator("table[data-section=account] tbody tr")).to_have_count(1)


def test_a_validation_error_is_shown_by_the_field_and_fixed(live_server, page, shot):
    base_url, _app = live_server
    log_in(page, base_url, "alice")
    page.goto(f"{base_url}/contact/new")
    page.fill("input[name=last_name]", "Sokolova")
    page.fill("input[name=first_name]", "Irina")
    page.fill("input[name=email]", "irina.example.com")
    page.get_by_role("button", name="Save").click()
    email = page.locator("input[name=email]")
    expect(email).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(".invalid-feedback")).to_contain_text("must contain @")
    expect(page.locator("input[name=last_name]")).to_have_value("Sokolova")  # nothing the user typed is lost
    shot(page, "contact-email-error")
    email.fill("irina@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/contact/\d+$"))
    expect(page.locator("h1")).to_contain_text("Sokolova")
    shot(page, "contact-saved")
