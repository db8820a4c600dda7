"""Web forms: a landing page on another site posts to /forms/<slug>/submit and a lead appears.

Scenarios through the public door (the test client as a browser on another
origin) and the admin screen; the refusals (origin, honeypot, rate, size)
must leave nothing written.
"""
import pytest
import sqlalchemy as sa

from core.extensions import db
from core.state import get_state
from core.users import create_user

LANDING = "https://landing.example.com"
FIELDS = """person_name | Your name | required
email | Email
phone | Phone
need | What do you need"""


def make_form(app, **overrides):
    with app.app_context():
        values = {"name": "Spring campaign", "slug": "spring", "section": "lead", "fields": FIELDS,
                  "defaults": "source = web_form\nneed = Spring campaign", "allowed_origins": LANDING,
                  "success_message": "Thanks!", "active": True, **overrides}
        return get_state().records(sudo=True).create("web_form", values).id


def leads(app):
    with app.app_context():
        return db.session.execute(sa.text("SELECT person_name, email, source, need, contact_id FROM sales_lead")).all()


def post(client, payload, origin=LANDING, slug="spring", **kwargs):
    headers = {"Origin": origin} if origin else {}
    return client.post(f"/forms/{slug}/submit", json=payload, headers=headers, **kwargs)


@pytest.mark.addons("sales")
def test_a_submission_from_the_landing_page_creates_a_lead_with_the_hidden_defaults(app, client):
    make_form(app)
    response = post(client, {"person_name": "Ivan Petrov", "email": "ivan@example.com", "need": "ignored: default wins"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == LANDING
    assert response.json["ok"] is True and response.json["message"] == "Thanks!"
    assert leads(app) == [("Ivan Petrov", "ivan@example.com", "web_form", "Spring campaign", None)]
    # Form-encoded, as the embedded snippet posts it, works too.
    response = client.post("/forms/spring/submit", data={"person_name": "Anna", "website_url": ""},
                           headers={"Origin": LANDING, "Accept": "application/json"})
    assert response.status_code == 201
    assert len(leads(app)) == 2


@pytest.mark.addons("sales")
def test_cors_preflight_and_headers_only_for_allowed_origins(app, client):
    make_form(app)
    ok = client.options("/forms/spring/submit", headers={
        "Origin": LANDING, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type"})
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == LANDING
    assert "POST" in ok.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in ok.headers["Access-Control-Allow-Headers"]
    evil = client.options("/forms/spring/submit", headers={"Origin": "https://evil.example.net",
                                                          "Access-Control-Request-Method": "POST"})
    assert evil.status_code == 403
    assert "Access-Control-Allow-Origin" not in evil.headers
    refused = post(client, {"person_name": "Mallory"}, origin="https://evil.example.net")
    assert refused.status_code == 403 and "evil.example.net" in refused.json["error"]
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert leads(app) == []


@pytest.mark.addons("sales")
def test_honeypot_rate_and_size_refusals_write_nothing(make_app):
    app = make_app(addons=["sales"], FLOWCASE_WEBFORM_RATE_LIMIT=6, FLOWCASE_WEBFORM_MAX_BODY=2000,
                   FLOWCASE_WEBFORM_MAX_FIELD=100)
    client = app.test_client()
    make_form(app)
    bot = post(client, {"person_name": "Bot", "website_url": "http://spam.example"})
    assert bot.status_code == 400 and bot.json["error"]
    too_long = post(client, {"person_name": "x" * 101})
    assert too_long.status_code == 413 and "person_name" in too_long.json["errors"]
    too_big = post(client, {"person_name": "Big", "need": "y" * 3000})
    assert too_big.status_code == 413
    missing = post(client, {"email": "no-name@example.com"})
    assert missing.status_code == 422 and list(missing.json["errors"]) == ["person_name"]
    malformed = client.post("/forms/spring/submit", data="{not json", content_type="application/json",
                            headers={"Origin": LANDING})
    assert malformed.status_code == 400
    assert leads(app) == []
    # Every attempt from the address counted, refused ones too: five so far, the limit is six.
    assert post(client, {"person_name": "Third"}).status_code == 201
    limited = post(client, {"person_name": "Fourth"})
    assert limited.status_code == 429 and limited.json["error"]
    assert [row[0] for row in leads(app)] == ["Third"]
    # Another address is not limited: the count is per IP, kept in the database.
    other = client.post("/forms/spring/submit", json={"person_name": "Other"}, headers={"Origin": LANDING},
                        environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 201


@pytest.mark.addons("sales")
def test_a_known_contact_is_linked_not_duplicated(app, client):
    make_form(app)
    with app.app_context():
        records = get_state().records(sudo=True)
        account = records.create("account", {"name": "Irbis Motors"})
        contact = records.create("contact", {"first_name": "Olga", "last_name": "Smirnova", "account_id": account.id,
                                             "email": "Olga@Example.com", "phone": "+7 (495) 123-45-67"})
        contact_id, account_id = contact.id, account.id
    by_phone = post(client, {"person_name": "Olga S.", "phone": "8 495 1234567"})
    assert by_phone.status_code == 201
    by_email = post(client, {"person_name": "Olga", "email": "olga@example.com"})
    assert by_email.status_code == 201
    with app.app_context():
        rows = db.session.execute(sa.text("SELECT contact_id, account_id FROM sales_lead ORDER BY id")).all()
        assert rows == [(contact_id, account_id), (contact_id, account_id)]
        assert db.session.scalar(sa.text("SELECT count(*) FROM crm_contact")) == 1


@pytest.mark.addons("sales")
def test_form_page_snippet_and_admin_validation(app, client):
    form_id = make_form(app)
    page = client.get("/forms/spring")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="person_name"' in html and 'name="website_url"' in html and "Your name" in html
    # A browser posting the page itself gets pages back: errors by the field, then the success message.
    again = client.post("/forms/spring/submit", data={"email": "a@example.com"}, headers={"Accept": "text/html"})
    assert again.status_code == 422 and "is-invalid" in again.get_data(as_text=True)
    done = client.post("/forms/spring/submit", data={"person_name": "Page visitor"}, headers={"Accept": "text/html"})
    assert done.status_code == 200 and "Thanks!" in done.get_data(as_text=True)
    assert client.get("/forms/nope").status_code == 404
    with app.app_context():
        create_user("admin", "pw", superuser=True)
        create_user("clerk", "pw")
        records = get_state().records(sudo=True)
        from core.errors import ValidationError

        with pytest.raises(ValidationError) as error:
            records.create("web_form", {"name": "Bad", "slug": "bad form", "section": "lead",
                                        "fields": "no_such_field | X", "allowed_origins": "landing.example.com"})
        assert {"slug", "fields", "allowed_origins"} <= set(error.value.errors)
    client.post("/login", data={"login": "clerk", "password": "pw"})
    # Forms are settings: a user sees none of them, not even by URL.
    assert "spring" not in client.get("/web_form/").get_data(as_text=True)
    assert client.get(f"/web_form/{form_id}").status_code == 404
    client.post("/logout")
    client.post("/login", data={"login": "admin", "password": "pw"})
    listing = client.get("/admin/web_forms/")
    assert listing.status_code == 200 and "spring" in listing.get_data(as_text=True)
    embed = client.get(f"/admin/web_forms/embed/{form_id}").get_data(as_text=True)
    assert "/forms/spring/submit" in embed and "website_url" in embed
