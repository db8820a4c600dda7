"""The tenders add-on's hook implementations: registration, checks and derived values on every write.

The initial maximum price is derived on every write of a tender and refreshed
whenever its price monitoring changes, whichever door the write came through.
A tender linked to an opportunity makes that opportunity follow the tender-sale
case, so the tender's result can close it.
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

from .links import ensure_tender_case, linked
from .models import OFFER_KIND_LABELS, Tender, TenderContract, TenderImplementation, TenderOffer, TenderOpportunity, TenderStage
from .monitoring import collect_past_prices
from .pricing import default_method, deviation, tender_nmc
from .result import enter_result, entering_result
from .sections import tenders_sections
from .stages import SECTION_SETS, first_stage

_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: Cards that show the "Tender links" panel.
LINKED_CARDS = ("tender", "tender_offer", "tender_implementation", "opportunity", "contract", "project")


# -- registration -------------------------------------------------------------------------

@hookimpl
def flowcase_register_sections(app):
    return tenders_sections()


@hookimpl
def flowcase_register_section_extensions(app):
    return [
        SectionExtension(section="contract", model=TenderContract, prefix="tenders",
                         labels={"tender_id": _l("Tender"), "implementation_id": _l("Implementation")}),
        SectionExtension(section="opportunity", model=TenderOpportunity, prefix="tenders",
                         labels={"tender_sale": _l("Sold through a tender")}),
    ]


@hookimpl
def flowcase_register_actions(app):
    return {"tenders.enter_result": enter_result, "tenders.collect_past_prices": collect_past_prices}


@hookimpl
def flowcase_register_blueprints(app):
    from .views import bp

    return [bp]


@hookimpl
def flowcase_register_menus(app):
    return [
        MenuItem(label=_l("Tenders"), target="/tender/", area="sales", sequence=70),
        MenuItem(label=_l("Price monitoring"), target="/tender_offer/", area="sales", sequence=71),
        MenuItem(label=_l("Implementations"), target="/tender_implementation/", area="sales", sequence=72),
    ]


@hookimpl
def flowcase_template_slot(slot, context):
    """The tender's prices and result buttons above its tabs; the links panel below every linked card."""
    section, record = context.get("section"), context.get("record")
    if section is None or record is None or slot not in ("card_top", "card_bottom"):
        return None
    from core.records import records_for

    records = records_for()
    if slot == "card_top" and section.name == "tender":
        return Markup(render_template("tenders/_tender_top.html", section=section, tender=record,
                                      **price_table(records, record)))
    if slot == "card_top" and section.name == "opportunity" and records.can(records.section("tender"), "create"):
        return Markup(render_template("tenders/_opportunity_top.html", record=record))
    if slot == "card_bottom" and section.name in LINKED_CARDS:
        links = linked(records, section.name, record)
        if links:
            return Markup(render_template("tenders/_links.html", links=links, here=(section.name, record.id),
                                          sections=records.state.sections))
    return None


def price_table(records, tender) -> dict:
    """What the tender card shows: the NMC and every offer (rights applied) with its deviation from it."""
    offer_section = records.section("tender_offer")
    rows = list(records.session.scalars(records.select(offer_section).where(TenderOffer.tender_id == tender.id)
                                        .order_by(TenderOffer.kind, TenderOffer.price, TenderOffer.id)))
    accounts = {}
    ids = {row.account_id for row in rows if row.account_id is not None}
    if ids:
        Account = records.section("account").model
        accounts = dict(records.session.execute(
            records.select("account").with_only_columns(Account.id, Account.name).where(Account.id.in_(ids))).all())
    return {
        "offers": [{"offer": row, "account": accounts.get(row.account_id, ""),
                    "deviation": deviation(row.price, tender.nmc)} for row in rows],
        "bid_deviation": deviation(tender.our_bid, tender.nmc),
        "kinds": OFFER_KIND_LABELS,
    }


# -- validation ------------------------------------------------------------------------------

def _check_range(errors, field, value, low, high, message) -> None:
    if value is not None and not (low <= Decimal(value) <= (high if high is not None else value)):
        errors[field] = [message]


def _check_stage(event, errors) -> None:
    stage_id = event.record.stage_id
    if stage_id is None or "stage_id" not in event.values:
        return
    stage = event.records.session.get(TenderStage, stage_id)
    wanted = SECTION_SETS[event.section.name]
    if stage is not None and stage.stage_set != wanted:
        errors["stage_id"] = [_l("Choose a stage of this section's stage set.")]


def _check_tender(event, errors) -> None:
    record = event.record
    _check_range(errors, "our_bid", record.our_bid, 0, None, _l("The bid must not be negative."))
    _check_range(errors, "advance_percent", record.advance_percent, 0, 100, _l("The advance is a percentage from 0 to 100."))
    _check_range(errors, "execution_days", record.execution_days, 0, None, _l("The term must not be negative."))
    if record.currency is not None and not _CURRENCY.match(record.currency):
        errors["currency"] = [_l("A currency is a three-letter ISO code in capitals, like RUB, USD or EUR.")]
    if record.result == "lost" and record.lost_reason_id is None:
        errors["lost_reason_id"] = [_l("Choose why the tender was lost.")]
    written = event.values if event.operation == "create" else event.changes
    if "result" in written and record.result != "pending" and not entering_result():
        # A result set by hand would skip the sale's closing, the implementation and the contracts.
        errors["result"] = [_l("Enter the result with the “Enter the result” button (or the tenders.enter_result action).")]


def _check_offer(event, errors) -> None:
    record = event.record
    _check_range(errors, "price", record.price, 0, None, _l("The price must not be negative."))
    _check_range(errors, "advance_percent", record.advance_percent, 0, 100, _l("The advance is a percentage from 0 to 100."))
    _check_range(errors, "delivery_days", record.delivery_days, 0, None, _l("The term must not be negative."))


@hookimpl
def flowcase_record_validate(event):
    errors: dict = {}
    record = event.record
    if isinstance(record, Tender):
        _check_tender(event, errors)
    elif isinstance(record, TenderOffer):
        _check_offer(event, errors)
    if isinstance(record, (Tender, TenderOffer, TenderImplementation)):
        _check_stage(event, errors)
    return errors or None


# -- derived values ------------------------------------------------------------------------------


def _prepare(event) -> None:
    record, session = event.record, event.records.session
    if not isinstance(record, (Tender, TenderOffer, TenderImplementation)):
        return
    if event.operation == "create":
        if record.owner_id is None and event.user is not None:
            event.set("owner_id", event.user.id)
        if record.stage_id is None:
            stage = first_stage(session, SECTION_SETS[event.section.name])
            event.set("stage_id", stage.id if stage is not None else None)
    if isinstance(record, Tender):
        if record.nmc_method is None:
            event.set("nmc_method", default_method())
        if record.currency is None:
            event.set("currency", "RUB")
        if record.nmc_with_past is None:
            event.set("nmc_with_past", False)
        event.set("nmc", tender_nmc(session, record))
    elif isinstance(record, TenderOffer):
        if record.kind is None:
            event.set("kind", "offer")
        if record.chosen is None:
            event.set("chosen", False)
        if not (record.name or "").strip():
            event.set("name", _offer_name(event))


def _offer_name(event) -> str:
    record = event.record
    account = None
    if record.account_id is not None:
        Account = event.records.section("account").model
        account = event.records.session.get(Account, record.account_id)
    who = account.name if account is not None else str(_l("Offer"))
    price = f"{Decimal(record.price):,.2f}".replace(",", "\u00a0") if record.price is not None else ""
    return f"{who} — {price}".strip(" —")[:250]


@hookimpl
def flowcase_record_before_create(event):
    _prepare(event)


@hookimpl
def flowcase_record_before_update(event):
    _prepare(event)


def _refresh_nmc(event, tender_id) -> None:
    """A change of the monitoring recomputes the tender's NMC (a derived value: written with sudo)."""
    if tender_id is None:
        return
    records = event.records
    tender = records.session.get(Tender, tender_id)
    if tender is None:
        return
    nmc = tender_nmc(records.session, tender)
    if not same(tender.nmc, nmc):
        records.sudo().update("tender", tender, {"nmc": nmc})


def _link_opportunity(event) -> None:
    record = event.record
    written = event.values if event.operation == "create" else event.changes
    if record.opportunity_id is not None and "opportunity_id" in written:
        opportunity = event.records.session.get(event.records.section("opportunity").model, record.opportunity_id)
        if opportunity is not None:
            ensure_tender_case(event.records, opportunity)


@hookimpl
def flowcase_record_after_create(event):
    if isinstance(event.record, TenderOffer):
        _refresh_nmc(event, event.record.tender_id)
    elif isinstance(event.record, Tender):
        _link_opportunity(event)


@hookimpl
def flowcase_record_after_update(event):
    if isinstance(event.record, TenderOffer) and {"price", "kind", "tender_id"} & set(event.changes):
        _refresh_nmc(event, event.record.tender_id)
        old_tender = event.changes.get("tender_id", (None, None))[0]
        if old_tender is not None:
            _refresh_nmc(event, old_tender)
    elif isinstance(event.record, Tender):
        _link_opportunity(event)


@hookimpl
def flowcase_record_after_delete(event):
    if isinstance(event.record, TenderOffer):
        _refresh_nmc(event, event.values.get("tender_id"))


# -- demo ---------------------------------------------------------------------------------------

#: Demo tenders whose result the demo enters, with the result's parameters (external ids of the demo file).
DEMO_RESULTS = (
    ("demo_tender_kola", {"result": "won", "suppliers": ["demo_offer_kola_energomash"]}),
    ("demo_tender_novovoronezh", {"result": "lost", "reason": "sales.reason_lost_price",
                                  "winner": "demo_atomsnab"}),
)


@hookimpl
def flowcase_demo_generate(records, scale):
    """Enter the demo tenders' results, so the demo shows a won tender's whole story and a lost one."""
    from datetime import date, timedelta

    from flask_babel import force_locale

    from core.addons.data import find_external_id

    def ref(key):
        found = find_external_id(records.session, key, "tenders")
        return found.record_id if found is not None else None

    for key, params in DEMO_RESULTS:
        tender_id = ref(key)
        tender = records.session.get(Tender, tender_id) if tender_id is not None else None
        if tender is None or tender.result != "pending":
            continue
        with force_locale("ru"):  # the demo tells a Russian company's story: generated names in Russian too
            enter_result(records, records.section("tender"), tender, result=params["result"],
                         result_date=date.today() - timedelta(days=7),
                         suppliers=[ref(s) for s in params.get("suppliers", ())],
                         reason_id=ref(params["reason"]) if "reason" in params else None,
                         winner_id=ref(params["winner"]) if "winner" in params else None)
