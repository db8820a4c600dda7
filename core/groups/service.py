"""Record groups at work: membership as a SQL condition, the audience select, static members.

A dynamic group is its filter tree, compiled when the group is used, so a
record that starts matching is in it and one that stops matching is out; no
membership is stored. A static group is its member rows. Either way,
:func:`group_records` is ``records.select(section)`` narrowed by the group: the
user's rights always apply on top (mailings' audiences and dashboard scopes use
the same function).

Filter trees name a group with ``{"group": <id>}`` (see :mod:`core.filters`);
a group whose filter names itself, directly or through others, is refused.
"""
from __future__ import annotations

from contextvars import ContextVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import AccessDenied, RecordNotFound, ValidationError
from core.groups.models import RecordGroup, RecordGroupMember
from core.records import Records
from core.sections import Section

SECTION_NAME = "record_group"
#: Records one add/remove request takes at most.
MAX_MEMBERS_PER_CALL = 10_000
#: Groups being compiled in this context: a cycle through ``{"group": ...}`` nodes is an error, not a stack overflow.
_compiling: ContextVar[tuple] = ContextVar("flowcase_groups_compiling", default=())


def get_group(records: Records, group_id) -> RecordGroup:
    """The group with this id if the user may read it (own or shared); else :class:`RecordNotFound`."""
    return records.get(SECTION_NAME, group_id)


def visible_groups(records: Records, section: Section) -> list[RecordGroup]:
    """Groups of ``section`` the user may use, by name."""
    group_section = records.section(SECTION_NAME)
    return list(records.session.scalars(
        records.select(group_section).where(RecordGroup.section == section.name).order_by(RecordGroup.name)))


def sidebar_groups(records: Records, section: Section) -> list:
    """:func:`visible_groups` as light rows of what the list's sidebar and bulk actions show
    (``id``, ``name``, ``kind``, ``shared``, ``owner_id``): no filter trees parsed, no ORM objects.

    Kept per process while the directory generation stands still (:func:`core.ui.statements.shared_rows`):
    saving, renaming, sharing or deleting a group moves it (a trigger on the groups table), so a new
    saved filter shows on the very next page of every worker.
    """
    from core.ui.statements import shared_rows

    group_section = records.section(SECTION_NAME)

    def build():
        return (records.select(group_section)
                .with_only_columns(RecordGroup.id, RecordGroup.name, RecordGroup.kind, RecordGroup.shared,
                                   RecordGroup.owner_id)
                .where(RecordGroup.section == sa.bindparam("fc_section")).order_by(RecordGroup.name))

    # Built once per rights condition (the viewer's "own or shared"), its rows kept per viewer and section.
    return shared_rows(records, [group_section], ("groups.sidebar",), build, {"fc_section": section.name})


def group_condition(section: Section, group: RecordGroup, user=None, records: Records | None = None):
    """The boolean clause "record of ``section`` is in ``group``" (rights not included)."""
    from core.filters import compile_filter

    if group.section != section.name:
        raise ValidationError({"group": [_l("the group “%(name)s” is a group of %(other)s, not of %(section)s",
                                            name=group.name, other=group.section, section=section.title)]})
    if group.kind == "static":
        members = sa.select(RecordGroupMember.record_id).where(RecordGroupMember.group_id == group.id)
        return section.table.c.id.in_(members)
    active = _compiling.get()
    if group.id in active:
        raise ValidationError({"group": [_l("the group “%(name)s” refers to itself", name=group.name)]})
    token = _compiling.set(active + (group.id,))
    try:
        return compile_filter(section, group.filter or {}, user, records=records)
    finally:
        _compiling.reset(token)


def group_clause(section: Section, group_id, user=None, records: Records | None = None):
    """The clause for a ``{"group": id}`` filter node; an unknown or unreadable group is a :class:`ValidationError`."""
    if isinstance(group_id, bool) or not isinstance(group_id, (int, str)) or not str(group_id).isdigit():
        raise ValidationError({"group": [_l("a group is named by its id (a number)")]})
    if records is None:  # rules compiled inside the rights hook: no user-level check possible
        from core.records import records_for

        records = records_for(user, sudo=True)
    try:
        group = get_group(records, int(group_id))
    except RecordNotFound:
        raise ValidationError({"group": [_l("no group #%(id)s", id=group_id)]}) from None
    return group_condition(section, group, user, records)


def group_records(records: Records, group: RecordGroup) -> sa.Select:
    """``SELECT`` of the group's records the user may read: the audience of a mailing, a dashboard's scope."""
    section = records.section(group.section)
    return records.select(section).where(group_condition(section, group, records.user, records))


def create_group(records: Records, section: Section, name: str, kind: str = "dynamic", tree=None,
                 shared: bool = False, sort: str | None = None, columns: list[str] | None = None) -> RecordGroup:
    """A new group owned by the acting user; a dynamic group's filter is checked against the section first.

    ``sort`` and ``columns`` make a dynamic group a saved list view: opening it
    sorts the list and shows those columns (unless the request says otherwise).
    """
    from core.filters import validate_filter

    if kind not in ("dynamic", "static"):
        raise ValidationError({"kind": [_l("must be dynamic or static")]})
    if kind == "dynamic":
        validate_filter(section, tree or {}, records.user, records=records)
    with records.transaction():
        return records.create(SECTION_NAME, {
            "section": section.name, "name": (name or "").strip(), "kind": kind, "filter": tree or {},
            "shared": bool(shared), "owner_id": getattr(records.user, "id", None),
            "list_sort": (sort or None) if kind == "dynamic" else None,
            "list_columns": (list(columns) or None) if kind == "dynamic" and columns else None})


def delete_group(records: Records, group_id) -> RecordGroup:
    """Delete a group (its owner or a superuser only, through the records service); returns it."""
    group = get_group(records, group_id)
    records.delete(SECTION_NAME, group)
    return group


def _static_for_update(records: Records, group_id) -> RecordGroup:
    group = get_group(records, group_id)
    if group.kind != "static":
        raise ValidationError({"group": [_l("records are added to static groups only; "
                                            "a dynamic group's members follow its filter")]})
    if not records.can(records.section(SECTION_NAME), "update", group):
        raise AccessDenied(_l("Only the group's owner may change its members."))
    return group


def add_members(records: Records, group_id, record_ids) -> int:
    """Put records (ones the user may read) into a static group; returns how many were new.

    Member rows are a link table, not records: the group's update right and
    the records' read right are checked here, like dedup keys are kept by
    their own service.
    """
    group = _static_for_update(records, group_id)
    section = records.section(group.section)
    ids = {int(i) for i in record_ids}
    if len(ids) > MAX_MEMBERS_PER_CALL:
        raise ValidationError({"ids": [_l("at most %(n)s records at once", n=MAX_MEMBERS_PER_CALL)]})
    readable = set(records.session.scalars(
        records.select(section).with_only_columns(section.table.c.id).where(section.table.c.id.in_(ids))))
    missing = ids - readable
    if missing:
        raise RecordNotFound(_l("%(section)s #%(id)s does not exist", section=section.title, id=min(missing)))
    with records.transaction():
        present = set(records.session.scalars(sa.select(RecordGroupMember.record_id).where(
            RecordGroupMember.group_id == group.id, RecordGroupMember.record_id.in_(ids))))
        new = sorted(ids - present)
        records.session.add_all(RecordGroupMember(group_id=group.id, record_id=i) for i in new)
    return len(new)


def remove_members(records: Records, group_id, record_ids) -> int:
    """Take records out of a static group; returns how many were in it."""
    group = _static_for_update(records, group_id)
    ids = [int(i) for i in record_ids]
    with records.transaction():
        result = records.session.execute(sa.delete(RecordGroupMember).where(
            RecordGroupMember.group_id == group.id, RecordGroupMember.record_id.in_(ids)))
    return result.rowcount or 0
