"""The contract sections: contracts, planned payments, invoices, payments, and the stage and sequence lookups.

Field names are the models' attribute names on every door. The details' ``direction``
is their contract's (set by the hooks), so their forms do not offer it. The contract card
shows its planned payments, invoices, payments and subordinate contracts as
detail grids; the balance panel above the tabs comes from the ``card_top``
template slot (see ``hooks.py``).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.sections import NamedFilter, Section

from .balance import overdue_condition
from .models import (
    DIRECTION_LABELS, KIND_LABELS, PAYMENT_STATE_LABELS, STATE_LABELS, Contract, ContractInvoice, ContractPayment,
    ContractSequence, ContractStage, PlannedPayment,
)

CONTRACT_LABELS = {
    "number": _l("Number"),
    "date": _l("Date"),
    "name": _l("Subject"),
    "account_id": _l("Counterparty"),
    "direction": _l("Direction"),
    "amount": _l("Amount"),
    "currency": _l("Currency"),
    "state": _l("State"),
    "stage_id": _l("Stage"),
    "opportunity_id": _l("Opportunity"),
    "parent_contract_id": _l("Main contract"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "owner_id": _l("Owner"),
    "description": _l("Description"),
}

PAYMENT_LABELS = {
    "name": _l("Name"),
    "contract_id": _l("Contract"),
    "kind": _l("Kind"),
    "planned_date": _l("Planned date"),
    "amount": _l("Amount"),
    "state": _l("State"),
    "paid_amount": _l("Paid"),
    "remaining": _l("Remaining"),
    "paid_date": _l("Paid on"),
    "direction": _l("Direction"),
    "description": _l("Description"),
    "number": _l("Number"),
    "date": _l("Date"),
    "due_date": _l("Due date"),
    "planned_payment_id": _l("Planned payment"),
    "invoice_id": _l("Invoice"),
}

LOOKUP_LABELS = {
    "name": _l("Name"),
    "code": _l("Code"),
    "sequence": _l("Order"),
    "colour": _l("Colour"),
    "state": _l("Contract state"),
    "direction": _l("Direction"),
    "prefix": _l("Prefix"),
    "padding": _l("Digits"),
    "per_year": _l("Restart every year"),
    "counter_year": _l("Counter year"),
    "next_number": _l("Next number"),
}


def _overdue(context):
    return overdue_condition(context.today)


def contract_section() -> Section:
    return Section(
        name="contract",
        model=Contract,
        title=_l("Contract"),
        title_plural=_l("Contracts"),
        area="sales",
        title_field="number",
        list_columns=["number", "date", "name", "account_id", "direction", "amount", "currency", "stage_id",
                      "owner_id"],
        search_fields=["number", "name"],
        filter_fields=["direction", "state", "stage_id", "account_id", "owner_id", "date", "currency",
                       "opportunity_id", "parent_contract_id"],
        layout=[
            {"tab": _l("General"), "groups": [
                {"title": _l("Contract"), "fields": ["number", "date", "name", "account_id", "direction", "owner_id"]},
                {"title": _l("Terms"), "fields": ["amount", "currency", "stage_id", "state", "start_date",
                                                  "end_date"]},
                {"title": _l("Links"), "fields": ["opportunity_id", "parent_contract_id"]},
                {"title": _l("Description"), "fields": ["description"]},
            ]},
        ],
        details=[
            {"section": "contract_payment", "field": "contract_id", "title": _l("Planned payments")},
            {"section": "contract_invoice", "field": "contract_id", "title": _l("Invoices")},
            {"section": "contract_paid", "field": "contract_id", "title": _l("Payments")},
            {"section": "contract", "field": "parent_contract_id", "title": _l("Related contracts")},
        ],
        stage_field="stage_id",
        owner_field="owner_id",
        labels=CONTRACT_LABELS,
        choices={"direction": DIRECTION_LABELS, "state": STATE_LABELS},
    )


def planned_payment_section() -> Section:
    return Section(
        name="contract_payment",
        model=PlannedPayment,
        title=_l("Planned payment"),
        title_plural=_l("Planned payments"),
        area="sales",
        title_field="name",
        search_fields=["name"],
        list_columns=["contract_id", "kind", "planned_date", "amount", "paid_amount", "remaining", "state",
                      "paid_date"],
        filter_fields=["contract_id", "kind", "state", "direction", "planned_date", "paid_date"],
        layout=[{"tab": _l("General"), "groups": [
            {"title": _l("Planned payment"), "fields": ["contract_id", "kind", "planned_date", "amount",
                                                        "description"]},
            {"title": _l("Payment"), "fields": ["state", "paid_amount", "remaining", "paid_date"]},
        ]}],
        details=[
            {"section": "contract_invoice", "field": "planned_payment_id", "title": _l("Invoices")},
            {"section": "contract_paid", "field": "planned_payment_id", "title": _l("Payments")},
        ],
        labels=PAYMENT_LABELS,
        choices={"kind": KIND_LABELS, "state": PAYMENT_STATE_LABELS, "direction": DIRECTION_LABELS},
        named_filters={"overdue": NamedFilter(_l("Overdue"), _overdue)},
    )


def invoice_section() -> Section:
    return Section(
        name="contract_invoice",
        model=ContractInvoice,
        title=_l("Contract invoice"),
        title_plural=_l("Contract invoices"),
        area="sales",
        title_field="number",
        list_columns=["number", "date", "contract_id", "amount", "due_date", "planned_payment_id"],
        search_fields=["number"],
        filter_fields=["contract_id", "direction", "date", "due_date", "planned_payment_id"],
        layout=[{"tab": _l("General"), "groups": [
            {"title": _l("Invoice"), "fields": ["number", "date", "contract_id", "planned_payment_id", "amount",
                                                "due_date", "description"]},
        ]}],
        labels=PAYMENT_LABELS,
        choices={"direction": DIRECTION_LABELS},
    )


def paid_section() -> Section:
    return Section(
        name="contract_paid",
        model=ContractPayment,
        title=_l("Contract payment"),
        title_plural=_l("Contract payments"),
        area="sales",
        title_field="date",
        list_columns=["date", "contract_id", "amount", "planned_payment_id", "invoice_id", "direction"],
        filter_fields=["contract_id", "direction", "date", "planned_payment_id", "invoice_id"],
        layout=[{"tab": _l("General"), "groups": [
            {"title": _l("Payment"), "fields": ["date", "contract_id", "planned_payment_id", "invoice_id", "amount",
                                                "description"]},
        ]}],
        labels=PAYMENT_LABELS,
        choices={"direction": DIRECTION_LABELS},
    )


def _lookup(name: str, model, title, title_plural, fields, list_columns, choices=None) -> Section:
    return Section(
        name=name,
        model=model,
        title=title,
        title_plural=title_plural,
        area="settings",
        list_columns=list_columns,
        search_fields=["name", "code"],
        layout=[{"tab": _l("General"), "groups": [{"title": title, "fields": fields}]}],
        labels=LOOKUP_LABELS,
        choices=choices or {},
        is_lookup=True,
    )


def contracts_sections() -> list[Section]:
    """Fresh Section objects (the registry fills in per-app attributes, so never share them)."""
    return [
        contract_section(),
        planned_payment_section(),
        invoice_section(),
        paid_section(),
        _lookup("contract_stage", ContractStage, _l("Contract stage"), _l("Contract stages"),
                ["name", "code", "sequence", "colour", "state"], ["name", "code", "sequence", "state"],
                {"state": STATE_LABELS}),
        _lookup("contract_sequence", ContractSequence, _l("Contract numbering"), _l("Contract numbering"),
                ["name", "code", "direction", "prefix", "padding", "per_year", "counter_year", "next_number"],
                ["name", "code", "direction", "prefix", "next_number"], {"direction": DIRECTION_LABELS}),
    ]
