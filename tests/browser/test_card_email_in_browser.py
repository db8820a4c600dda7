"""Send an email from an account card to one of its contacts, in real Chromium, delivered to a loopback SMTP server."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.smtp_support import mail_config, smtp_server  # noqa: F401


def test_send_an_email_from_an_account_card_and_see_it_in_the_contacts_history(live_server, page, shot, smtp_server):  # noqa: F811
    base_url, app = live_server
    inbox, port = smtp_server
    saved = {key: app.config.get(key) for key in mail_config(port)}
    app.config.update(mail_config(port))
    try:
        with app.app_context():
            records = app.extensions["flowcase"].records(sudo=True)
            with records.transaction():
                account = records.create("account", {"name": "Irbis Motors"})
                contact = records.create("contact", {"first_name": "Oleg", "last_name": "Marchenko",
                                                     "email": "oleg@irbis.test", "account_id": account.id})
            account_id, contact_id = account.id, contact.id
        log_in(page, base_url, "admin")
        page.goto(f"{base_url}/account/{account_id}")
        page.get_by_role("link", name="Send email").click()
        expect(page).to_have_url(re.compile(rf"/account/{account_id}/email$"))
        page.select_option("select[name=to]", value=f"contact:{contact_id}:oleg@irbis.test")
        page.fill("input[name=subject]", "Snowmobile prices")
        page.fill("textarea[name=body]", "The 2027 price list is attached.")
        shot(page, "compose")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page).to_have_url(re.compile(rf"/account/{account_id}$"))
        expect(page.locator(".alert")).to_contain_text("oleg@irbis.test")
        assert [m["Subject"] for m in inbox.messages] == ["Snowmobile prices"]
        page.goto(f"{base_url}/contact/{contact_id}")
        expect(page.locator("[data-fc-timeline]")).to_contain_text("Snowmobile prices")
        shot(page, "contact-history")
    finally:
        app.config.update(saved)
