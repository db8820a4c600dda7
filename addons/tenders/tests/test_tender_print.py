"""The Russian NMC justification: a PDF with the purchase, every price of the monitoring and the NMC in words."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from .common import customer_group, offers

pytestmark = pytest.mark.addons("tenders")


def test_the_nmc_justification_prints_the_monitoring_and_the_price_in_words(app_ctx, records, login):
    group = customer_group(records)
    tender = records.create("tender", {"name": "Насосы ЦНС 180-85", "account_id": group["plant"].id,
                                       "purchase_number": "32615000042", "platform": "Фабрикант",
                                       "nmc_method": "average"})
    offers(records, tender, group["suppliers"], (1_000_000, 1_200_000, 1_400_000))
    records.session.commit()
    response = login("admin").get(f"/tender/{tender.id}/print/nmc_justification")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Обоснование начальной максимальной цены" in text
    assert "Кольская АЭС" in text and "32615000042" in text and "среднее ценовых предложений" in text
    for supplier, price in zip(group["suppliers"], ("1 000 000,00", "1 200 000,00", "1 400 000,00")):
        assert supplier.name in text and price in text
    assert records.get("tender", tender.id).nmc == Decimal("1200000.00")
    assert "один миллион двести тысяч рублей 00 копеек" in text
