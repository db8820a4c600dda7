"""The Russian contract print form: a PDF with the client's Cyrillic name, requisites, schedule and the amount in words."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from .conftest import login

pytestmark = pytest.mark.addons("contracts")


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_contract_prints_in_russian_with_requisites_and_amount_in_words(app_ctx, client, records, users):
    with records.transaction():
        account = records.create("account", {"name": "ООО «Альтис-Лифт»", "city": "Санкт-Петербург",
                                             "street": "Кантемировская ул., 12", "sales.tax_id": "7802123456"})
        contract = records.create("contract", {"name": "Монтаж пассажирского лифта", "account_id": account.id,
                                               "amount": "2350000.50", "owner_id": users["bob"].id})
        records.create("contract_payment", {"contract_id": contract.id, "kind": "advance",
                                            "planned_date": date(2026, 3, 2), "amount": "1175000"})
    login(client, "bob")
    response = client.get(f"/contract/{contract.id}/print/contract")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(_text(response.data).split())
    assert f"Договор № {contract.number}" in text
    assert "ООО «Альтис-Лифт»" in text and "ИНН 7802123456" in text and "Санкт-Петербург" in text
    assert "Два миллиона триста пятьдесят тысяч рублей 50 копеек" in text
    assert "Аванс" in text and "1 175 000,00" in text
    assert "Исполнитель" in text and "Заказчик" in text
