"""Case 1's happy path in real Chromium: the tender card's prices, the result form, the implementation and its links.

Uses the browser fixtures of ``core.pytest_browser`` (Debian's chromium through
Playwright; only 127.0.0.1 is contacted) with a server of its own that has the
tenders add-on installed.
"""
from __future__ import annotations

import re
import threading
from datetime import date
from decimal import Decimal

import pytest
from werkzeug.serving import make_server

from core.pytest_browser import log_in

from .common import customer_group

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def tenders_server(tmp_path):
    """``(base_url, app)``: an app with tenders installed, CSRF on, served on 127.0.0.1 from a thread."""
    from core.demo_users import ensure_demo_users
    from core.extensions import db
    from core.testing import FIXTURE_ADDONS, TestDatabase, build_app, test_config

    database = TestDatabase(tmp_path)
    config = test_config(database, tmp_path, (FIXTURE_ADDONS,), FLOWCASE_USE_BUNDLED_ADDONS=True,
                         WTF_CSRF_ENABLED=True)
    app = build_app(config, ("tenders",))
    with app.app_context():
        ensure_demo_users()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="tenders-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    database.drop()


def _prepare(app) -> dict:
    """An opportunity of Kola NPP and its tender with three offers (what the earlier steps of the case made)."""
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        group = customer_group(records)
        opportunity = records.create("opportunity", {"name": "Насосы для Кольской АЭС", "account_id": group["plant"].id})
        tender = records.create("tender", {
            "name": "Поставка насосных агрегатов ЦНС 180-85", "account_id": group["plant"].id,
            "opportunity_id": opportunity.id, "purchase_number": "32615000042", "our_bid": Decimal("1150000"),
            "advance_percent": Decimal("30"), "execution_days": 60})
        offers = [records.create("tender_offer", {"tender_id": tender.id, "account_id": s.id, "price": Decimal(p),
                                                  "offer_date": date(2026, 3, 2), "advance_percent": Decimal(50),
                                                  "delivery_days": 45})
                  for s, p in zip(group["suppliers"], (1_000_000, 1_200_000, 1_300_000))]
        records.session.commit()
        return {"tender": tender.id, "opportunity": opportunity.id, "offer": offers[0].id,
                "supplier": group["suppliers"][0].name}


def test_a_won_tender_forms_its_implementation_in_the_browser(tenders_server, page, shot):
    base_url, app = tenders_server
    ids = _prepare(app)
    log_in(page, base_url, "admin")
    page.goto(f"{base_url}/tender/")
    page.get_by_role("link", name="Поставка насосных агрегатов ЦНС 180-85").first.click()
    expect(page).to_have_url(re.compile(rf"/tender/{ids['tender']}$"))
    expect(page.locator("[data-tenders-nmc]")).to_contain_text("1\u00a0200\u00a0000.00")  # the median
    expect(page.locator("table[data-tenders-bids] tbody tr")).to_have_count(3)
    expect(page.locator("[data-tenders-our-bid]")).to_contain_text("1\u00a0150\u00a0000.00")
    shot(page, "tender-card")

    page.locator("[data-tenders-action=result]").click()
    expect(page).to_have_url(re.compile(r"/tenders/tender/\d+/result$"))
    page.check("#result-won")
    page.check(f"#supplier-{ids['offer']}")
    page.fill("#result_date", "2026-04-10")
    shot(page, "result-form")
    page.locator("[data-tenders-submit]").click()

    expect(page).to_have_url(re.compile(r"/tender_implementation/\d+$"))
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("dd[data-field=margin]")).to_contain_text("150")
    links = page.locator("[data-tenders-links]")
    expect(links.locator("[data-tenders-link=project] a")).to_have_count(1)
    expect(links.locator("[data-tenders-link=contract] a")).to_have_count(2)
    expect(links.locator("[data-tenders-link=opportunity] a")).to_have_count(1)
    shot(page, "implementation-card")

    links.locator("[data-tenders-link=contract] a").first.click()
    expect(page).to_have_url(re.compile(r"/contract/\d+$"))
    expect(page.locator("[data-tenders-links] [data-tenders-link=tender] a")).to_have_count(1)
    shot(page, "income-contract")
    page.locator("[data-tenders-links] [data-tenders-link=opportunity] a").click()
    expect(page).to_have_url(re.compile(rf"/opportunity/{ids['opportunity']}$"))
    expect(page.locator("[data-fc-stage]")).to_contain_text("Won")
    shot(page, "opportunity-won")
