"""The global search page (``/search?q=``), reached from the box in the top navigation."""
from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from core.ui.common import bp, current_records
from core.ui.search import MIN_LENGTH, PER_SECTION, global_search


@bp.route("/search")
@login_required
def global_search_view():
    """Matches grouped by section, a few each, with a link to the section's list for the rest."""
    text = (request.args.get("q") or "").strip()
    records = current_records()
    groups = global_search(records, text)
    return render_template("search/results.html", q=text, groups=groups, per_section=PER_SECTION,
                           too_short=bool(text) and len(text) < MIN_LENGTH and not text.isdigit())
