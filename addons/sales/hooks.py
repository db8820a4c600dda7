"""The sales add-on's hook implementations: registration, checks and derived values on every write.

Derived values (a lead's title, a line's unit price and total, an
opportunity's probability and amount, default stages and owners) are set in
the ``before_*`` hooks, so they are right whichever door the write came
through. Moving a lead to "Transfer to sale" by any door creates its
opportunity (:func:`flowcase_record_after_stage_change`).
"""
from __future__ import annotations

import re
from decimal import Decimal

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.menus import MenuItem
from core.plugins import hookimpl
from core.sections import SectionExtension
from core.values import same

from .actions import convert_to_opportunity, sales_actions
from .lines import line_total, opportunity_amount
from .models import (
    Lead, LeadProduct, LeadSource, Opportunity, OpportunityProduct, Product, ProductCategory, Qualification, SalesAccount,
    SalesStage,
)
from .sections import sales_sections
from .stages import LEAD_SET, LEAD_TRANSFERRED, OPPORTUNITY_SET, first_stage

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_MAX_PARENT_DEPTH = 100


# -- registration -------------------------------------------------------------------

@hookimpl
def flowcase_register_sections(app):
    return sales_sections()


@hookimpl
def flowcase_register_section_extensions(app):
    return [SectionExtension(section="account", model=SalesAccount, prefix="sales", labels={"tax_id": _l("Tax id")})]


@hookimpl
def flowcase_register_actions(app):
    return sales_actions()


@hookimpl
def flowcase_register_blueprints(app):
    from .views import bp

    return [bp]


@hookimpl
def flowcase_register_menus(app):
    return [
        MenuItem(label=_l("Leads"), target="/lead/", area="sales", sequence=40),
        MenuItem(label=_l("Opportunities"), target="/opportunity/", area="sales", sequence=50),
        MenuItem(label=_l("Products"), target="/product/", area="sales", sequence=60),
    ]


@hookimpl
def flowcase_template_slot(slot, context):
    """The lead's and the opportunity's action buttons, above the card's tabs."""
    section, record = context.get("section"), context.get("record")
    if slot != "card_top" or section is None or section.name not in ("lead", "opportunity"):
        return None
    return Markup(render_template("sales/_card_actions.html", section=section, record=record,
                                  closed=_closed(record)))


def _closed(record) -> bool:
    return isinstance(record, Lead) and record.qualification_status in (Qualification.CONVERTED,
                                                                          Qualification.DISQUALIFIED)


# -- account and contact cards: timeline, hand-over ---------------------------------------

@hookimpl
def flowcase_timeline_items(section, record, records, limit):
    from .timeline import sales_items

    return sales_items(section, record, records, limit)


@hookimpl
def flowcase_owner_handover(section, record, old_owner_id, new_owner_id, records):
    from .handover import account_groups

    return account_groups(section, record, old_owner_id, new_owner_id, records)


# -- incoming email -------------------------------------------------------------------

@hookimpl
def flowcase_email_received(message, mailbox, records):
    """A message to the sales mailbox (section ``lead``) becomes a lead with source "email"."""
    from .mail_leads import lead_from_email

    return lead_from_email(message, mailbox, records)


# -- validation ------------------------------------------------------------------------

def _stage(event) -> SalesStage | None:
    stage_id = event.record.stage_id
    return event.records.session.get(SalesStage, stage_id) if stage_id is not None else None


def _check_range(errors, field, value, low, high, message) -> None:
    if value is not None and not (low <= Decimal(value) <= (high if high is not None else value)):
        errors[field] = [message]


def _check_lead(event, errors: dict) -> None:
    record, stage = event.record, _stage(event)
    if stage is not None and stage.stage_set != LEAD_SET:
        errors["stage_id"] = [_l("Choose a stage of lead management.")]
    elif stage is not None and stage.is_lost and record.disqualify_reason_id is None:
        errors["disqualify_reason_id"] = [_l("Choose why the lead is disqualified.")]
    email = event.values.get("email")
    if email and "@" not in email:
        errors["email"] = [_l("An email address must contain @, like name@example.com.")]


def _check_opportunity(event, errors: dict) -> None:
    record, stage = event.record, _stage(event)
    _check_range(errors, "amount", record.amount, 0, None, _l("The amount must not be negative."))
    _check_range(errors, "probability", record.probability, 0, 100, _l("The probability is a percentage from 0 to 100."))
    if record.currency is not None and not _CURRENCY.match(record.currency):
        errors["currency"] = [_l("A currency is a three-letter ISO code in capitals, like RUB, USD or EUR.")]
    if stage is not None and stage.stage_set == LEAD_SET:
        errors["stage_id"] = [_l("This stage belongs to leads, not to opportunities.")]
    elif stage is not None and stage.is_lost and record.lost_reason_id is None:
        errors["lost_reason_id"] = [_l("Choose why the opportunity was lost.")]


def _check_line(event, errors: dict) -> None:
    record = event.record
    if record.quantity is not None and Decimal(record.quantity) <= 0:
        errors["quantity"] = [_l("The quantity must be more than zero.")]
    _check_range(errors, "unit_price", record.unit_price, 0, None, _l("The price must not be negative."))
    _check_range(errors, "discount", record.discount, 0, 100, _l("The discount is a percentage from 0 to 100."))


def _check_category(event, errors: dict) -> None:
    record = event.record
    if record.parent_id is None or "parent_id" not in event.values:
        return
    seen, parent_id = set(), record.parent_id
    while parent_id is not None and parent_id not in seen and len(seen) < _MAX_PARENT_DEPTH:
        if record.id is not None and parent_id == record.id:
            errors["parent_id"] = [_l("This parent would make a loop of categories.")]
            return
        seen.add(parent_id)
        parent = event.records.session.get(ProductCategory, parent_id)
        parent_id = parent.parent_id if parent is not None else None


@hookimpl
def flowcase_record_validate(event):
    errors: dict = {}
    record = event.record
    if isinstance(record, Lead):
        _check_lead(event, errors)
    elif isinstance(record, Opportunity):
        _check_opportunity(event, errors)
    elif isinstance(record, (LeadProduct, OpportunityProduct)):
        _check_line(event, errors)
    elif isinstance(record, Product):
        _check_range(errors, "price", record.price, 0, None, _l("The price must not be negative."))
    elif isinstance(record, ProductCategory):
        _check_category(event, errors)
    elif isinstance(record, SalesStage):
        _check_range(errors, "probability", record.probability, 0, 100,
                     _l("The probability is a percentage from 0 to 100."))
    return errors or None


# -- derived values ----------------------------------------------------------------------


def _prepare_lead(event) -> None:
    record = event.record
    # A form's empty "—" choice means "the default", not "nothing".
    if record.source is None:
        event.set("source", LeadSource.MANUAL)
    if record.qualification_status is None:
        event.set("qualification_status", Qualification.NEW)
    if event.operation == "create" and record.stage_id is None:
        stage = first_stage(event.records.session, LEAD_SET)
        event.set("stage_id", stage.id if stage is not None else None)
    if not (record.name or "").strip():
        parts = [p.strip() for p in (record.company_name, record.person_name) if p and p.strip()]
        event.set("name", " / ".join(parts) or str(_l("New lead")))


def _prepare_opportunity(event) -> None:
    record, session = event.record, event.records.session
    if event.operation == "create" and record.stage_id is None:
        stage = first_stage(session, OPPORTUNITY_SET)
        event.set("stage_id", stage.id if stage is not None else None)
    # The stage's probability, unless this write sets its own.
    if "stage_id" in event.written and "probability" not in event.values and record.stage_id is not None:
        stage = session.get(SalesStage, record.stage_id)
        if stage is not None and stage.probability is not None:
            event.set("probability", stage.probability)


def _prepare_line(event) -> None:
    record = event.record
    if record.unit_price is None and record.product_id is not None:
        product = event.records.session.get(Product, record.product_id)
        if product is not None:
            event.set("unit_price", product.price)
    if record.discount is None:
        event.set("discount", Decimal(0))
    if record.quantity is None:
        event.set("quantity", Decimal(1))
    event.set("line_total", line_total(record.quantity, record.unit_price, record.discount))


def _prepare(event) -> None:
    record = event.record
    if isinstance(record, (Lead, Opportunity)):
        if event.operation == "create" and record.owner_id is None and event.user is not None:
            event.set("owner_id", event.user.id)
        (_prepare_lead if isinstance(record, Lead) else _prepare_opportunity)(event)
    elif isinstance(record, (LeadProduct, OpportunityProduct)):
        _prepare_line(event)


@hookimpl
def flowcase_record_before_create(event):
    _prepare(event)


@hookimpl
def flowcase_record_before_update(event):
    _prepare(event)


def _refresh_amount(event, opportunity_id) -> None:
    """An opportunity with product lines is worth their sum."""
    if opportunity_id is None:
        return
    records = event.records
    opportunity = records.session.get(Opportunity, opportunity_id)
    amount = opportunity_amount(records.session, opportunity_id)
    if opportunity is not None and amount is not None and not same(opportunity.amount, amount):
        records.update("opportunity", opportunity, {"amount": amount})


@hookimpl
def flowcase_record_after_create(event):
    if isinstance(event.record, OpportunityProduct):
        _refresh_amount(event, event.record.opportunity_id)


@hookimpl
def flowcase_record_after_update(event):
    if isinstance(event.record, OpportunityProduct):
        _refresh_amount(event, event.record.opportunity_id)


@hookimpl
def flowcase_record_after_delete(event):
    if isinstance(event.record, OpportunityProduct):
        _refresh_amount(event, event.values.get("opportunity_id"))


@hookimpl
def flowcase_record_after_stage_change(event):
    """A lead moved to "Transfer to sale" (by the button, a form or an import) gets its opportunity."""
    record = event.record
    if not isinstance(record, Lead) or record.qualification_status == Qualification.CONVERTED:
        return
    stage = _stage(event)
    if stage is not None and stage.code == LEAD_TRANSFERRED:
        convert_to_opportunity(event.records, event.section, record)


# -- demo -----------------------------------------------------------------------------

@hookimpl
def flowcase_demo_generate(records, scale):
    """Generated leads and opportunities for ``flowcase demo --scale N`` (see :mod:`.demo_generator`)."""
    if scale and scale > 0:
        from .demo_generator import generate

        generate(records, scale)
