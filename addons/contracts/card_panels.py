"""What the contracts add-on shows on cards through the template slots.

- the contract's balance (``card_top``): amount, paid, remaining balance,
  overdue, and what is expected in which month;
- a planned payment's buttons (``card_top``): record a payment, issue an invoice;
- an opportunity's contracts (``card_bottom``).

Each reads through the viewer's records service, so rights apply as on every door.
"""
from __future__ import annotations

from flask import render_template
from flask_babel import format_decimal
from markupsafe import Markup

from core.errors import RecordNotFound
from core.records import records_for

from . import balance
from .timeline import linked_contracts


def money(value) -> str:
    """Two decimals with the viewer's separators ("1 234,50" in Russian, "1,234.50" in English)."""
    return format_decimal(value or 0, format="#,##0.00")


def balance_panel(contract) -> Markup | None:
    """Paid, remaining balance, overdue and the expected months of a contract."""
    records = records_for()
    try:
        totals = balance.contract_totals(records, contract.id)
    except RecordNotFound:
        return None
    expected = balance.expected_by_period(records, contract.id)
    return Markup(render_template("contracts/_card_balance.html", record=contract, totals=totals, expected=expected,
                                  money=money))


def planned_payment_actions(payment) -> Markup:
    """"Record a payment" and "Issue an invoice", offered with the rest still expected."""
    records = records_for()
    return Markup(render_template(
        "contracts/_planned_payment_actions.html", record=payment,
        can_pay=records.can(records.section("contract_paid"), "create"),
        can_invoice=records.can(records.section("contract_invoice"), "create")))


def opportunity_contracts(opportunity) -> Markup | None:
    """The contracts signed for an opportunity, as far as the viewer may read them."""
    records = records_for()
    if not records.can(records.section("contract"), "read"):
        return None
    rows = linked_contracts(records, "opportunity_id", opportunity.id, 50)
    return Markup(render_template("contracts/_opportunity_contracts.html", record=opportunity, rows=rows,
                                  money=money))
