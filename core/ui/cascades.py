"""Cascading lookups in generated forms (``Section.cascades``), with and without JavaScript.

On the server: a submitted form gets its empty parents filled from the chosen
children (pick a city, get its district and region), and a child drop-down
lists only the records of the parent's current value. In the browser,
``flowcase.js`` reads the ``data-fc-cascade-*`` attributes set here, reloads a
child's choices from the target section's typeahead (``?f.<by>=<parent>``)
when the parent changes, and fills parents when a child is picked.
"""
from __future__ import annotations

from flask import url_for
from wtforms import SelectField
from wtforms.fields import SelectChoice

from flask_babel import lazy_gettext as _l

from core.cascades import Cascade, cascades, fill_parents
from core.errors import ValidationError
from core.filters import compile_filter
from core.records import Records
from core.sections import Section
from core.ui.display import _name_query
from core.state import get_state

#: The most choices a filtered child drop-down lists (as many as an unfiltered one).
CASCADE_SELECT_LIMIT = 200


def apply_cascades(section: Section, records: Records, form) -> None:
    """Fill parents of a submitted ``form`` and narrow its child drop-downs to the parents' values."""
    links = [link for link in cascades(section) if link.child in form._fields and link.parent in form._fields]
    if not links:
        return
    if form.is_submitted():
        current = {path: form[path].data for link in links for path in (link.child, link.parent)}
        for path, value in fill_parents(records.session, section, current).items():
            if current.get(path) in (None, "") and value is not None:
                form[path].data = value
                form[path].raw_data = [str(value)]
    for link in links:
        _narrow(records, link, form[link.child], form[link.parent])


def _narrow(records: Records, link: Cascade, child, parent) -> None:
    target = get_state().sections.for_table(link.target.name)
    attrs = {"data-fc-cascade-parent": parent.id, "data-fc-cascade-by": link.by}
    if target is not None:
        attrs["data-fc-cascade-url"] = url_for("sections.lookup", section_name=target.name)
    child.render_kw = {**(child.render_kw or {}), **attrs}
    parent_id = _as_id(parent.data)
    if not isinstance(child, SelectField) or parent_id is None:
        return
    query = _name_query(records, link.target, target)
    if query is None:
        return
    rows = records.session.execute(
        query.where(link.by_column() == parent_id)
        .order_by(query.selected_columns[1], link.target.c.id).limit(CASCADE_SELECT_LIMIT)
    ).all()
    choices = [SelectChoice("", "—")] + [SelectChoice(str(i), str(t) if t not in (None, "") else f"#{i}") for i, t in rows]
    chosen = _as_id(child.data)
    if chosen is not None and all(i != chosen for i, _t in rows):
        # Keep what the user chose, so the records service can say why it does not fit.
        name = records.session.execute(query.where(link.target.c.id == chosen)).first()
        choices.append(SelectChoice(str(chosen), str(name[1]) if name else f"#{chosen}"))
    child.choices = choices


def lookup_narrowing(records: Records, section: Section, args, default_limit: int):
    """The typeahead's rights-limited select narrowed by ``?f.<field>=`` and ``?id=``, the ``?fields=``
    whose values each item carries, and the ``?limit=``; a bad field is a :class:`ValidationError`.
    """
    stmt = records.select(section)
    terms = [{"field": key[2:], "op": "eq", "value": value}
             for key in args if key.startswith("f.") and len(key) > 2
             for value in args.getlist(key)[:1] if value.strip()]
    record_id = _as_id(args.get("id"))
    if record_id is not None:
        terms.append({"field": "id", "op": "eq", "value": record_id})
    if terms:
        # The shared filter language: unknown fields are refused, lookups reach only readable records.
        stmt = stmt.where(compile_filter(section, {"all": terms}, records.user, records=records))
    shown = {info.path for info in section.own_fields() if info.type in ("lookup", "integer", "string")}
    extra = [f.strip() for f in (args.get("fields") or "").split(",") if f.strip()]
    unknown = [f for f in extra if f not in shown]
    if unknown:
        raise ValidationError({f: [_l("cannot be returned by the lookup")] for f in unknown})
    limit = _as_id(args.get("limit")) or default_limit
    return stmt, extra, max(1, min(limit, CASCADE_SELECT_LIMIT))


def _as_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
