"""The tenders sections: tenders, price monitoring, implementations, and their stage lookup.

Each working section names ``stage_id`` as its stage field, so the core
process engine walks the stage sets seeded in ``data/tenders_process_data.yaml``
and creates each stage's tasks.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.sections import Section

from .models import (
    NMC_METHOD_LABELS, OFFER_KIND_LABELS, RESULT_LABELS, Tender, TenderImplementation, TenderOffer, TenderStage,
)

TENDER_LABELS = {
    "name": _l("Subject of the purchase"),
    "account_id": _l("Customer"),
    "opportunity_id": _l("Opportunity"),
    "purchase_number": _l("Purchase number"),
    "platform": _l("Trading platform"),
    "submission_deadline": _l("Submission deadline"),
    "nmc": _l("Initial maximum price"),
    "nmc_method": _l("Initial maximum price method"),
    "nmc_with_past": _l("Count earlier contracts"),
    "our_bid": _l("Our bid"),
    "currency": _l("Currency"),
    "advance_percent": _l("Customer's advance, %"),
    "execution_days": _l("Execution term, days"),
    "result": _l("Result"),
    "result_date": _l("Result date"),
    "lost_reason_id": _l("Lost reason"),
    "winner_id": _l("Winner"),
    "stage_id": _l("Stage"),
    "owner_id": _l("Owner"),
    "description": _l("Description"),
}

OFFER_LABELS = {
    "name": _l("Name"),
    "tender_id": _l("Tender"),
    "kind": _l("Kind"),
    "account_id": _l("Participant or supplier"),
    "price": _l("Price"),
    "offer_date": _l("Date"),
    "contract_id": _l("Contract"),
    "chosen": _l("Chosen supplier"),
    "advance_percent": _l("Advance, %"),
    "delivery_days": _l("Delivery, days"),
    "stage_id": _l("Stage"),
    "owner_id": _l("Owner"),
    "note": _l("Note"),
}

IMPLEMENTATION_LABELS = {
    "name": _l("Name"),
    "tender_id": _l("Tender"),
    "account_id": _l("Customer"),
    "opportunity_id": _l("Opportunity"),
    "project_id": _l("Project"),
    "income": _l("Income"),
    "expense": _l("Expense"),
    "margin": _l("Margin"),
    "stage_id": _l("Stage"),
    "owner_id": _l("Owner"),
}

STAGE_LABELS = {
    "name": _l("Name"),
    "code": _l("Code"),
    "stage_set": _l("Stage set"),
    "sequence": _l("Order"),
    "colour": _l("Colour"),
    "is_won": _l("Won"),
    "is_lost": _l("Lost"),
}


def tender_section() -> Section:
    return Section(
        name="tender",
        model=Tender,
        title=_l("Tender"),
        title_plural=_l("Tenders"),
        area="sales",
        list_columns=["name", "account_id", "purchase_number", "submission_deadline", "nmc", "our_bid", "stage_id",
                      "result", "owner_id"],
        search_fields=["name", "purchase_number", "platform"],
        filter_fields=["account_id", "opportunity_id", "stage_id", "result", "submission_deadline", "owner_id",
                       "platform"],
        layout=[
            {"tab": _l("General"), "groups": [
                {"title": _l("Tender"), "fields": ["name", "account_id", "opportunity_id", "stage_id", "owner_id"]},
                {"title": _l("Purchase"), "fields": ["purchase_number", "platform", "submission_deadline"]},
                {"title": _l("Prices"), "fields": ["nmc", "nmc_method", "nmc_with_past", "our_bid", "currency"]},
                {"title": _l("Result"), "fields": ["result", "result_date", "lost_reason_id", "winner_id"]},
                {"title": _l("Execution terms"), "fields": ["advance_percent", "execution_days"]},
                {"title": _l("Description"), "fields": ["description"]},
            ]},
        ],
        details=[
            {"section": "tender_offer", "field": "tender_id", "title": _l("Price monitoring")},
            {"section": "tender_implementation", "field": "tender_id", "title": _l("Implementation")},
        ],
        stage_field="stage_id",
        owner_field="owner_id",
        labels=TENDER_LABELS,
        choices={"nmc_method": NMC_METHOD_LABELS, "result": RESULT_LABELS},
    )


def offer_section() -> Section:
    return Section(
        name="tender_offer",
        model=TenderOffer,
        title=_l("Price offer"),
        title_plural=_l("Price monitoring"),
        area="sales",
        list_columns=["name", "tender_id", "kind", "account_id", "price", "offer_date", "chosen", "stage_id"],
        search_fields=["name", "note"],
        filter_fields=["tender_id", "kind", "account_id", "chosen", "offer_date", "stage_id", "owner_id"],
        layout=[
            {"tab": _l("General"), "groups": [
                {"title": _l("Price offer"), "fields": ["name", "tender_id", "kind", "account_id", "stage_id",
                                                      "owner_id"]},
                {"title": _l("Price"), "fields": ["price", "offer_date", "contract_id"]},
                {"title": _l("Supply terms"), "fields": ["chosen", "advance_percent", "delivery_days"]},
                {"title": _l("Note"), "fields": ["note"]},
            ]},
        ],
        stage_field="stage_id",
        owner_field="owner_id",
        labels=OFFER_LABELS,
        choices={"kind": OFFER_KIND_LABELS},
    )


def implementation_section() -> Section:
    return Section(
        name="tender_implementation",
        model=TenderImplementation,
        title=_l("Implementation"),
        title_plural=_l("Implementations"),
        area="sales",
        list_columns=["name", "tender_id", "account_id", "project_id", "income", "expense", "margin", "stage_id",
                      "owner_id"],
        search_fields=["name"],
        filter_fields=["tender_id", "account_id", "project_id", "stage_id", "owner_id"],
        layout=[
            {"tab": _l("General"), "groups": [
                {"title": _l("Implementation"), "fields": ["name", "tender_id", "account_id", "opportunity_id",
                                                         "project_id", "stage_id", "owner_id"]},
                {"title": _l("Budget"), "fields": ["income", "expense", "margin"]},
            ]},
        ],
        stage_field="stage_id",
        owner_field="owner_id",
        labels=IMPLEMENTATION_LABELS,
    )


def stage_section() -> Section:
    fields = ["name", "code", "stage_set", "sequence", "colour", "is_won", "is_lost"]
    return Section(
        name="tender_stage",
        model=TenderStage,
        title=_l("Tender stage"),
        title_plural=_l("Tender stages"),
        area="settings",
        list_columns=["name", "code", "stage_set", "sequence"],
        search_fields=["name", "code"],
        filter_fields=["stage_set", "is_won", "is_lost"],
        layout=[{"tab": _l("General"), "groups": [{"title": _l("Tender stage"), "fields": fields}]}],
        labels=STAGE_LABELS,
        is_lookup=True,
    )


def tenders_sections() -> list[Section]:
    """Fresh Section objects (the registry fills in per-app attributes, so never share them)."""
    return [tender_section(), offer_section(), implementation_section(), stage_section()]
