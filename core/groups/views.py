"""Group doors on a section's list: save the current filter as a group, add or remove the checked records.

``?group=<id>`` on the list itself is handled by the list query (:mod:`core.ui.list_query`).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from core.errors import AccessDenied, RecordNotFound, ValidationError
from core.groups import service
from core.ui import list_query
from core.ui.common import current_records, section_or_404

bp = Blueprint("groups", __name__)


def _list_args(query: str) -> list_query.ListArgs:
    from urllib.parse import parse_qsl

    return list_query.parse_args(MultiDict(parse_qsl(query.lstrip("?"), keep_blank_values=False)))


def _messages(error: ValidationError) -> str:
    return "; ".join(f"{path}: {m}" if path else str(m) for path, ms in error.errors.items() for m in ms)


@bp.route("/<section_name>/groups", methods=["POST"])
@login_required
def save_group(section_name: str):
    """A group from the list's current search and filters (dynamic), or an empty static group."""
    section = section_or_404(section_name)
    records = current_records()
    query = request.form.get("query", "")
    kind = request.form.get("kind", "dynamic")
    back = url_for("sections.list_view", section_name=section.name) + (f"?{query}" if query else "")
    try:
        tree = None
        if kind == "dynamic":
            # Search, simple filters, named filters, the JSON filter and ?group= (a group within a group).
            tree = list_query.condition_tree(section, _list_args(query), records.field_access(section).hidden)
        list_args = _list_args(query)
        columns = [c.strip() for c in request.form.get("columns", "").split(",") if c.strip()]
        group = service.create_group(records, section, request.form.get("name", ""), kind, tree,
                                     shared=request.form.get("shared") == "on", sort=list_args.sort or None,
                                     columns=columns or None)
    except ValidationError as error:
        flash(_("The group was not saved: %(reason)s", reason=_messages(error)), "danger")
        return redirect(back, 303)
    flash(_("Group “%(name)s” saved.", name=group.name), "success")
    return redirect(url_for("sections.list_view", section_name=section.name, group=group.id), 303)


@bp.route("/<section_name>/groups/members", methods=["POST"])
@login_required
def change_members(section_name: str):
    """Add the checked records to a static group (``action=add``) or take them out (``action=remove``)."""
    section = section_or_404(section_name)
    records = current_records()
    back = request.form.get("next") or ""
    target = back if back.startswith("/") and not back.startswith("//") else url_for("sections.list_view", section_name=section.name)
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    group_id = request.form.get("group_id", "")
    if not ids or not group_id.isdigit():
        flash(_("Select the records and the group first."), "warning")
        return redirect(target, 303)
    try:
        group = service.get_group(records, int(group_id))
        if group.section != section.name:
            raise ValidationError({"group": [_("the group belongs to another section")]})
        if request.form.get("action") == "remove":
            count = service.remove_members(records, group.id, ids)
            flash(ngettext("%(num)d record removed from the group.", "%(num)d records removed from the group.", count), "success")
        else:
            count = service.add_members(records, group.id, ids)
            flash(ngettext("%(num)d record added to the group.", "%(num)d records added to the group.", count), "success")
    except ValidationError as error:
        flash(_("The group was not changed: %(reason)s", reason=_messages(error)), "danger")
    except (AccessDenied, RecordNotFound) as error:
        flash(_("The group was not changed: %(reason)s", reason=str(error)), "danger")
    return redirect(target, 303)


@bp.route("/<section_name>/groups/<int:group_id>/delete", methods=["POST"])
@login_required
def delete_group(section_name: str, group_id: int):
    """Delete a saved filter or group; only its owner (or a superuser) may."""
    section = section_or_404(section_name)
    records = current_records()
    try:
        group = service.delete_group(records, group_id)
    except (AccessDenied, ValidationError) as error:
        flash(_("The group was not deleted: %(reason)s", reason=str(error)), "danger")
        return redirect(url_for("sections.list_view", section_name=section.name), 303)
    flash(_("“%(name)s” deleted.", name=group.name), "success")
    return redirect(url_for("sections.list_view", section_name=section.name), 303)
