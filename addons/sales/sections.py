"""The sales sections: leads, opportunities, products, product lines, and their lookups.

The generic list, card, form, API, import and export machinery works from
these; field names are the models' attribute names. Leads and opportunities
name ``stage_id`` as their stage field, so the card shows the stage and the
records service runs the stage hooks on every move.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.sections import Section

from .models import (
    QUALIFICATION_LABELS, SOURCE_LABELS, Lead, LeadProduct, Opportunity, OpportunityProduct, Product,
    ProductCategory, ProductUnit, SalesReason, SalesStage,
)

LEAD_LABELS = {
    "name": _l("Title"),
    "source": _l("Source"),
    "need": _l("Need"),
    "company_name": _l("Company name"),
    "person_name": _l("Contact person"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "tax_id": _l("Tax id"),
    "account_id": _l("Account"),
    "contact_id": _l("Contact"),
    "qualification_status": _l("Qualification"),
    "stage_id": _l("Stage"),
    "owner_id": _l("Owner"),
    "disqualify_reason_id": _l("Disqualification reason"),
    "nurture_until": _l("Nurture until"),
    "nurture_note": _l("Nurturing note"),
}

OPPORTUNITY_LABELS = {
    "name": _l("Name"),
    "account_id": _l("Account"),
    "contact_id": _l("Contact"),
    "lead_id": _l("Lead"),
    "amount": _l("Amount"),
    "currency": _l("Currency"),
    "stage_id": _l("Stage"),
    "probability": _l("Probability, %"),
    "expected_close_date": _l("Expected close date"),
    "owner_id": _l("Owner"),
    "lost_reason_id": _l("Lost reason"),
}

PRODUCT_LABELS = {
    "name": _l("Name"),
    "sku": _l("SKU"),
    "category_id": _l("Category"),
    "unit_id": _l("Unit"),
    "price": _l("Price"),
    "active": _l("Active"),
    "description": _l("Description"),
}

LINE_LABELS = {
    "product_id": _l("Product"),
    "quantity": _l("Quantity"),
    "unit_price": _l("Unit price"),
    "discount": _l("Discount, %"),
    "line_total": _l("Total"),
    "lead_id": _l("Lead"),
    "opportunity_id": _l("Opportunity"),
}

STAGE_LABELS = {
    "name": _l("Name"),
    "code": _l("Code"),
    "stage_set": _l("Stage set"),
    "sequence": _l("Order"),
    "colour": _l("Colour"),
    "is_won": _l("Won"),
    "is_lost": _l("Lost"),
    "probability": _l("Probability, %"),
}

LOOKUP_LABELS = {"name": _l("Name"), "code": _l("Code"), "kind": _l("Kind"), "parent_id": _l("Parent category")}


def lead_section() -> Section:
    return Section(
        name="lead",
        model=Lead,
        title=_l("Lead"),
        title_plural=_l("Leads"),
        area="sales",
        list_columns=["name", "source", "company_name", "person_name", "stage_id", "qualification_status", "owner_id"],
        search_fields=["name", "company_name", "person_name", "email", "phone", "tax_id"],
        filter_fields=["source", "stage_id", "qualification_status", "owner_id", "account_id", "contact_id",
                       "disqualify_reason_id"],
        layout=[
            {"tab": _l("General"), "groups": [
                {"title": _l("Lead"), "fields": ["name", "source", "stage_id", "qualification_status", "owner_id"]},
                {"title": _l("Need"), "fields": ["need"]},
                {"title": _l("Registration data"), "fields": [
                    "company_name", "person_name", "email", "phone", "tax_id"]},
                {"title": _l("Qualified as"), "fields": ["account_id", "contact_id"]},
            ]},
            {"tab": _l("Nurturing and disqualification"), "groups": [
                {"title": _l("Nurturing"), "fields": ["nurture_until", "nurture_note"]},
                {"title": _l("Disqualification"), "fields": ["disqualify_reason_id"]},
            ]},
        ],
        details=[
            {"section": "lead_product", "field": "lead_id", "title": _l("Products")},
            {"section": "opportunity", "field": "lead_id", "title": _l("Opportunities")},
        ],
        stage_field="stage_id",
        owner_field="owner_id",
        labels=LEAD_LABELS,
        choices={"source": SOURCE_LABELS, "qualification_status": QUALIFICATION_LABELS},
    )


def opportunity_section() -> Section:
    return Section(
        name="opportunity",
        model=Opportunity,
        title=_l("Opportunity"),
        title_plural=_l("Opportunities"),
        area="sales",
        list_columns=["name", "account_id", "stage_id", "amount", "currency", "probability", "expected_close_date",
                      "owner_id"],
        search_fields=["name"],
        filter_fields=["account_id", "contact_id", "stage_id", "owner_id", "expected_close_date", "currency",
                       "lost_reason_id"],
        layout=[
            {"tab": _l("General"), "groups": [
                {"title": _l("Opportunity"), "fields": ["name", "account_id", "contact_id", "lead_id", "owner_id"]},
                {"title": _l("Deal"), "fields": [
                    "stage_id", "amount", "currency", "probability", "expected_close_date", "lost_reason_id"]},
            ]},
        ],
        details=[{"section": "opportunity_product", "field": "opportunity_id", "title": _l("Products")}],
        stage_field="stage_id",
        owner_field="owner_id",
        labels=OPPORTUNITY_LABELS,
    )


def product_section() -> Section:
    return Section(
        name="product",
        model=Product,
        title=_l("Product"),
        title_plural=_l("Products"),
        area="sales",
        list_columns=["name", "sku", "category_id", "unit_id", "price", "active"],
        search_fields=["name", "sku"],
        filter_fields=["category_id", "unit_id", "active", "price"],
        layout=[
            {"tab": _l("General"), "groups": [
                {"title": _l("Product"), "fields": ["name", "sku", "category_id", "unit_id", "price", "active"]},
                {"title": _l("Description"), "fields": ["description"]},
            ]},
        ],
        labels=PRODUCT_LABELS,
    )


def _line(name: str, model, parent_field: str, title, title_plural) -> Section:
    return Section(
        name=name,
        model=model,
        title=title,
        title_plural=title_plural,
        area="sales",
        title_field="product_id",
        list_columns=["product_id", "quantity", "unit_price", "discount", "line_total"],
        filter_fields=[parent_field, "product_id"],
        layout=[{"tab": _l("General"), "groups": [
            {"title": title, "fields": [parent_field, "product_id", "quantity", "unit_price", "discount",
                                         "line_total"]}]}],
        labels=LINE_LABELS,
    )


def _lookup(name: str, model, title, title_plural, extra=(), list_extra=()) -> Section:
    fields = ["name", "code", *extra]
    return Section(
        name=name,
        model=model,
        title=title,
        title_plural=title_plural,
        area="settings",
        list_columns=["name", "code", *list_extra],
        search_fields=["name", "code"],
        filter_fields=list(extra),
        layout=[{"tab": _l("General"), "groups": [{"title": title, "fields": fields}]}],
        labels={**LOOKUP_LABELS, **STAGE_LABELS} if model is SalesStage else LOOKUP_LABELS,
        is_lookup=True,
    )


def sales_sections() -> list[Section]:
    """Fresh Section objects (the registry fills in per-app attributes, so never share them)."""
    stage_fields = ("stage_set", "sequence", "colour", "is_won", "is_lost", "probability")
    return [
        lead_section(),
        opportunity_section(),
        product_section(),
        _line("lead_product", LeadProduct, "lead_id", _l("Lead product"), _l("Lead products")),
        _line("opportunity_product", OpportunityProduct, "opportunity_id", _l("Opportunity product"),
              _l("Opportunity products")),
        _lookup("sales_stage", SalesStage, _l("Sales stage"), _l("Sales stages"), stage_fields,
                ("stage_set", "sequence", "probability")),
        _lookup("sales_reason", SalesReason, _l("Reason"), _l("Reasons"), ("kind",), ("kind",)),
        _lookup("product_category", ProductCategory, _l("Product category"), _l("Product categories"),
                ("parent_id",), ("parent_id",)),
        _lookup("product_unit", ProductUnit, _l("Unit"), _l("Units")),
    ]
