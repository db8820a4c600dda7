"""Data files: records an add-on seeds (lookups, stages, roles, ...), each with an external id.

A data file is YAML: a list of entries ::

    - section: industry          # the section the record belongs to
      id: it                     # external id key; the full id is <addon>.it
      noupdate: false            # optional: never touch it again once created
      values:
        name: IT
        parent_id: {ref: crm.industry_root}   # another seeded record's id
        owner_id: {user: alice}                # a user's id, by login
        due_date: {days: 3}                    # the date 3 days after the load (-3: before)
        start_at: {days: 1, at: "10:30"}       # a UTC date and time, relative to the load
        template: {file: print/offer.html}     # the text of a file beside the data file (UTF-8)

Users are referred to by login because they are not seeded records and have
no external id; relative dates keep demo activities current ("overdue",
"next week") on whatever day the demo is loaded. ``{file: ...}`` keeps long
texts (print templates) in their own files, relative to the data file's folder
and never outside the add-on.

Loading creates missing records, and on upgrade updates the ones it created
unless they are ``noupdate`` or an admin edited them since (a value differs
from what was loaded last). Records the add-on stops shipping are deleted by
:func:`remove_stale`; all of them by :func:`remove_all` on uninstall.
"""
from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa
import yaml

from core.addons.manifest import Manifest
from core.errors import AddonError, FlowcaseError, RecordNotFound
from core.models import ExternalId, User
from core.values import to_json

log = logging.getLogger(__name__)


def _read_entries(manifest: Manifest, relative: str) -> list[dict]:
    path = manifest.path / relative
    where = f"add-on '{manifest.technical_name}', data file {path}"
    if path.suffix not in (".yaml", ".yml"):
        raise AddonError(f"{where}: only .yaml data files are supported")
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise AddonError(f"{where}: cannot be read: {exc}") from exc
    if not isinstance(entries, list):
        raise AddonError(f"{where}: must be a list of entries")
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not {"section", "id", "values"} <= entry.keys():
            raise AddonError(f"{where}: entry {index} needs 'section', 'id' and 'values'")
    return entries


def find_external_id(session, full_key: str, default_addon: str) -> ExternalId | None:
    """The :class:`ExternalId` row for ``addon.key`` (or ``key`` within ``default_addon``)."""
    addon, _, key = full_key.rpartition(".")
    return session.scalars(
        sa.select(ExternalId).where(ExternalId.addon == (addon or default_addon), ExternalId.key == key)
    ).first()


def ref(session, full_key: str, default_addon: str = "") -> int:
    """The record id behind an external id; raises :class:`AddonError` when it is unknown."""
    row = find_external_id(session, full_key, default_addon)
    if row is None:
        raise AddonError(f"external id '{full_key}' is not known (is its add-on installed, its file loaded first?)")
    return row.record_id


def user_id(session, login: str) -> int:
    """The id of the user with ``login``; raises :class:`AddonError` when there is none."""
    found = session.scalar(sa.select(User.id).where(User.login == login))
    if found is None:
        raise AddonError(f"no user with login '{login}' (demo users are created by `flowcase demo`)")
    return found


def relative_moment(days, at: str | None = None):
    """Today (UTC) plus ``days``: a date, or with ``at`` ("HH:MM") a UTC datetime."""
    try:
        day = datetime.now(timezone.utc).date() + timedelta(days=int(days))
        if at is None:
            return day
        return datetime.combine(day, time.fromisoformat(str(at)), tzinfo=timezone.utc)
    except (TypeError, ValueError) as exc:
        raise AddonError(f"bad relative date {{days: {days!r}, at: {at!r}}}: {exc}") from exc


def file_text(manifest: Manifest, relative_to: str, name) -> str:
    """The UTF-8 text of ``name``, a path relative to the data file ``relative_to``, inside the add-on."""
    root = manifest.path.resolve()
    path = ((manifest.path / relative_to).parent / str(name)).resolve()
    if not path.is_relative_to(root):
        raise AddonError(f"{{file: {name}}} is outside add-on '{manifest.technical_name}'")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AddonError(f"{{file: {name}}} cannot be read: {exc}") from exc


def _resolve(records, addon: str, values: dict, manifest: Manifest | None = None, relative: str = "") -> dict:
    resolved = {}
    for field, value in values.items():
        if isinstance(value, dict) and set(value) == {"ref"}:
            value = ref(records.session, value["ref"], addon)
        elif isinstance(value, dict) and set(value) == {"user"}:
            value = user_id(records.session, str(value["user"]))
        elif isinstance(value, dict) and set(value) in ({"days"}, {"days", "at"}):
            value = relative_moment(value["days"], value.get("at"))
        elif isinstance(value, dict) and set(value) == {"file"} and manifest is not None:
            value = file_text(manifest, relative, value["file"])
        resolved[field] = value
    return resolved


def _loaded(records, section, record, fields) -> dict:
    current = records.read(section, record)
    return {field: to_json(current.get(field)) for field in fields}


def load_files(records, manifest: Manifest, files, noupdate_all: bool = False) -> set[str]:
    """Load ``files`` of ``manifest`` through ``records`` (superuser); returns the keys loaded."""
    addon = manifest.technical_name
    keys: set[str] = set()
    for relative in files:
        for entry in _read_entries(manifest, relative):
            key = str(entry["id"])
            where = f"add-on '{addon}', {relative}, record '{key}'"
            try:
                _load_entry(records, addon, entry, key, noupdate_all, manifest, relative)
            except FlowcaseError as exc:
                raise AddonError(f"{where}: {exc}") from exc
            keys.add(key)
    return keys


def _load_entry(records, addon, entry, key, noupdate_all, manifest=None, relative="") -> None:
    section = records.section(entry["section"])
    values = _resolve(records, addon, entry["values"] or {}, manifest, relative)
    noupdate = bool(entry.get("noupdate", False)) or noupdate_all
    xid = find_external_id(records.session, key, addon)
    record = None
    if xid is not None:
        try:
            record = records.get(section, xid.record_id)
        except RecordNotFound:
            record = None  # deleted by a user: seed it again
    if record is None:
        record = records.create(section, values)
        if xid is None:
            xid = ExternalId(addon=addon, key=key, section=section.name, record_id=record.id)
            records.session.add(xid)
        xid.record_id, xid.section, xid.noupdate = record.id, section.name, noupdate
        xid.loaded_values = _loaded(records, section, record, values)
        return
    if xid.noupdate or noupdate:
        return
    previous = xid.loaded_values or {}
    current = _loaded(records, section, record, previous)
    if current != previous:
        log.info("%s.%s was edited after it was loaded; upgrade leaves it alone", addon, key)
        return
    records.update(section, record, values)
    xid.loaded_values = _loaded(records, section, record, values)


def _delete_seeded(records, xid: ExternalId) -> None:
    """Delete one seeded record and its external id.

    A record still referenced by user data is kept, and so is its external id:
    a reinstall over kept tables then adopts it instead of seeding a duplicate
    (which a unique code would refuse), and a later upgrade tries again.
    """
    savepoint = records.session.begin_nested()
    try:
        if xid.section in records.state.sections:
            try:
                records.delete(xid.section, xid.record_id)
            except RecordNotFound:
                pass
        savepoint.commit()
    except FlowcaseError as exc:
        savepoint.rollback()
        log.warning("kept %s (%s #%s): %s", xid.full_key, xid.section, xid.record_id, exc)
        return
    records.session.delete(xid)


def remove_stale(records, addon: str, keep: set[str]) -> list[str]:
    """Delete records the add-on seeded before but no longer ships; returns their keys."""
    stale = records.session.scalars(
        sa.select(ExternalId)
        .where(ExternalId.addon == addon, ExternalId.key.not_in(keep or {""}))
        .order_by(ExternalId.id.desc())  # children were seeded after their parents
    ).all()
    for xid in stale:
        _delete_seeded(records, xid)
    return [xid.key for xid in stale]


def remove_all(records, addon: str) -> int:
    """Delete every record the add-on seeded (uninstall)."""
    return len(remove_stale(records, addon, set()))


def forget_all(records, addon: str) -> None:
    """Drop the add-on's remaining external ids once its tables are gone (their ids mean nothing now)."""
    records.session.execute(sa.delete(ExternalId).where(ExternalId.addon == addon))
