"""The sales actions, registered by name (``flowcase_register_actions``) for pages, stages and automations.

Each is ``action(records, section, record, **params)`` and runs its writes in
``records.transaction()``: called from a page it is one transaction, called
from a hook it is a savepoint of the triggering write; either way a failure
writes nothing.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError

from .lines import LINE_FIELDS
from .models import Lead, LeadProduct, Qualification, ReasonKind, SalesReason
from .qualification import qualify_lead
from .stages import LEAD_DISQUALIFIED, LEAD_NURTURING, LEAD_TRANSFERRED, OPPORTUNITY_SET, first_stage, stage_by_code

#: Default currency of new opportunities (the seed companies sell in roubles).
DEFAULT_CURRENCY = "RUB"


def _open(lead) -> None:
    if lead.qualification_status in (Qualification.CONVERTED, Qualification.DISQUALIFIED):
        raise ValidationError(_l("This lead is closed; reopen it by changing its stage first."))


def convert_to_opportunity(records, section, lead, stage_id=None, **params):
    """Action ``sales.convert_to_opportunity``: the lead's opportunity, with its account, contact and products.

    The lead moves to "Transferred to sale" and the opportunity points back at
    it. A lead that has neither an account nor a contact must be qualified first.
    :return: the new opportunity.
    """
    if lead.qualification_status == Qualification.CONVERTED and _has_opportunity(records, lead):
        raise ValidationError(_l("This lead has already been transferred to sale."))
    if lead.qualification_status == Qualification.DISQUALIFIED:
        raise ValidationError(_l("A disqualified lead cannot be transferred to sale."))
    if lead.account_id is None and lead.contact_id is None:
        raise ValidationError(_l("Qualify the lead first: the opportunity needs an account or a contact."))
    with records.transaction():
        start = stage_id or getattr(first_stage(records.session, OPPORTUNITY_SET), "id", None)
        opportunity = records.create("opportunity", {
            "name": lead.name or lead.company_name or lead.person_name,
            "account_id": lead.account_id,
            "contact_id": lead.contact_id,
            "lead_id": lead.id,
            "owner_id": lead.owner_id,
            "currency": DEFAULT_CURRENCY,
            "stage_id": start,
        })
        lines = records.session.scalars(sa.select(LeadProduct).where(LeadProduct.lead_id == lead.id).order_by(LeadProduct.id))
        for line in list(lines):
            values = {name: getattr(line, name) for name in LINE_FIELDS}
            records.create("opportunity_product", {**values, "opportunity_id": opportunity.id})
        # Marked converted before the stage move, so the stage hook sees there is nothing left to do.
        records.update(section, lead, {
            "qualification_status": Qualification.CONVERTED,
            "stage_id": stage_by_code(records.session, LEAD_TRANSFERRED).id,
        })
    return opportunity


def _has_opportunity(records, lead) -> bool:
    from .models import Opportunity

    return records.session.scalar(sa.select(sa.func.count()).where(Opportunity.lead_id == lead.id)) > 0


def nurture(records, section, lead, until=None, note=None, **params) -> Lead:
    """Action ``sales.nurture``: not ready to buy yet; keep in touch until a date, with a note."""
    _open(lead)
    with records.transaction():
        return records.update(section, lead, {
            "qualification_status": Qualification.NURTURING,
            "stage_id": stage_by_code(records.session, LEAD_NURTURING).id,
            "nurture_until": until or None,
            "nurture_note": note or None,
        })


def disqualify(records, section, lead, reason_id=None, **params) -> Lead:
    """Action ``sales.disqualify``: close the lead with a disqualification reason (required)."""
    _open(lead)
    if reason_id in (None, ""):
        raise ValidationError({"disqualify_reason_id": [_l("Choose why the lead is disqualified.")]})
    reason = records.session.get(SalesReason, _int(reason_id))
    if reason is None or reason.kind != ReasonKind.DISQUALIFY:
        raise ValidationError({"disqualify_reason_id": [_l("Choose a disqualification reason from the list.")]})
    with records.transaction():
        return records.update(section, lead, {
            "qualification_status": Qualification.DISQUALIFIED,
            "stage_id": stage_by_code(records.session, LEAD_DISQUALIFIED).id,
            "disqualify_reason_id": reason.id,
        })


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({"disqualify_reason_id": [_l("Choose a disqualification reason from the list.")]}) from None


def sales_actions() -> dict:
    """The actions by name, for ``flowcase_register_actions``."""
    return {
        "sales.qualify_lead": qualify_lead,
        "sales.convert_to_opportunity": convert_to_opportunity,
        "sales.nurture": nurture,
        "sales.disqualify": disqualify,
    }
