"""The sales pages: lead actions (qualify, transfer to sale, nurture, disqualify) and the product picker.

Views stay thin: each one reads through the signed-in user's records service
and runs a registered action inside one ``records.transaction()``, so a
failure shows its message and writes nothing.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.errors import AccessDenied, ConflictError, ValidationError
from core.records import records_for
from core.state import get_state
from core.ui.display import lookup_options

from .models import ReasonKind, SalesReason
from .picker import PICKER_LIMIT, category_tree, find_products, picked_lines, picker_fields
from .qualification import NEW, find_matches

bp = Blueprint("sales", __name__, url_prefix="/sales")

#: Sections the picker adds lines to: ``{parent section: (line section, the line's parent field)}``.
LINE_SECTIONS = {"lead": ("lead_product", "lead_id"), "opportunity": ("opportunity_product", "opportunity_id")}
#: Choices a lookup filter offers before it falls back to typing an id.
OPTION_LIMIT = 200


def _lead(lead_id: int):
    """The records service and the lead, which the user must be allowed to change."""
    records = records_for()
    section = records.section("lead")
    lead = records.get(section, lead_id)
    if not records.can(section, "update", lead):
        raise AccessDenied(_("You may not change this lead."))
    return records, section, lead


def _run(records, name: str, section, record, **params):
    """Run the registered action ``name`` in one transaction: all of it is written, or none."""
    action = get_state().actions[name]
    with records.transaction():
        return action(records, section, record, **params)


def _messages(error) -> list[str]:
    return [str(message) for messages in error.errors.values() for message in messages] \
        if isinstance(error, ValidationError) else [str(error)]


def _card(section_name: str, record_id: int):
    return redirect(url_for("sections.card", section_name=section_name, record_id=record_id))


# -- qualification -----------------------------------------------------------------

def _qualify_page(records, section, lead, matches=None, errors=(), status=200):
    matches = matches if matches is not None else find_matches(records, lead)
    return render_template("sales/qualify.html", section=section, lead=lead, matches=matches, new=NEW,
                           errors=list(errors), title=section.display_name(lead)), status


@bp.route("/lead/<int:lead_id>/qualify", methods=["GET", "POST"])
@login_required
def qualify(lead_id: int):
    """Qualify in one click; when the lead may already be a known contact or account, offer to link them."""
    records, section, lead = _lead(lead_id)
    if request.method == "GET":
        return _qualify_page(records, section, lead)
    try:
        result = _run(records, "sales.qualify_lead", section, lead,
                      contact=request.form.get("contact"), account=request.form.get("account"))
    except (ValidationError, ConflictError) as error:
        return _qualify_page(records, section, lead, errors=_messages(error), status=422)
    if result.needs_choice:
        return _qualify_page(records, section, lead, matches=result.matches)
    flash(_("The lead is qualified."), "success")
    return _card("lead", lead.id)


# -- transfer to sale, nurture, disqualify -------------------------------------------------

@bp.route("/lead/<int:lead_id>/convert", methods=["POST"])
@login_required
def convert(lead_id: int):
    """"Transfer to sale": create the opportunity and open it."""
    records, section, lead = _lead(lead_id)
    try:
        opportunity = _run(records, "sales.convert_to_opportunity", section, lead)
    except (ValidationError, ConflictError) as error:
        for message in _messages(error):
            flash(message, "danger")
        return _card("lead", lead_id)
    flash(_("The opportunity is created."), "success")
    return _card("opportunity", opportunity.id)


@bp.route("/lead/<int:lead_id>/nurture", methods=["GET", "POST"])
@login_required
def nurture(lead_id: int):
    """Put the lead into nurturing until a date, with a note."""
    records, section, lead = _lead(lead_id)
    errors, status = [], 200
    if request.method == "POST":
        try:
            _run(records, "sales.nurture", section, lead, until=request.form.get("until") or None,
                 note=request.form.get("note") or None)
        except (ValidationError, ConflictError) as error:
            errors, status = _messages(error), 422
        else:
            flash(_("The lead is in nurturing."), "success")
            return _card("lead", lead.id)
    return render_template("sales/nurture.html", section=section, lead=lead, errors=errors,
                           title=section.display_name(lead), form=request.form), status


@bp.route("/lead/<int:lead_id>/disqualify", methods=["GET", "POST"])
@login_required
def disqualify(lead_id: int):
    """Disqualify the lead with a reason (required)."""
    records, section, lead = _lead(lead_id)
    errors, status = [], 200
    if request.method == "POST":
        try:
            _run(records, "sales.disqualify", section, lead, reason_id=request.form.get("reason_id"))
        except (ValidationError, ConflictError) as error:
            errors, status = _messages(error), 422
        else:
            flash(_("The lead is disqualified."), "success")
            return _card("lead", lead.id)
    reasons = records.session.scalars(
        records.select("sales_reason").where(SalesReason.kind == ReasonKind.DISQUALIFY).order_by(SalesReason.name)
    ).all()
    return render_template("sales/disqualify.html", section=section, lead=lead, reasons=reasons, errors=errors,
                           title=section.display_name(lead), chosen=request.form.get("reason_id", "")), status


# -- product picker ---------------------------------------------------------------------------

@bp.route("/<section_name>/<int:record_id>/products", methods=["GET", "POST"])
@login_required
def products(section_name: str, record_id: int):
    """Filter the catalogue (category subtree, any product field), tick products, add them as lines."""
    if section_name not in LINE_SECTIONS:
        abort(404)
    records = records_for()
    state = get_state()
    parent_section = records.section(section_name)
    record = records.get(parent_section, record_id)
    line_section_name, parent_field = LINE_SECTIONS[section_name]
    line_section = records.section(line_section_name)
    product_section = records.section("product")
    errors, status, found = [], 200, []
    if request.method == "POST":
        try:
            lines = picked_lines(request.form, parent_field, record.id)
            with records.transaction():
                for values in lines:
                    records.create(line_section, values)
        except (ValidationError, AccessDenied, ConflictError) as error:
            errors, status = _messages(error), 422
        else:
            flash(_("Products added: %(count)s.", count=len(lines)), "success")
            return _card(section_name, record.id)
    args = request.form if request.method == "POST" else request.args
    try:
        found = find_products(records, product_section, args, current_user._get_current_object())
    except ValidationError as error:
        errors, status = errors + _messages(error), 422
    fields = []
    for info in picker_fields(product_section):
        options = lookup_options(records, info, OPTION_LIMIT) if info.type == "lookup" else None
        fields.append({"info": info, "name": f"f.{info.path}", "value": args.get(f"f.{info.path}", ""),
                       "options": options})
    return render_template(
        "sales/picker.html", section=parent_section, record=record, title=parent_section.display_name(record),
        products=found, limit=PICKER_LIMIT, categories=category_tree(records), fields=fields, args=args,
        errors=errors, can_add=records.can(line_section, "create"), state=state,
    ), status
