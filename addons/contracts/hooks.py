"""The contracts add-on's hook implementations: registration, checks, derived values and roll-ups on every write.

Whatever door a write comes through (page, API, import, another add-on), a
contract gets its number, first stage, state and owner here; planned payments,
invoices and payments get their contract's direction; a recorded payment rolls
up into its planned payment, whose state follows (see :mod:`.balance`).
"""
from __future__ import annotations

import re
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import RecordNotFound, ValidationError
from core.jobs import PeriodicJob
from core.menus import MenuItem
from core.plugins import hookimpl

from . import balance, card_panels
from .models import (
    Contract, ContractInvoice, ContractPayment, ContractStage, ContractState, Direction, PaymentKind, PlannedPayment,
)
from .numbering import next_number
from .sections import contracts_sections
from .timeline import contract_items

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CHILDREN = (PlannedPayment, ContractInvoice, ContractPayment)


# -- registration -------------------------------------------------------------------------

@hookimpl
def flowcase_register_sections(app):
    return contracts_sections()


@hookimpl
def flowcase_register_menus(app):
    return [
        MenuItem(label=_l("Contracts"), target="/contract/", area="sales", sequence=70),
        MenuItem(label=_l("Planned payments"), target="/contract_payment/", area="sales", sequence=71),
        MenuItem(label=_l("Budget"), target="/dashboards/contracts_budget", area="sales", sequence=72),
    ]


def _mark_overdue_job(app):
    """The periodic job: store "overdue" on planned payments past their date (runs inside an app context)."""
    records = app.extensions["flowcase"].records(sudo=True)
    with records.transaction():
        return balance.mark_overdue(records)


@hookimpl
def flowcase_register_periodic_jobs(app):
    # Shortly after midnight UTC; the card and the "overdue" filter do not wait for it (they compute on read).
    return [PeriodicJob(name="contracts.mark_overdue", func=_mark_overdue_job, minute="10", hour="0")]


@hookimpl
def flowcase_template_slot(slot, context):
    """The contract's balance panel and a planned payment's buttons above the tabs; an opportunity's contracts below."""
    section, record = context.get("section"), context.get("record")
    if section is None or record is None:
        return None
    panel = _PANELS.get((slot, section.name))
    return panel(record) if panel is not None else None


_PANELS = {
    ("card_top", "contract"): card_panels.balance_panel,
    ("card_top", "contract_payment"): card_panels.planned_payment_actions,
    ("card_bottom", "opportunity"): card_panels.opportunity_contracts,
}


@hookimpl
def flowcase_timeline_items(section, record, records, limit):
    """An account's contracts on its communication timeline."""
    return contract_items(section, record, records, limit)


# -- validation ---------------------------------------------------------------------------

def _check_contract(event, errors: dict) -> None:
    record = event.record
    if record.amount is not None and Decimal(record.amount) < 0:
        errors["amount"] = [_l("The amount must not be negative.")]
    if record.currency is not None and not _CURRENCY.match(record.currency):
        errors["currency"] = [_l("A currency is a three-letter ISO code in capitals, like RUB, USD or EUR.")]
    if record.start_date and record.end_date and record.end_date < record.start_date:
        errors["end_date"] = [_l("The end date must not be before the start date.")]
    if "parent_contract_id" in event.values and record.parent_contract_id is not None:
        _check_parent(event, errors)


def _check_parent(event, errors: dict) -> None:
    session, record = event.records.session, event.record
    seen, parent_id = set(), record.parent_contract_id
    while parent_id is not None and parent_id not in seen and len(seen) < 100:
        if record.id is not None and parent_id == record.id:
            errors["parent_contract_id"] = [_l("A contract cannot be subordinate to itself.")]
            return
        seen.add(parent_id)
        parent_id = session.scalar(sa.select(Contract.parent_contract_id).where(Contract.id == parent_id))


def _visible_contract(event, errors: dict) -> Contract | None:
    """The child's contract, if the acting user may read it (a door for someone else's contract stays shut)."""
    contract_id = event.record.contract_id
    if contract_id is None:
        return None
    try:
        return event.records.get("contract", contract_id)
    except RecordNotFound:
        errors["contract_id"] = [_l("Contract #%(id)s does not exist.", id=contract_id)]
        return None


def _same_contract(event, errors: dict, field: str, model) -> None:
    value = getattr(event.record, field)
    if value is None or field not in event.values:
        return
    owner = event.records.session.scalar(sa.select(model.contract_id).where(model.id == value))
    if owner != event.record.contract_id:
        errors[field] = [_l("Choose one of this contract's own records.")]


def _check_child(event, errors: dict) -> None:
    record = event.record
    if record.amount is not None and Decimal(record.amount) <= 0:
        errors["amount"] = [_l("The amount must be more than zero.")]
    if "contract_id" in event.values:
        _visible_contract(event, errors)
    if isinstance(record, (ContractInvoice, ContractPayment)):
        _same_contract(event, errors, "planned_payment_id", PlannedPayment)
    if isinstance(record, ContractPayment):
        _same_contract(event, errors, "invoice_id", ContractInvoice)


@hookimpl
def flowcase_record_validate(event):
    errors: dict = {}
    if isinstance(event.record, Contract):
        _check_contract(event, errors)
    elif isinstance(event.record, _CHILDREN):
        _check_child(event, errors)
    return errors or None


# -- derived values ---------------------------------------------------------------------------


def _first_stage(session) -> ContractStage | None:
    return session.scalar(sa.select(ContractStage).order_by(ContractStage.sequence, ContractStage.id).limit(1))


#: A form's empty "—" (or an API's null) for these means "the default", not "nothing".
_CONTRACT_DEFAULTS = {"direction": lambda: Direction.INCOME, "currency": lambda: "RUB",
                      "amount": lambda: Decimal(0), "date": balance.today}
_CHILD_DEFAULTS = {"kind": lambda: PaymentKind.ADVANCE, "date": balance.today, "paid_amount": lambda: Decimal(0)}


def _defaults(event, defaults: dict) -> None:
    for field, default in defaults.items():
        if hasattr(event.record, field) and getattr(event.record, field) is None:
            event.set(field, default())


def _prepare_contract(event) -> None:
    record, session = event.record, event.records.session
    # The state a user (or another add-on) writes wins over the stage's; an empty one does not.
    state_given = event.values.get("state") is not None
    _defaults(event, _CONTRACT_DEFAULTS)
    if event.operation == "create":
        if record.owner_id is None and event.user is not None:
            event.set("owner_id", event.user.id)
        if record.stage_id is None:
            stage = _first_stage(session)
            event.set("stage_id", stage.id if stage is not None else None)
        if not (record.number or "").strip():
            event.set("number", next_number(event.records, record.direction, record.date))
    if "stage_id" in event.written and not state_given and record.stage_id is not None:
        stage = session.get(ContractStage, record.stage_id)
        if stage is not None and stage.state:
            event.set("state", stage.state)
    if record.state is None:
        event.set("state", ContractState.DRAFT)


def _prepare_child(event) -> None:
    record = event.record
    _defaults(event, _CHILD_DEFAULTS)
    if "contract_id" in event.written and record.contract_id is not None:
        direction = event.records.session.scalar(sa.select(Contract.direction).where(Contract.id == record.contract_id))
        if direction is not None:
            event.set("direction", direction)
    if isinstance(record, PlannedPayment):
        event.set("name", _payment_name(event.records.session, record))
        event.set("remaining", balance.remaining(record))
        relevant = {"amount", "paid_amount", "planned_date", "contract_id"}
        if event.operation == "create" and "state" not in event.values or \
                relevant & event.written and "state" not in event.values:
            state = balance.payment_state(record, balance.is_invoiced(event.records.session, record.id),
                                          balance.today())
            event.set("state", state)


def _payment_name(session, record: PlannedPayment) -> str:
    number = session.scalar(sa.select(Contract.number).where(Contract.id == record.contract_id))
    when = record.planned_date.strftime("%d.%m.%Y") if record.planned_date else ""
    return " · ".join(part for part in (number or f"#{record.contract_id}", when) if part)


def _prepare(event) -> None:
    if isinstance(event.record, Contract):
        _prepare_contract(event)
    elif isinstance(event.record, _CHILDREN):
        _prepare_child(event)


@hookimpl
def flowcase_record_before_create(event):
    _prepare(event)


@hookimpl
def flowcase_record_before_update(event):
    _prepare(event)


# -- roll-ups ----------------------------------------------------------------------------------

def _refresh_state(records, payment_id) -> None:
    """An invoice issued or withdrawn: the planned payment's state follows."""
    payment = records.session.get(PlannedPayment, payment_id) if payment_id is not None else None
    if payment is None:
        return
    state = balance.payment_state(payment, balance.is_invoiced(records.session, payment.id), balance.today())
    if state != payment.state:
        records.sudo().update("contract_payment", payment, {"state": state})


def _after_child_change(event, old_planned=None) -> None:
    record = event.record
    refresh = balance.refresh_planned_payment if isinstance(record, ContractPayment) else _refresh_state
    refresh(event.records, record.planned_payment_id)
    if old_planned is not None and old_planned != record.planned_payment_id:
        refresh(event.records, old_planned)


@hookimpl
def flowcase_record_after_create(event):
    if isinstance(event.record, (ContractPayment, ContractInvoice)):
        _after_child_change(event)


@hookimpl
def flowcase_record_after_update(event):
    record = event.record
    if isinstance(record, (ContractPayment, ContractInvoice)):
        old = event.changes.get("planned_payment_id", (None, None))[0]
        _after_child_change(event, old)
    elif isinstance(record, Contract) and {"direction", "number"} & set(event.changes):
        _spread_to_children(event.records, record)


def _spread_to_children(records, contract: Contract) -> None:
    """The contract's direction (and, for planned payments, its number in their names) follows to its details."""
    system = records.sudo()
    for section, model in (("contract_payment", PlannedPayment), ("contract_invoice", ContractInvoice),
                           ("contract_paid", ContractPayment)):
        for child in records.session.scalars(sa.select(model).where(model.contract_id == contract.id)).all():
            values = {"direction": contract.direction}
            if isinstance(child, PlannedPayment):
                values["name"] = _payment_name(records.session, child)
            system.update(section, child, values)


@hookimpl
def flowcase_record_before_delete(event):
    """A contract with recorded payments stays (cancel it instead); otherwise its plan and invoices go with it."""
    record = event.record
    if not isinstance(record, Contract):
        return
    session, system = event.records.session, event.records.sudo()
    if session.scalar(sa.select(sa.literal(1)).select_from(ContractPayment)
                      .where(ContractPayment.contract_id == record.id).limit(1)):
        raise ValidationError(_l("This contract has recorded payments and cannot be deleted; cancel it instead."))
    for section, model in (("contract_invoice", ContractInvoice), ("contract_payment", PlannedPayment)):
        for child in session.scalars(sa.select(model).where(model.contract_id == record.id)).all():
            system.delete(section, child)


@hookimpl
def flowcase_record_after_delete(event):
    record, values = event.record, event.values
    if isinstance(record, ContractPayment):
        balance.refresh_planned_payment(event.records, values.get("planned_payment_id"))
    elif isinstance(record, ContractInvoice):
        _refresh_state(event.records, values.get("planned_payment_id"))
