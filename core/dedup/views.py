"""``/<section>/duplicates``: the scan's groups with a merge button per pair; ``POST /<section>/merge``."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from core.dedup.merge import merge_records
from core.dedup.scan import duplicate_groups
from core.errors import AccessDenied, ConflictError, RecordNotFound, ValidationError
from core.ui.common import current_records, section_or_404

bp = Blueprint("dedup", __name__)


@bp.route("/<section_name>/duplicates")
@login_required
def duplicates(section_name: str):
    """Groups of records matching each other under an active rule (only records the user may read)."""
    section = section_or_404(section_name)
    records = current_records()
    groups = duplicate_groups(records, section)
    return render_template("dedup/duplicates.html", section=section, groups=groups,
                           can_merge=records.can(section, "delete"))


@bp.route("/<section_name>/merge", methods=["POST"])
@login_required
def merge(section_name: str):
    """Merge ``other`` into ``keep``; refused merges come back with the reason."""
    section = section_or_404(section_name)
    records = current_records()
    keep, other = request.form.get("keep", ""), request.form.get("other", "")
    if not (keep.isdigit() and other.isdigit()):
        flash(_("Choose the record to keep and the one to merge into it."), "warning")
        return redirect(url_for("dedup.duplicates", section_name=section.name), 303)
    try:
        merge_records(records, section, int(keep), int(other))
    except (ValidationError, AccessDenied, RecordNotFound, ConflictError) as error:
        flash(_("Not merged: %(reason)s", reason=str(error)), "danger")
        return redirect(url_for("dedup.duplicates", section_name=section.name), 303)
    flash(_("Merged #%(other)s into #%(keep)s.", other=other, keep=keep), "success")
    return redirect(url_for("sections.card", section_name=section.name, record_id=int(keep)), 303)
