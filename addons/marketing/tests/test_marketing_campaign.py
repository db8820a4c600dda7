"""Campaigns: a lead's campaign (``marketing.campaign_id``), the campaign card's counts, the marketing role's rights,
and install → upgrade → uninstall → reinstall with a migration that builds exactly the model."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.addons.manager import AddonManager
from core.db import Base
from core.demo_users import ensure_demo_users
from core.mailings import service
from core.mailings.unsubscribe import record_unsubscribe
from tests.smtp_support import mail_config, smtp_server  # noqa: F401

pytestmark = pytest.mark.addons("marketing")


def _tables(session) -> set[str]:
    return {name for name in sa.inspect(session.connection()).get_table_names() if name.startswith("marketing_")}


@pytest.fixture
def records(app_ctx):
    return app_ctx.extensions["flowcase"].records(sudo=True)


def login(client, name):
    assert client.post("/login", data={"login": name, "password": name}).status_code == 302


def test_the_migration_matches_the_model(records):
    wanted = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(wanted)
    context = MigrationContext.configure(records.session.connection(), opts={"compare_type": True})
    # Other add-ons' tables (not installed here) show as missing; only this add-on's table is compared.
    diffs = [d for d in compare_metadata(context, wanted) if "marketing_lead" in repr(d)]
    assert diffs == [], "\n".join(map(repr, diffs))


def test_install_upgrade_uninstall_reinstall(app_ctx, records):
    state = app_ctx.extensions["flowcase"]
    manager = AddonManager(state)
    assert _tables(records.session) == {"marketing_lead"}
    assert records.section("lead").field("marketing.campaign_id") is not None
    campaign = records.create("campaign", {"name": "Spring fair"})
    lead = records.create("lead", {"company_name": "Kept", "marketing.campaign_id": campaign.id})
    records.session.commit()
    manager.upgrade(["marketing"])
    assert records.read("lead", lead.id)["marketing.campaign_id"] == campaign.id
    manager.uninstall("marketing", drop_data=True)
    assert _tables(records.session) == set()
    assert records.section("lead").field("marketing.campaign_id") is None
    assert records.session.scalar(sa.text("SELECT count(*) FROM core_role WHERE code = 'marketing'")) == 0
    assert manager.install(["marketing"]) == ["marketing"]
    assert records.session.scalar(sa.text("SELECT count(*) FROM core_role WHERE code = 'marketing'")) == 1


@pytest.fixture
def campaign_world(make_app, smtp_server):  # noqa: F811
    inbox, port = smtp_server
    app = make_app(addons=["marketing"], FLOWCASE_MAILING_RATE=100_000, FLOWCASE_PUBLIC_URL="http://crm.test",
                   **mail_config(port))
    with app.app_context():
        users = ensure_demo_users()
        records = app.extensions["flowcase"].records(sudo=True)
        from core.users import create_user

        marketer = create_user("mira", "mira", email="mira@example.com")
        role_id = records.session.scalar(sa.text("SELECT id FROM core_role WHERE code = 'marketing'"))
        records.session.execute(sa.text("INSERT INTO core_user_role (user_id, role_id) VALUES (:u, :r)"),
                                {"u": marketer.id, "r": role_id})
        records.session.commit()
        with records.transaction():
            campaign = records.create("campaign", {"name": "Spring fair", "owner_id": marketer.id})
            for name in ("Ann", "Bob", "Cid"):
                records.create("contact", {"first_name": name, "last_name": "Lee", "email": f"{name.lower()}@x.test"})
            template = records.create("email_template", {"code": "fair", "name": "Fair", "subject": "Come, {{ record.first_name }}",
                                                         "body": "See you at the fair."})
            group = records.create("record_group", {"section": "contact", "name": "Lees", "kind": "dynamic", "shared": True,
                                                    "filter": {"field": "last_name", "op": "eq", "value": "Lee"},
                                                    "owner_id": marketer.id})
            for n in range(2):
                records.create("lead", {"company_name": f"Visitor {n}", "marketing.campaign_id": campaign.id})
            records.create("lead", {"company_name": "Walk-in"})
        yield app, records, inbox, {"campaign": campaign.id, "template": template.id, "group": group.id,
                                    "mira": marketer, **users}


def test_the_campaign_card_counts_its_mailings_unsubscribes_and_leads(campaign_world):
    app, records, inbox, ids = campaign_world
    mira = app.extensions["flowcase"].records(ids["mira"])
    with mira.transaction():
        mailing = mira.create("mailing", {"name": "Invitation", "template_id": ids["template"],
                                          "group_id": ids["group"], "campaign_id": ids["campaign"]})
    service.start(mira, mailing.id)
    assert len(inbox.messages) == 3
    record_unsubscribe(records, "bob@x.test", mailing.id)
    client = app.test_client()
    login(client, "mira")
    page = client.get(f"/campaign/{ids['campaign']}").get_data(as_text=True)
    assert 'data-count="sent">3<' in page and 'data-count="failed">0<' in page
    assert 'data-count="unsubscribed">1<' in page and 'data-count="leads">2<' in page
    assert 'data-fc-campaign-link="lead"' in page
    ann = records.session.scalar(sa.text("SELECT id FROM crm_contact WHERE email = 'ann@x.test'"))
    history = client.get(f"/contact/{ann}").get_data(as_text=True).split("data-fc-timeline", 1)[1]
    assert 'data-kind="mailing"' in history and "Invitation" in history


def test_only_marketing_runs_mailings_and_salespeople_read_campaigns(campaign_world):
    app, records, inbox, ids = campaign_world
    client = app.test_client()
    login(client, "alice")  # a salesperson
    assert client.get(f"/campaign/{ids['campaign']}").status_code == 200
    assert client.get("/mailing/new").status_code == 403
    assert client.post("/mailing/new", data={"name": "Spam"}).status_code == 403
    mira = app.extensions["flowcase"].records(ids["mira"])
    with mira.transaction():
        mailing = mira.create("mailing", {"name": "Invitation", "template_id": ids["template"], "group_id": ids["group"]})
    assert client.get(f"/mailing/{mailing.id}").status_code in (403, 404)
    assert client.post(f"/mailing/{mailing.id}/do/send").status_code in (403, 404)
    assert inbox.messages == []
    client.post("/logout")
    login(client, "mira")
    assert client.post(f"/mailing/{mailing.id}/do/send").status_code == 303
    assert len(inbox.messages) == 3
    recipients = client.get("/mailing_recipient/").get_data(as_text=True)
    assert "ann@x.test" in recipients


def test_a_marketer_creates_a_mailing_on_its_form_picking_a_template_and_a_group(campaign_world):
    app, records, inbox, ids = campaign_world
    client = app.test_client()
    login(client, "mira")
    form = client.get("/mailing/new")
    assert form.status_code == 200
    picked = client.get(f"/email_template/{ids['template']}")
    assert picked.status_code == 200 and "Fair" in picked.get_data(as_text=True)  # readable, to be chosen
    assert client.post(f"/email_template/{ids['template']}/edit", data={"name": "Mine now"}).status_code in (403, 404)
    assert 'name="state"' in form.get_data(as_text=True) and "disabled" in form.get_data(as_text=True)
    response = client.post("/mailing/new", data={"name": "From the form", "template_id": ids["template"],
                                                 "group_id": ids["group"], "campaign_id": ids["campaign"],
                                                 "language": "en"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    mailing_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert client.post(f"/mailing/{mailing_id}/do/send").status_code == 303
    assert sorted(m["To"] for m in inbox.messages) == ["Ann Lee <ann@x.test>", "Bob Lee <bob@x.test>", "Cid Lee <cid@x.test>"]
    renamed = client.post(f"/mailing/{mailing_id}/edit", data={
        "name": "Renamed after sending", "template_id": ids["template"], "group_id": ids["group"],
        "campaign_id": ids["campaign"], "language": "en"})
    assert renamed.status_code in (302, 303), renamed.get_data(as_text=True)[:2000]
    sneaky = client.post(f"/mailing/{mailing_id}/edit", data={"name": "Again", "state": "draft", "template_id": ""})
    assert sneaky.status_code in (400, 403, 409, 422)
    mailing = records.session.get(records.section("mailing").model, mailing_id)
    assert (mailing.name, mailing.state, mailing.template_id) == ("Renamed after sending", "done", ids["template"])


def test_a_landing_page_form_brings_leads_to_its_campaign(campaign_world):
    """Case 5/9: the campaign's landing page form sets the campaign as a hidden default; the card counts the lead."""
    app, records, inbox, ids = campaign_world
    landing = "https://landing.example.com"
    with records.transaction():
        records.create("web_form", {
            "name": "Fair signup", "slug": "fair", "section": "lead", "fields": "person_name | Name | required",
            "defaults": f"source = web_form\nmarketing.campaign_id = {ids['campaign']}",
            "allowed_origins": landing, "success_message": "Thanks!", "active": True})
    visitor = app.test_client()
    response = visitor.post("/forms/fair/submit", json={"person_name": "Walter", "marketing.campaign_id": "0"},
                            headers={"Origin": landing})
    assert response.status_code == 201, response.get_data(as_text=True)
    campaign_of = records.session.execute(sa.text(
        "SELECT m.campaign_id FROM sales_lead l JOIN marketing_lead m ON m.id = l.id WHERE l.person_name = 'Walter'"))
    assert campaign_of.scalar_one() == ids["campaign"]
    client = app.test_client()
    login(client, "mira")
    assert 'data-count="leads">3<' in client.get(f"/campaign/{ids['campaign']}").get_data(as_text=True)


def test_the_demo_loads_a_campaign_with_a_draft_mailing_ready_to_send(app_ctx, records):
    ensure_demo_users()
    manager = AddonManager(app_ctx.extensions["flowcase"])
    assert manager.load_demo(scale=0) == []
    assert manager.load_demo(scale=0) == []  # `make run` loads it on every start
    mailing = records.session.execute(sa.text(
        "SELECT m.state, c.name, g.kind FROM core_mailing m JOIN core_campaign c ON c.id = m.campaign_id "
        "JOIN core_record_group g ON g.id = m.group_id")).one()
    assert tuple(mailing) == ("draft", "Весенняя выставка", "dynamic")
    assert records.session.scalar(sa.text("SELECT count(*) FROM marketing_lead WHERE campaign_id IS NOT NULL")) == 1
