"""Bulk actions of the list page beyond delete: change the owner of the checked (or all matching) records."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from core.errors import ValidationError
from core.models import User
from core.ui import bulk, list_query
from core.ui.common import bp, current_records, section_or_404

#: Refusals listed one by one in the message; the rest are counted.
_LISTED_REFUSALS = 20


def _back(section) -> str:
    back = request.form.get("next") or ""
    if back.startswith("/") and not back.startswith("//"):
        return back
    return url_for("sections.list_view", section_name=section.name)


@bp.route("/<section_name>/bulk/owner", methods=["POST"])
@login_required
def bulk_change_owner(section_name: str):
    """Give the checked records (or, confirmed, all the list's matches up to the cap) to another user."""
    section = section_or_404(section_name)
    records = current_records()
    target = _back(section)
    if not section.owner_field:
        flash(_("%(section)s records have no owner.", section=section.title), "danger")
        return redirect(target, 303)
    raw_owner = (request.form.get("owner_id") or "").strip()
    owner = records.session.get(User, int(raw_owner)) if raw_owner.isdigit() else None
    if owner is None or not owner.active:
        flash(_("Choose the new owner first."), "warning")
        return redirect(target, 303)
    handover = request.form.get("handover") == "on"
    if request.form.get("all_matching") == "on":
        query = request.form.get("query", "")
        try:
            stmt = list_query.filtered_select(records, section, list_query.args_from_query(query))
        except ValidationError as error:
            flash(_("Nothing was changed: %(reason)s", reason=bulk.reason_of(error)), "danger")
            return redirect(target, 303)
        ids, more = bulk.matching_ids(records, stmt, section)
        if more:
            flash(_("More than %(n)s records match: narrow the filter first.", n=bulk.BULK_CAP), "danger")
            return redirect(target, 303)
        if request.form.get("confirmed") != "1":
            return render_template("sections/bulk_owner_confirm.html", section=section, count=len(ids), owner=owner,
                                   query=query, handover=handover, next=target)
    else:
        ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    if not ids:
        flash(_("Select the records first."), "warning")
        return redirect(target, 303)
    result = bulk.change_owner(records, section, ids, owner.id, handover=handover)
    name = owner.name or owner.login
    if result.changed:
        flash(ngettext("%(num)d record given to %(owner)s.", "%(num)d records given to %(owner)s.",
                       len(result.changed), owner=name), "success")
    if result.handed_over:
        moved = sum(result.handed_over.values())
        flash(ngettext("%(num)d related record handed over too.", "%(num)d related records handed over too.", moved),
              "info")
    if result.refused:
        listed = "; ".join(f"#{record_id}: {reason}" for record_id, reason in result.refused[:_LISTED_REFUSALS])
        if len(result.refused) > _LISTED_REFUSALS:
            listed += " …"
        flash(ngettext("%(num)d record was not changed: %(list)s", "%(num)d records were not changed: %(list)s",
                       len(result.refused), list=listed), "danger")
    return redirect(target, 303)
