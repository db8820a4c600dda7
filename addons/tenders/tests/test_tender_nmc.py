"""The initial maximum price: offers 100, 120, 130 and earlier contracts 110, 150, by each method, on the card."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from .common import customer_group, offers, past_contract

pytestmark = pytest.mark.addons("tenders")


def _card_numbers(html: str) -> tuple[str, list[str]]:
    nmc = re.search(r"data-tenders-nmc>([^<]*)<", html).group(1).replace("\u00a0", " ").strip()
    bids = [p.replace("\u00a0", " ") for p in re.findall(r'data-price>([^<]*)<', html)]
    return nmc, bids


@pytest.fixture
def monitored(records, tenders):
    """A tender of Kola NPP with three offers and two earlier contracts of the Rosatom group collected."""
    group = customer_group(records)
    past_contract(records, group["sister"], 110, date(2025, 5, 1))
    past_contract(records, group["holding"], 150, date(2025, 9, 1))
    past_contract(records, group["outsider"], 999, date(2025, 9, 1))  # another group: never counted
    past_contract(records, group["sister"], 777, date(2025, 9, 1), direction="expense")  # not a customer's price
    tender = records.create("tender", {"name": "Насосы ЦНС для Кольской АЭС", "account_id": group["plant"].id,
                                       "purchase_number": "32615000001", "our_bid": Decimal("115")})
    offers(records, tender, group["suppliers"], (100, 120, 130))
    records.session.commit()
    return tender


@pytest.mark.parametrize("method, with_past, expected", [
    ("minimum", False, "100.00"), ("minimum", True, "100.00"),
    ("average", False, "116.67"), ("average", True, "122.00"),
    ("median", False, "120.00"), ("median", True, "120.00"),
])
def test_the_card_shows_the_nmc_of_the_method_beside_every_bid(records, tenders, monitored, login, method,
                                                               with_past, expected):
    client = login("admin")
    response = client.post(f"/tenders/tender/{monitored.id}/collect-past-prices")
    assert response.status_code == 302
    past = sorted(o.price for o in records.session.scalars(
        records.select("tender_offer").where(tenders.models.TenderOffer.kind == "past_contract")))
    assert past == [Decimal("110.00"), Decimal("150.00")]
    records.update("tender", monitored, {"nmc_method": method, "nmc_with_past": with_past})
    records.session.commit()
    assert records.get("tender", monitored.id).nmc == Decimal(expected)
    html = client.get(f"/tender/{monitored.id}").get_data(as_text=True)
    nmc, bids = _card_numbers(html)
    assert nmc == expected
    assert sorted(bids) == ["100.00", "110.00", "120.00", "130.00", "150.00"]
    assert re.search(r"data-tenders-our-bid>115.00<", html)


def test_the_nmc_follows_every_change_of_the_monitoring(records, tenders, monitored, login):
    client = login("admin")
    assert records.get("tender", monitored.id).nmc == Decimal("120.00")  # median by default
    offer = records.create("tender_offer", {"tender_id": monitored.id, "price": Decimal("90")})
    assert records.get("tender", monitored.id).nmc == Decimal("110.00")
    records.update("tender_offer", offer, {"price": Decimal("140")})
    assert records.get("tender", monitored.id).nmc == Decimal("125.00")
    records.delete("tender_offer", offer)
    assert records.get("tender", monitored.id).nmc == Decimal("120.00")
    records.session.commit()
    # The card's edit form sets the method like any field; the NMC follows.
    page = client.get(f"/tender/{monitored.id}/edit")
    assert page.status_code == 200
    version = records.get("tender", monitored.id).version
    form = {"name": monitored.name, "nmc_method": "minimum", "currency": "RUB", "result": "pending",
            "version": str(version), "account_id": str(monitored.account_id), "our_bid": "115"}
    response = client.post(f"/tender/{monitored.id}/edit", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    records.session.expire_all()
    assert records.get("tender", monitored.id).nmc == Decimal("100.00")


def test_compute_nmc_by_hand(tenders):
    compute = tenders.pricing.compute_nmc
    assert compute([100, 120, 130], [110, 150], "minimum") == Decimal("100.00")
    assert compute([100, 120, 130], [110, 150], "average", with_past=True) == Decimal("122.00")
    assert compute([100, 120, 130, 140], [], "median") == Decimal("125.00")
    assert compute([], [110], "median") is None
    assert compute([], [110], "median", with_past=True) == Decimal("110.00")


def test_the_card_reads_the_monitoring_in_a_fixed_number_of_statements(app_ctx, records, tenders, monitored, login):
    """Ten times the offers cost no more statements: the price panel and the links panel read in bulk."""
    import sqlalchemy as sa

    from core.extensions import db

    client = login("admin")
    client.get(f"/tender/{monitored.id}")  # warm the per-process caches

    def statements() -> int:
        seen = []

        def before(conn, cursor, statement, *args):
            seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert client.get(f"/tender/{monitored.id}").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)
        statements.last = seen
        return len(seen)

    few = statements()
    first = list(statements.last)
    suppliers = [records.create("account", {"name": f"Поставщик {i}"}) for i in range(27)]
    for supplier in suppliers:
        records.create("tender_offer", {"tender_id": monitored.id, "account_id": supplier.id, "price": Decimal(200)})
    records.session.commit()
    client.get(f"/tender/{monitored.id}")  # the commit expired the session: reload it outside the count
    assert statements() == few, "\n".join(x[:150] for x in statements.last if x not in first)
