"""Named records of the TECHNAB story the tenders tests share (Odoo's tests/common.py idea)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal


def customer_group(records) -> dict:
    """Rosatom's contour: the holding, the plant that buys, a sister plant, and three suppliers."""
    holding = records.create("account", {"name": "Госкорпорация «Росатом»"})
    plant = records.create("account", {"name": "Кольская АЭС", "parent_id": holding.id})
    sister = records.create("account", {"name": "Балаковская АЭС", "parent_id": holding.id})
    outsider = records.create("account", {"name": "ПАО «Северсталь»"})
    suppliers = [records.create("account", {"name": name}) for name in (
        "ООО «ЭнергоМаш»", "АО «Атомкомплект»", "ООО «ТехПоставка»")]
    return {"holding": holding, "plant": plant, "sister": sister, "outsider": outsider, "suppliers": suppliers}


def past_contract(records, account, amount, day: date, direction: str = "income", owner=None):
    """An earlier contract (of the contracts add-on) with ``account``."""
    return records.create("contract", {"name": f"Поставка {amount}", "account_id": account.id, "direction": direction,
                                       "amount": Decimal(amount), "date": day,
                                       "owner_id": owner.id if owner is not None else None})


def offers(records, tender, suppliers, prices, **extra):
    """Price offers of ``suppliers`` at ``prices`` for ``tender``."""
    return [records.create("tender_offer", {"tender_id": tender.id, "account_id": s.id, "price": Decimal(p),
                                            "offer_date": date(2026, 3, 2), **extra})
            for s, p in zip(suppliers, prices)]
