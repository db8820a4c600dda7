"""The list page of every section (``/<section>/``) and its bulk delete."""
from __future__ import annotations

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from markupsafe import Markup, escape

from core.errors import AccessDenied, ConflictError, RecordNotFound, ValidationError
from core.filters import filterable_fields
from core.sections import Section
from core.ui import count_cache, list_query
from core.ui.common import bp, current_records, render_section, section_or_404
from core.ui.display import grid_rows
from core.ui.labels import Labels
from core.ui.page_names import page_with_names

_SESSION_COLUMNS = "fc_list_columns"
#: Columns shown when the section names none: the title first, then the next few fields.
_DEFAULT_COLUMN_COUNT = 5
#: Users the bulk "change owner" lists; past this many it takes a user id.
_OWNER_CHOICES = 500


def default_columns(section: Section) -> list[str]:
    """The section's ``list_columns``, or its title field and first few fields."""
    if section.list_columns:
        return list(section.list_columns)
    paths = [info.path for info in section.fields() if info.type != "json"]
    if section.title_field in paths:
        paths.remove(section.title_field)
        paths.insert(0, section.title_field)
    return paths[:_DEFAULT_COLUMN_COUNT]


def chosen_columns(section: Section, hidden=frozenset(), saved: list[str] | None = None) -> list[str]:
    """Columns for this user: ``?cols=`` (remembered in the session), else a saved view's, else the remembered choice, else the default.

    :param hidden: field paths column rights hide from the user: never offered.
    :param saved: the columns of the saved filter being opened (``?group=``), if it keeps any.
    """
    available = {p for p, info in filterable_fields(section).items() if info.type != "json" and p not in hidden}
    stored = session.get(_SESSION_COLUMNS, {})
    if "cols" in request.args:
        # ?cols=a,b from a link, or one ?cols= per ticked checkbox from the chooser.
        wanted = [c.strip() for raw in request.args.getlist("cols") for c in raw.split(",") if c.strip() in available]
        stored = {**stored, section.name: wanted}
        if not wanted:
            stored.pop(section.name)
        session[_SESSION_COLUMNS] = stored
    if saved and "cols" not in request.args:
        columns = [c for c in saved if c in available]
        if columns:
            return columns
    columns = [c for c in stored.get(section.name, []) if c in available]
    return columns or [c for c in default_columns(section) if c in available]


@bp.route("/<section_name>/")
@login_required
def list_view(section_name: str):
    """Search, filter, sort and page a section's records; never an uncapped COUNT."""
    section = section_or_404(section_name)
    records = current_records()
    records.check_listable(section)  # the Sections menu leaves it out; a typed URL gets the reason
    hidden = records.field_access(section).hidden
    fields = {path: info for path, info in filterable_fields(section).items() if path not in hidden}
    saved = _saved_view(records, request.args)
    columns = [fields[path] for path in chosen_columns(section, hidden, saved.list_columns if saved else None)]
    labels = Labels()
    context = dict(columns=columns, all_fields=[f for f in fields.values() if f.type != "json"],
                   # Texts for the column chooser, the headers and the quick filters: translated once here.
                   field_labels={path: labels(info.label) for path, info in fields.items()},
                   named_labels={name: labels(nf.label) for name, nf in section.named_filters.items()},
                   section_title_plural=labels(section.title_plural),
                   # The list's own URL, routed once: its links add their query strings (ListArgs.href).
                   list_url=url_for("sections.list_view", section_name=section.name),
                   rows=[], count=0, capped=False, page=1, pages=1, error=None,
                   args=list_query.ListArgs(q=(request.args.get("q") or "").strip(),
                                            filter_text=request.args.get("filter") or "",
                                            sort=request.args.get("sort") or ""),
                   sortable=set(list_query.sortable_columns(section)), page_size=list_query.PAGE_SIZE,
                   can_create=records.can(section, "create"), can_delete=records.can(section, "delete"),
                   owner_choices=(owner_choices := _owner_choices(records, section)),
                   owner_options=owner_option_tags(owner_choices))
    try:
        list_args = list_query.parse_args(request.args)
        if saved is not None and saved.list_sort and "sort" not in request.args:
            list_args.sort = saved.list_sort  # the saved filter's order, until the user sorts otherwise
        context["args"] = list_args
        stmt = list_query.filtered_select(records, section, list_args)
        list_query.order_by(section, list_args.sort)  # a bad ?sort= fails here, before any query
        count, capped = count_cache.capped_count(records, section, stmt)
        # The rows and their lookups' names in one statement (core.ui.page_names).
        found, names = (page_with_names(records, section, *list_query.page_query(section, stmt, list_args, columns), columns,
                                        known=_owner_names(section, context["owner_choices"]))
                        if count else ([], {}))
    except ValidationError as error:
        # A hand-typed filter or sort is the user's mistake: show it on the page, never a 500.
        context["error"] = error
        return render_section("list", section, status=400, **context)
    context.update(count=count, capped=capped, page=list_args.page,
                   pages=max(1, -(-count // list_query.PAGE_SIZE)), rows=grid_rows(records, section, columns, found, names=names, labels=labels))
    return render_section("list", section, **context)


def _saved_view(records, args):
    """The group named by ``?group=`` when the user may read it (its sort and columns apply); else None.

    A bad or hidden group is left to the list query, which reports it.
    """
    from core.groups.service import get_group

    raw = (args.get("group") or "").strip()
    if not raw.isdigit():
        return None
    try:
        return get_group(records, int(raw))
    except RecordNotFound:
        return None


def _owner_choices(records, section: Section):
    """``[(user id, name)]`` the bulk "change owner" offers, or None (no owner field, no update right)."""
    from core.ui.display import lookup_options

    if not section.owner_field or not records.can(section, "update"):
        return None
    info = section.field(section.owner_field)
    if info is None or info.type != "lookup" or section.owner_field in records.field_access(section).restricted:
        return None
    return lookup_options(records, info, _OWNER_CHOICES) or []


def _owner_names(section: Section, choices) -> dict:
    """``{owner table: {id: name}}`` from the bulk owner choices (every row of the owner's target, or none).

    They come from the same rights-limited name query and give the same texts as the page's lookup
    names (:func:`core.ui.display.lookup_options`), so owner cells need not ask for them again.
    """
    if not choices:
        return {}
    from core.ui.display import lookup_target

    return {lookup_target(section.field(section.owner_field))[0].name: dict(choices)}


#: The last few owner lists and their ``<option>`` tags: the same users come back on nearly every page.
_OPTION_TAGS: dict[tuple, Markup] = {}
_OPTION_TAGS_KEPT = 8


def owner_option_tags(choices) -> Markup:
    """``<option value="id">name</option>`` of each ``(id, name)`` choice, escaped, as one ready string.

    A Jinja loop over a few hundred users cost more than the list's rows; the text is kept
    for the very same list of choices (compared whole), so a renamed or new user shows at once.
    """
    if not choices:
        return Markup("")
    key = tuple(choices)
    tags = _OPTION_TAGS.get(key)
    if tags is None:
        tags = Markup("".join(f'<option value="{escape(user_id)}">{escape(name)}</option>' for user_id, name in choices))
        if len(_OPTION_TAGS) >= _OPTION_TAGS_KEPT:
            _OPTION_TAGS.clear()
        _OPTION_TAGS[key] = tags
    return tags


@bp.route("/<section_name>/delete", methods=["POST"])
@login_required
def bulk_delete(section_name: str):
    """Delete the checked records in one transaction: all of them, or none when one is refused."""
    section = section_or_404(section_name)
    records = current_records()
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    back = request.form.get("next") or ""
    target = back if back.startswith("/") and not back.startswith("//") else url_for("sections.list_view", section_name=section.name)
    if not ids:
        flash(_("Select the records to delete first."), "warning")
        return redirect(target, 303)
    current = None
    try:
        with records.transaction():
            for current in ids:
                records.delete(section, current)
    except (ValidationError, AccessDenied, RecordNotFound, ConflictError) as error:
        # Name the refused record: with many checked, the reason alone does not say which.
        flash(_("Nothing was deleted: %(reason)s", reason=f"#{current}: {error}"), "danger")
        return redirect(target, 303)
    flash(ngettext("%(num)d record deleted.", "%(num)d records deleted.", len(ids)), "success")
    return redirect(target, 303)
