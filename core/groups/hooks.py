"""Record groups registered through the core's own hooks (``core.builtin_hooks`` imports these).

A group is its owner's: others see it only when it is shared, and only the
owner (or a superuser) changes or deletes it, on every door.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.plugins import hookimpl

SECTION_NAME = "record_group"


def record_group_section():
    """The section of groups (``/record_group/`` lists the groups the user may use)."""
    from core.groups.models import RecordGroup
    from core.sections import Section

    return Section(
        name=SECTION_NAME, model=RecordGroup, title=_l("Group"), title_plural=_l("Groups"), area="settings",
        api=False, list_columns=["name", "section", "kind", "shared", "owner_id"], search_fields=["name"],
        filter_fields=["section", "kind", "owner_id", "shared"], owner_field="owner_id",
        labels={"section": _l("Section"), "name": _l("Name"), "kind": _l("Kind"), "filter": _l("Filter"),
                "owner_id": _l("Owner"), "shared": _l("Shared"), "list_sort": _l("Sort"),
                "list_columns": _l("Columns")},
        choices={"kind": {"dynamic": _l("Dynamic (a saved filter)"), "static": _l("Static (chosen records)")}},
    )


@hookimpl(specname="flowcase_register_sections")
def register_record_group_section(app):
    return [record_group_section()]


#: The rights clauses by (user id, read or not), made once per process: every list page asks for
#: the viewer's groups, and building the clause and its cache key cost more than the sidebar's
#: statement. A clause is immutable and depends on nothing but the id. Cleared past this many users.
_CLAUSES: dict = {}
MAX_CACHED_CLAUSES = 10_000


@hookimpl(specname="flowcase_record_filter")
def groups_own_or_shared(user, section, operation):
    """Read: own and shared groups; change: own groups only (superusers never reach this hook)."""
    if section.name != SECTION_NAME:
        return None
    user_id = getattr(user, "id", None)
    if user_id is None:
        return sa.false()
    if operation == "create":
        return None
    key = (user_id, operation == "read")
    clause = _CLAUSES.get(key)
    if clause is None:
        from core.groups.models import RecordGroup

        if len(_CLAUSES) >= MAX_CACHED_CLAUSES:
            _CLAUSES.clear()
        own = RecordGroup.owner_id == user_id
        clause = _CLAUSES[key] = sa.or_(own, RecordGroup.shared.is_(True)) if key[1] else own
    return clause


@hookimpl(specname="flowcase_record_access")
def groups_changed_by_owner(user, section, operation, record):
    if section.name != SECTION_NAME or record is None:
        return None
    owner = getattr(record, "owner_id", None)
    if operation == "read":
        return None if owner == getattr(user, "id", None) or record.shared else False
    return None if owner == getattr(user, "id", None) else False


@hookimpl(specname="flowcase_record_before_create")
def group_owner_defaults_to_creator(event):
    if event.section.name == SECTION_NAME and event.record.owner_id is None and event.user is not None:
        event.record.owner_id = event.user.id


@hookimpl(specname="flowcase_record_validate")
def validate_group(event):
    """A known section, a known kind, a name, and (dynamic) a filter that compiles on that section."""
    if event.section.name != SECTION_NAME:
        return None
    from core.errors import ValidationError
    from core.filters import validate_filter
    from core.groups.models import GROUP_KINDS

    group, errors = event.record, {}
    sections = event.records.state.sections
    if not (group.name or "").strip():
        errors["name"] = [_l("is required")]
    if group.kind not in GROUP_KINDS:
        errors["kind"] = [_l("must be one of: %(choices)s", choices=", ".join(GROUP_KINDS))]
    if group.section not in sections:
        errors["section"] = [_l("no section named “%(name)s”", name=group.section or "")]
    elif group.kind == "dynamic":
        try:
            validate_filter(sections.get(group.section), group.filter or {}, event.user, records=event.records)
        except ValidationError as exc:
            errors["filter"] = [f"{path}: {message}" if path else message
                                for path, messages in exc.errors.items() for message in messages]
    if group.section in sections:
        errors.update(_list_view_errors(sections.get(group.section), group))
    return errors or None


def _list_view_errors(section, group) -> dict:
    """A saved list view's sort must be a sortable column and its columns fields of the section."""
    from core.filters import filterable_fields
    from core.ui.list_query import sortable_columns

    errors = {}
    if group.list_sort and group.list_sort.lstrip("-") not in sortable_columns(section):
        errors["list_sort"] = [_l("cannot sort by “%(field)s”", field=group.list_sort.lstrip("-"))]
    if group.list_columns is not None:
        known = filterable_fields(section)
        if not isinstance(group.list_columns, list) or not all(isinstance(c, str) for c in group.list_columns):
            errors["list_columns"] = [_l("must be a list of field names")]
        else:
            unknown = [c for c in group.list_columns if c not in known]
            if unknown:
                errors["list_columns"] = [_l("unknown fields: %(fields)s", fields=", ".join(unknown))]
    return errors


@hookimpl(specname="flowcase_register_blueprints")
def register_groups_blueprint(app):
    from core.groups.views import bp

    return [bp]


@hookimpl(specname="flowcase_template_slot")
def group_controls(slot, context):
    """The list's saved filters and groups with "save" (``list_sidebar``), and add/remove selected (``list_bulk_actions``)."""
    if slot not in ("list_sidebar", "list_bulk_actions") or context.get("section") is None:
        return None
    from flask import render_template, request
    from markupsafe import Markup

    from core.groups.service import sidebar_groups
    from core.records import records_for

    section = context["section"]
    if section.name == SECTION_NAME:
        return None
    records = records_for()
    # Both slots of one page share one query (per request: ``g`` may outlive a request in tests).
    cache = request.environ.setdefault("flowcase.visible_groups", {})
    if section.name not in cache:
        cache[section.name] = sidebar_groups(records, section)
    groups = cache[section.name]
    if slot == "list_sidebar":
        return Markup(render_template("groups/list_sidebar.html", section=section, groups=groups, args=context.get("args"),
                                      columns=context.get("columns") or [], user_id=getattr(records.user, "id", None)))
    user = records.user
    static = [group for group in groups if group.kind == "static"
              and (group.owner_id == getattr(user, "id", None) or getattr(user, "is_superuser", False))]
    if not static:
        return None
    return Markup(render_template("groups/list_actions.html", section=section, groups=static))
