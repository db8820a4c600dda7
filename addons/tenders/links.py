"""How tenders, opportunities, implementations, projects and contracts point at each other, both ways.

Forward links are fields (a tender's ``opportunity_id``, an implementation's
``project_id``, a contract's ``tenders.tender_id``); the way back is read here
for the "Tender links" panel every one of those cards shows.
"""
from __future__ import annotations

import sqlalchemy as sa

from .models import Tender, TenderContract, TenderImplementation, TenderOpportunity

#: The process case an opportunity sold through a tender follows (data/tenders_process_data.yaml).
TENDER_SALE_FLAG = "tenders.tender_sale"


def ensure_tender_case(records, opportunity) -> None:
    """Mark the opportunity as a tender sale and make it follow the tender-sale case.

    That case lets the tender's result close the sale from any stage; the
    process bookkeeping is the system's, so it is written with ``sudo()``.
    """
    from core.process.config import process_of
    from core.process.engine import better_case, start_case, switch_case

    sudo, section = records.sudo(), records.section("opportunity")
    row = records.session.get(TenderOpportunity, opportunity.id)
    if row is None or not row.tender_sale:
        sudo.update(section, opportunity, {TENDER_SALE_FLAG: True})
    if process_of(records.session, section, opportunity) is None:  # it followed no case so far
        start_case(sudo, section, opportunity)
    elif better_case(sudo, section, opportunity) is not None:
        switch_case(sudo, section, opportunity)
        _forget_switch_offer(opportunity)


def _forget_switch_offer(opportunity) -> None:
    """Drop the "switch to the process" offer the flag's update flashed: the switch is already made."""
    from flask import has_request_context, session, url_for

    if not has_request_context() or "_flashes" not in session:
        return
    url = url_for("process.switch", section_name="opportunity", record_id=opportunity.id)
    session["_flashes"] = [(category, message) for category, message in session["_flashes"]
                           if f'href="{url}"' not in str(message)]


def _visible(records, section_name: str, ids) -> list:
    """The records of ``section_name`` with these ids the user may read, in id order."""
    ids = [i for i in ids if i is not None]
    if not ids or section_name not in records.state.sections:
        return []
    section = records.section(section_name)
    return list(records.session.scalars(records.select(section).where(section.model.id.in_(ids))
                                        .order_by(section.model.id)))


def tender_ids_for(records, section_name: str, record) -> list[int]:
    """The tenders a record of ``section_name`` belongs to."""
    session = records.session
    if section_name == "tender":
        return [record.id]
    if section_name in ("tender_offer", "tender_implementation"):
        return [record.tender_id]
    if section_name == "opportunity":
        return list(session.scalars(sa.select(Tender.id).where(Tender.opportunity_id == record.id)))
    if section_name == "contract":
        row = session.get(TenderContract, record.id)
        return [row.tender_id] if row is not None and row.tender_id is not None else []
    if section_name == "project":
        return list(session.scalars(sa.select(TenderImplementation.tender_id).where(
            TenderImplementation.project_id == record.id)))
    return []


def linked(records, section_name: str, record) -> dict | None:
    """Everything the record's tenders link to, rights applied: ``{section name: [records]}``, or None."""
    tender_ids = tender_ids_for(records, section_name, record)
    if not tender_ids:
        return None
    session = records.session
    tenders = _visible(records, "tender", tender_ids)
    implementations = list(session.scalars(sa.select(TenderImplementation.id).where(
        TenderImplementation.tender_id.in_(tender_ids))))
    implementation_rows = _visible(records, "tender_implementation", implementations)
    contract_ids = list(session.scalars(sa.select(TenderContract.id).where(TenderContract.tender_id.in_(tender_ids))))
    return {
        "tender": tenders,
        "opportunity": _visible(records, "opportunity", [t.opportunity_id for t in tenders]),
        "tender_implementation": implementation_rows,
        "project": _visible(records, "project", [i.project_id for i in implementation_rows]),
        "contract": _visible(records, "contract", contract_ids),
    }
