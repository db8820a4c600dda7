"""The product picker: category subtree, any product field (extension fields too), lines with totals."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.errors import ValidationError
from core.sections import SectionExtension

pytestmark = pytest.mark.addons("sales")


class _DealerBase(DeclarativeBase):
    """Kept apart from the app's metadata: this table exists only in these tests' databases."""


class DealerProduct(_DealerBase):
    """What a dealer add-on would add to products: a brand (``dealer.brand``)."""

    __tablename__ = "fxdealer_product"
    # No foreign key: the product table lives in the app's metadata, not this one (a real add-on declares it).
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    brand: Mapped[str | None] = mapped_column(String(50))


@pytest.fixture
def catalogue(app_ctx, records, xid):
    """A dealer-like extension on products, and products across the category tree; ids by short name."""
    _DealerBase.metadata.create_all(records.session.connection(), tables=[DealerProduct.__table__])
    app_ctx.extensions["flowcase"].sections.extend(
        SectionExtension(section="product", model=DealerProduct, prefix="dealer"), "fx_dealer")
    piece, metre = xid("product_unit_piece"), xid("product_unit_metre")
    specs = {
        "p630": ("Passenger lift P-630", "P-630", "passenger_lifts", piece, "1000.00", "Otis", True),
        "p1000": ("Passenger lift P-1000", "P-1000", "passenger_lifts", piece, "2000.00", "Kone", True),
        "old": ("Passenger lift P-400 (discontinued)", "P-400", "passenger_lifts", piece, "500.00", "Otis", False),
        "f2000": ("Freight lift F-2000", "F-2000", "freight_lifts", piece, "3000.00", "Otis", True),
        "esc": ("Escalator E-30", "E-30", "escalators", piece, "9000.00", "Otis", True),
        "rope": ("Steel rope", "R-10", "spare_parts", metre, "12.50", None, True),
    }
    ids = {}
    for key, (name, sku, category, unit, price, brand, active) in specs.items():
        product = records.create("product", {
            "name": name, "sku": sku, "category_id": xid(f"product_category_{category}"), "unit_id": unit,
            "price": price, "active": active, "dealer.brand": brand})
        ids[key] = product.id
    records.session.commit()
    return ids


def _listed(client, url) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    import re

    return {int(m) for m in re.findall(r'<tr data-product="(\d+)">', page)}


@pytest.fixture
def opportunity(records, bob, users):
    account = records.create("account", {"name": "Альтис-Лифт"})
    found = bob.create("opportunity", {"name": "Lifts for the business centre", "account_id": account.id})
    records.session.commit()
    return found.id


def test_picker_filters_by_category_subtree_and_by_fields(client, bob, catalogue, opportunity, xid):
    url = f"/sales/opportunity/{opportunity}/products"
    everything = {catalogue[k] for k in ("p630", "p1000", "f2000", "esc", "rope")}
    assert _listed(client, url) == everything  # inactive products are never offered
    # "Lifts" has passenger and freight lifts below it; "Equipment" is one level up again.
    lifts = xid("product_category_lifts")
    assert _listed(client, f"{url}?category={lifts}") == {catalogue["p630"], catalogue["p1000"], catalogue["f2000"]}
    equipment = xid("product_category_equipment")
    assert _listed(client, f"{url}?category={equipment}") == everything - {catalogue["rope"]}
    # Any product field, including one another add-on added: no picker code knows about brands.
    page = client.get(url).get_data(as_text=True)
    assert 'name="f.dealer.brand"' in page and 'name="f.unit_id"' in page
    assert _listed(client, f"{url}?category={lifts}&f.dealer.brand=otis") == {catalogue["p630"], catalogue["f2000"]}
    assert _listed(client, f"{url}?f.unit_id={xid('product_unit_metre')}") == {catalogue["rope"]}
    assert _listed(client, f"{url}?q=P-10") == {catalogue["p1000"]}
    # A word in a number field is a message, not a server error.
    response = client.get(f"{url}?f.price=cheap")
    assert response.status_code == 422 and "must be a number" in response.get_data(as_text=True)


def test_picked_products_become_lines_with_totals(client, bob, records, catalogue, opportunity):
    response = client.post(f"/sales/opportunity/{opportunity}/products", data={
        "pick": [catalogue["p630"], catalogue["rope"]],
        f"qty.{catalogue['p630']}": "2", f"qty.{catalogue['rope']}": "7,5", f"qty.{catalogue['esc']}": "9"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/opportunity/{opportunity}")
    Line = records.section("opportunity_product").model
    lines = {line.product_id: line for line in records.session.scalars(
        sa.select(Line).where(Line.opportunity_id == opportunity))}
    assert set(lines) == {catalogue["p630"], catalogue["rope"]}
    assert lines[catalogue["p630"]].unit_price == Decimal("1000.00")
    assert lines[catalogue["p630"]].line_total == Decimal("2000.00")
    assert lines[catalogue["rope"]].line_total == Decimal("93.75")
    records.session.expire_all()
    assert records.get("opportunity", opportunity).amount == Decimal("2093.75")

    # A discount changes the line's total and the opportunity's amount, whatever door changes it.
    bob.update("opportunity_product", lines[catalogue["p630"]].id, {"discount": "10"})
    records.session.expire_all()
    assert records.get("opportunity_product", lines[catalogue["p630"]].id).line_total == Decimal("1800.00")
    assert records.get("opportunity", opportunity).amount == Decimal("1893.75")
    bob.delete("opportunity_product", lines[catalogue["rope"]].id)
    records.session.expire_all()
    assert records.get("opportunity", opportunity).amount == Decimal("1800.00")


def test_a_bad_quantity_adds_nothing(client, bob, records, catalogue, opportunity):
    response = client.post(f"/sales/opportunity/{opportunity}/products", data={
        "pick": [catalogue["p630"], catalogue["rope"]], f"qty.{catalogue['p630']}": "2", f"qty.{catalogue['rope']}": "-1"})
    assert response.status_code == 422
    assert "The quantity must be a number more than zero." in response.get_data(as_text=True)
    response = client.post(f"/sales/opportunity/{opportunity}/products", data={})
    assert response.status_code == 422 and "Tick at least one product" in response.get_data(as_text=True)
    Line = records.section("opportunity_product").model
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Line)) == 0


def test_lead_products_carry_over_to_the_opportunity(client, bob, records, catalogue):
    lead = bob.create("lead", {"company_name": "Альтис-Лифт", "person_name": "Кузнецов Андрей"})
    records.session.commit()
    response = client.post(f"/sales/lead/{lead.id}/products", data={
        "pick": [catalogue["p1000"]], f"qty.{catalogue['p1000']}": "3"})
    assert response.status_code == 302
    assert client.post(f"/sales/lead/{lead.id}/qualify").status_code == 302
    response = client.post(f"/sales/lead/{lead.id}/convert")
    opportunity_id = int(response.headers["Location"].rsplit("/", 1)[1])
    records.session.expire_all()
    assert records.get("opportunity", opportunity_id).amount == Decimal("6000.00")


def test_values_are_checked_on_every_door(bob, records, xid):
    account = records.create("account", {"name": "Check"})
    cases = [
        ({"amount": "-1"}, "amount"),
        ({"probability": 101}, "probability"),
        ({"currency": "rub"}, "currency"),
        ({"currency": "RUBL"}, "currency"),
        ({"stage_id": xid("stage_opportunity_lost")}, "lost_reason_id"),
        ({"stage_id": xid("stage_lead_new")}, "stage_id"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as error:
            bob.create("opportunity", {"name": "Deal", "account_id": account.id, **values})
        assert field in error.value.errors, values
    lost = bob.create("opportunity", {"name": "Deal", "stage_id": xid("stage_opportunity_lost"),
                                      "lost_reason_id": xid("reason_lost_price"), "currency": "EUR"})
    assert lost.probability == 0
    # The catalogue is the manager's (seeded rights): checked through a records service that may write it.
    with pytest.raises(ValidationError):
        records.create("product", {"name": "Negative", "price": "-5"})
