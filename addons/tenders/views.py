"""The tender pages: the result form (won or lost) and collecting earlier contracts' prices.

Views stay thin: each reads through the signed-in user's records service and
runs a registered action in one ``records.transaction()``, so a failure shows
its message and writes nothing.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from core.errors import AccessDenied, ConflictError, ValidationError
from core.records import records_for
from core.state import get_state

from .models import OfferKind, TenderOffer, TenderResult

bp = Blueprint("tenders", __name__, url_prefix="/tenders")


def _tender(tender_id: int):
    """The records service and the tender, which the user must be allowed to change."""
    records = records_for()
    section = records.section("tender")
    tender = records.get(section, tender_id)
    if not records.can(section, "update", tender):
        raise AccessDenied(_("You may not change this tender."))
    return records, section, tender


def _run(records, name: str, section, record, **params):
    action = get_state().actions[name]
    with records.transaction():
        return action(records, section, record, **params)


def _messages(error) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(message) for messages in error.errors.values() for message in messages]
    return [str(error)]


def _card(section_name: str, record_id: int):
    return redirect(url_for("sections.card", section_name=section_name, record_id=record_id))


@bp.route("/tender/<int:tender_id>/result", methods=["GET", "POST"])
@login_required
def result(tender_id: int):
    """Enter the tender's result: a win forms the implementation, a loss closes the sale with the reason."""
    records, section, tender = _tender(tender_id)
    errors, status = [], 200
    if tender.result != TenderResult.PENDING:
        flash(_("The result of this tender is already entered."), "warning")
        return _card("tender", tender.id)
    if request.method == "POST":
        try:
            outcome = _run(records, "tenders.enter_result", section, tender,
                           result=request.form.get("result"), result_date=request.form.get("result_date") or None,
                           reason_id=request.form.get("reason_id") or None,
                           winner_id=request.form.get("winner_id") or None,
                           suppliers=request.form.getlist("suppliers"))
        except (ValidationError, ConflictError, AccessDenied) as error:
            errors, status = _messages(error), 422
        else:
            if request.form.get("result") == TenderResult.WON:
                flash(_("The tender is won: the implementation, its project and the contracts are created."), "success")
                return _card("tender_implementation", outcome.id)
            flash(_("The tender is lost; the opportunity is closed as lost."), "info")
            return _card("tender", tender.id)
    offers = list(records.session.scalars(records.select("tender_offer").where(
        TenderOffer.tender_id == tender.id, TenderOffer.kind == OfferKind.OFFER).order_by(TenderOffer.price)))
    Reason = records.section("sales_reason").model
    reasons = records.session.scalars(records.select("sales_reason").where(Reason.kind == "lost")
                                      .order_by(Reason.name)).all()
    Account = records.section("account").model
    account_ids = {o.account_id for o in offers if o.account_id is not None}
    participants = records.session.scalars(records.select("account").where(Account.id.in_(account_ids))
                                           .order_by(Account.name)).all() if account_ids else []
    return render_template("tenders/result.html", section=section, tender=tender, offers=offers, reasons=reasons,
                           participants=participants, errors=errors, form=request.form,
                           chosen=set(request.form.getlist("suppliers")), title=section.display_name(tender)), status


@bp.route("/tender/<int:tender_id>/collect-past-prices", methods=["POST"])
@login_required
def collect(tender_id: int):
    """Add the prices of earlier contracts with customers of the same group to the price monitoring."""
    records, section, tender = _tender(tender_id)
    try:
        added = _run(records, "tenders.collect_past_prices", section, tender)
    except (ValidationError, ConflictError, AccessDenied) as error:
        for message in _messages(error):
            flash(message, "danger")
    else:
        flash(_("Prices of earlier contracts added: %(count)s.", count=added), "success")
    return _card("tender", tender.id)
