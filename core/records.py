"""The records service: the one path for every create, update, delete and stage change.

Pages, the API, imports, Flask-Admin, data files and hooks all write through
:class:`Records`, so each write gets the same rights check, value coercion,
validation hooks, optimistic lock, change log and record-event hooks, in one
transaction: a hook that raises rolls back the whole change. Jobs queued with
``event.after_commit`` run only once that transaction committed.
"""
from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from functools import partial
from typing import Any, Callable

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core import custom_fields
from core.bulk_insert import insert_statement
from core.db import utcnow
from core.errors import AccessDenied, ConflictError, RecordNotFound, ValidationError
from core.plugins import hook_caller
from core.models import ChangeLog
from core.record_event import RecordEvent
from core.record_insert import insert_new
from core.records_rights import RecordRights
from core.sections import Section, SectionExtension
from core.values import BadValue, coerce, same, to_json
from core.write_plan import WritePlan, require_fields


class _UnitOfWork:
    """Per-session transaction depth and after-commit queue, shared by nested and sudo services."""

    def __init__(self):
        self.depth = 0
        self.after: list[tuple[Any, dict]] = []


class Records(RecordRights):
    """Writes and by-id reads for one acting user (``None`` = anonymous) on one session."""

    def __init__(self, state, session: Session, user=None, sudo: bool = False):
        self.state = state
        self.session = session
        self.user = user
        self.is_sudo = sudo

    # -- helpers -----------------------------------------------------------
    def sudo(self) -> "Records":
        """The same service acting with superuser rights (for data files, system jobs)."""
        return Records(self.state, self.session, self.user, sudo=True)

    def on_session(self, session: Session) -> "Records":
        """The same service (user, sudo) writing through ``session``."""
        return self if session is self.session else Records(self.state, session, self.user, sudo=self.is_sudo)

    def section(self, name: str | Section) -> Section:
        return name if isinstance(name, Section) else self.state.sections.get(name)

    @property
    def _uow(self) -> _UnitOfWork:
        return self.session.info.setdefault("flowcase_uow", _UnitOfWork())

    @contextmanager
    def transaction(self):
        """Group several writes into one transaction; the outermost block commits or rolls back.

        A nested block (a hook writing, an import row) runs in a savepoint, so
        when it fails and the caller catches the error, what it half-wrote is
        undone while the outer transaction goes on.
        """
        uow = self._uow
        uow.depth += 1
        if uow.depth > 1:
            try:
                with self.session.begin_nested():
                    yield self
            finally:
                uow.depth -= 1
            return
        try:
            yield self
            if uow.depth == 1:
                try:
                    self.session.commit()
                except IntegrityError as exc:
                    raise _integrity_error(exc) from exc
                pending, uow.after = uow.after, []
                for job, payload in pending:
                    self._run_after_commit(job, payload)
        except BaseException:
            if uow.depth == 1:
                self.session.rollback()
                uow.after = []
            raise
        finally:
            uow.depth -= 1

    def after_commit(self, job: str | Callable, **payload) -> None:
        """Queue a job name or callable for after the current transaction commits."""
        self._uow.after.append((job, payload))
        if self._uow.depth == 0:  # not inside a write: nothing to wait for
            pending, self._uow.after = self._uow.after, []
            for item, data in pending:
                self._run_after_commit(item, data)

    def _run_after_commit(self, job, payload) -> None:
        if callable(job):
            job(**payload)
        else:
            from core.jobs import enqueue

            enqueue(job, **payload)

    def _hook(self, name: str):
        # A plain caller where pluggy's machinery is not needed: records call hooks several times per row.
        return hook_caller(self.state.pm, name)

    # -- reads ---------------------------------------------------------------
    def select(self, section_name: str | Section, operation: str = "read") -> sa.Select:
        """``SELECT model`` limited to what the user may reach: the start of every list, count and export."""
        section = self.section(section_name)
        return sa.select(section.model).where(*self.filters(section, operation))

    def get(self, section_name: str | Section, record_id) -> Any:
        """The record with this id, if it exists and the user may read it; else :class:`RecordNotFound`."""
        section = self.section(section_name)
        record = None
        if _is_id(record_id):
            clauses = self.filters(section, "read")
            if clauses:
                record = self.session.scalars(
                    sa.select(section.model).where(section.model.id == int(record_id), *clauses)
                ).first()
            else:
                record = self.session.get(section.model, int(record_id))
        if record is None or not self.can(section, "read", record):
            raise RecordNotFound(_l("%(section)s #%(id)s does not exist", section=section.title, id=record_id))
        return record

    def extension_row(self, extension: SectionExtension, record, create: bool = False):
        """The extension table's row of ``record`` (created, unsaved, when asked and missing)."""
        row = self.session.get(extension.model, record.id)
        if row is None and create:
            row = extension.model(id=record.id)
            self.session.add(row)
        return row

    def read(self, section_name: str | Section, record_or_id, extension_rows: dict | None = None) -> dict:
        """The field values of a record (or of the record with that id) the user may see, by path.

        Extension fields are included; fields hidden by column rights are left out.

        :param extension_rows: the record's extension rows the caller has read already, by extension
            model (None where the record has no row); the others are read here, one statement each.
        """
        section = self.section(section_name)
        values = self._read_all(section, self._resolve(section, record_or_id), extension_rows or {})
        for path in self.field_access(section).hidden:
            values.pop(path, None)
        return values

    def _read_all(self, section: Section, record, extension_rows: dict | None = None) -> dict:
        values = {"id": record.id, "version": record.version}
        for info in section.own_fields():
            values[info.path] = getattr(record, info.path)
        for extension in section.extensions:
            if extension_rows and extension.model in extension_rows:
                row = extension_rows[extension.model]
            else:
                row = self.extension_row(extension, record)
            for info in extension.fields():
                values[info.path] = getattr(row, info.name) if row is not None else None
        for info in section.custom_fields():
            values[info.path] = custom_fields.value_of(record, info)
        return values

    # -- writes --------------------------------------------------------------
    def create(self, section_name: str | Section, values: dict, stamps: dict | None = None) -> Any:
        """Create a record from ``values`` (field paths to values) and return it.

        ``stamps``: historical ``created_at`` / ``created_by_id`` an import of past
        data keeps; not fields anyone types, so they are set as given.
        """
        section = self.section(section_name)
        self._check(section, "create")
        with self.transaction(), self.session.no_autoflush:
            record, ext, event = self._prepare_create(section, values, stamps)
            if ext or not self._flush(lambda: insert_new(self.session, record)):
                self.session.add(record)
                self._flush()
            self._add_extension_rows(record, ext)
            if ext:
                self._flush()
            self.check_created(section, record)
            self._log(section, record, "create", None, None, create_log_values(event))
            self._hook("flowcase_record_after_create")(event=event)
        return record

    def check_created(self, section: Section, record) -> None:
        """Refuse a new record (flushed, so it has an id) that falls outside the user's rules for creates.

        Record rules on creates see the row as stored (hooks' defaults, extension
        fields), so they run after the flush; the caller's transaction rolls the
        create back on :class:`AccessDenied`. Batched creates call it per record too.
        """
        if not self.can(section, "create", record):
            raise AccessDenied(_l("You may not create this %(section)s: it falls outside the records your rules allow",
                                  section=section.title))

    def batch(self, size: int = 1000):
        """A :class:`core.records_batch.RecordBatch`: many creates, each checked like :meth:`create`, written per chunk."""
        from core.records_batch import RecordBatch

        return RecordBatch(self, size)

    def write_plan(self, section: Section) -> WritePlan:
        """What each write in ``section`` by this service's user is checked against, looked up once.

        A records batch takes one per section and reuses it for every row: the
        field maps, column rights, required fields and hook callers do not change
        within its transaction, and an import looked each of them up again for
        every row.
        """
        return WritePlan(
            fields=section.own_field_map(),
            custom_fields={info.path: info for info in section.custom_fields()},
            extension_fields=({info.path: info for ext in section.extensions for info in ext.fields()}
                              if section.extensions else {}),
            restricted=self.field_access(section).restricted,
            required_own=section.required_own_fields(),
            validate=self._hook("flowcase_record_validate"),
            before_create=self._hook("flowcase_record_before_create"),
        )

    def _prepare_create(self, section: Section, values: dict, stamps: dict | None = None,
                        plan: WritePlan | None = None):
        """Everything a create does before its INSERT: coercion, rights, required fields, validation, before-hooks.

        Returns ``(record, extension values, event)``; the record is not in the session yet.
        ``plan``: this section's :meth:`write_plan`, when the caller keeps one.
        """
        plan = plan or self.write_plan(section)
        record = section.model()
        own, ext = self._split(section, values, plan=plan)
        if section.owner_field and self.user is not None and not self.is_sudo and section.owner_field not in own:
            # A new record is its creator's unless they name another owner, on every door (the form shows it).
            own[section.owner_field] = self.user.id
        self._assign_new(section, record, own, plan.custom_fields)
        if plan.required_own or plan.required_custom:
            # A new record holds what was set on it in its __dict__; reading an unset column through the
            # ORM takes its default-value path, per required field of every imported row.
            require_fields(record, plan.required_own, plan.required_custom, record.__dict__.get)
        if not self.can(section, "create", record):  # an "own" create right: the owner must be me
            raise AccessDenied(_l("You may not create %(section)s records for other owners", section=section.title))
        values = {**own, **_flatten(ext)}
        event = RecordEvent(self, section, record, "create", values=values,
                            changes={path: (None, value) for path, value in values.items()})
        self._validate(event, plan.validate)
        if self.user is not None:
            record.created_by_id = record.updated_by_id = self.user.id
        for name in ("created_at", "created_by_id"):
            if stamps and stamps.get(name) is not None:
                setattr(record, name, stamps[name])
        plan.before_create(event=event)
        return record, ext, event

    def _add_extension_rows(self, record, ext: dict) -> None:
        for extension, ext_values in ext.items():
            row = self.extension_row(extension, record, create=True)
            for name, value in ext_values.items():
                setattr(row, name, value)

    def update(self, section_name: str | Section, record_or_id, values: dict, expected_version: int | None = None) -> Any:
        """Change the given fields; ``expected_version`` guards against overwriting someone else's save."""
        section = self.section(section_name)
        record = self._resolve(section, record_or_id)
        self._check(section, "update", record)
        if expected_version is not None and int(expected_version) != record.version:
            raise ConflictError(_l(
                "This %(section)s was changed by someone else after you opened it. Reload it and apply your changes again.",
                section=section.title,
            ))
        with self.transaction(), self.session.no_autoflush:
            own, ext = self._split(section, values, record)
            changes = self._assign(section, record, own)
            ext_rows = {}
            for extension, ext_values in ext.items():
                row = self.extension_row(extension, record, create=True)
                ext_rows[extension] = row
                for name, value in ext_values.items():
                    old = getattr(row, name)
                    if not same(old, value):
                        changes[f"{extension.prefix}.{name}"] = (old, value)
            self._require(section, record, custom_paths=set(own))
            event = RecordEvent(self, section, record, "update", values={**own, **_flatten(ext)}, changes=changes)
            if not changes:
                return record
            stage_move = section.stage_field is not None and section.stage_field in changes
            if stage_move:
                self._check(section, "stage", record)
            self._validate(event)
            self._hook("flowcase_record_before_update")(event=event)
            if stage_move:
                self._hook("flowcase_record_before_stage_change")(event=event)
            for extension, row in ext_rows.items():
                for name, value in ext[extension].items():
                    setattr(row, name, value)
            if self.user is not None:
                record.updated_by_id = self.user.id
            record.updated_at = utcnow()  # bumps the version even when only extension fields changed
            self._flush()
            self._log_rows([
                self._log_row(section, record, "stage" if stage_move and path == section.stage_field else "update",
                              path, to_json(old), to_json(new))
                for path, (old, new) in changes.items()])
            self._hook("flowcase_record_after_update")(event=event)
            if stage_move:
                self._hook("flowcase_record_after_stage_change")(event=event)
        return record

    def set_stage(self, section_name: str | Section, record_or_id, stage, expected_version: int | None = None) -> Any:
        """Move a record to ``stage`` (the value of the section's stage field)."""
        section = self.section(section_name)
        if not section.stage_field:
            raise ValidationError(_l("%(section)s records have no stages", section=section.title))
        return self.update(section, record_or_id, {section.stage_field: stage}, expected_version)

    def delete(self, section_name: str | Section, record_or_id, expected_version: int | None = None) -> None:
        """Delete a record (and its extension rows)."""
        section = self.section(section_name)
        record = self._resolve(section, record_or_id)
        self._check(section, "delete", record)
        if expected_version is not None and int(expected_version) != record.version:
            raise ConflictError(_l("This %(section)s was changed by someone else; reload it first.", section=section.title))
        with self.transaction():
            snapshot = {k: to_json(v) for k, v in self._read_all(section, record).items()}
            event = RecordEvent(self, section, record, "delete", values=snapshot)
            self._hook("flowcase_record_before_delete")(event=event)
            for extension in section.extensions:
                row = self.extension_row(extension, record)
                if row is not None:
                    self.session.delete(row)
            self._flush()  # extension rows first: the ORM does not know they depend on the record
            record_id = record.id
            self.session.delete(record)
            self._flush()
            self._log(section, record, "delete", None, snapshot, None, record_id=record_id)
            self._hook("flowcase_record_after_delete")(event=event)

    # -- internals -----------------------------------------------------------
    def _resolve(self, section: Section, record_or_id):
        if isinstance(record_or_id, section.model):
            return record_or_id
        return self.get(section, record_or_id)

    def _split(self, section: Section, values: dict, record=None, plan: WritePlan | None = None):
        """Coerce values and split them into own columns and extension tables; unknown fields are errors.

        Custom fields (``custom.<name>``) stay with the own values: they live in the record's ``custom`` column.
        Fields hidden or read-only for the user (column rights) are refused unless
        the value is what ``record`` (the record being updated) already holds, so a
        form sending back what it showed still saves. ``plan``: see :meth:`write_plan`.
        """
        plan = plan or self.write_plan(section)
        restricted, ext_fields, own_fields = plan.restricted, plan.extension_fields, plan.fields
        # A section without custom fields has none to find (a "custom." path is then an unknown field).
        if plan.custom_fields and any(str(path).startswith(custom_fields.PREFIX) for path in values):
            own_fields = plan.fields_with_custom
        own: dict = {}
        ext: dict[SectionExtension, dict] = defaultdict(dict)
        errors: dict[str, list] = {}
        for path, raw in values.items():
            info = own_fields.get(path) or ext_fields.get(path)
            if info is None:
                errors[path] = [_l("unknown field of %(section)s", section=section.title)]
                continue
            try:
                value = coerce(info, raw)
            except BadValue as exc:
                errors[path] = [str(exc)]
                continue
            if path in restricted and not self._unchanged(section, record, path, value):
                errors[path] = [_l("you may not change the field “%(field)s”", field=path)]
                continue
            if info.type == "lookup" and value is not None and not self._exists(info, value):
                errors[path] = [_l("refers to record #%(id)s, which does not exist", id=value)]
                continue
            if info.extension is None:
                own[path] = value
            else:
                ext[info.extension][info.name] = value
        if errors:
            raise ValidationError(errors)
        return own, dict(ext)

    def _unchanged(self, section: Section, record, path: str, value) -> bool:
        """Whether ``value`` is what ``record`` already holds at ``path`` (a new record holds nothing)."""
        if record is None:
            return value is None
        return same(self._read_all(section, record).get(path), value)

    def _exists(self, info, value) -> bool:
        memo = self.session.info.get(EXISTS_MEMO)
        if memo is None:
            return self._exists_query(info, value)
        key = (info.target_section if info.custom else next(iter(info.column.foreign_keys)).target_fullname, value)
        if key not in memo:
            memo[key] = self._exists_query(info, value)
        return memo[key]

    def _exists_query(self, info, value) -> bool:
        if info.custom:  # a custom lookup names its target section, not a foreign key
            target_table = self.state.sections.get(info.target_section).table
            return self.session.execute(
                sa.select(sa.literal(1)).select_from(target_table).where(target_table.c.id == value)).first() is not None
        fk = next(iter(info.column.foreign_keys))
        target = fk.column
        return self.session.execute(sa.select(sa.literal(1)).select_from(target.table).where(target == value)).first() is not None

    def _assign(self, section: Section, record, own: dict) -> dict:
        changes = {}
        custom = {path: value for path, value in own.items() if path.startswith(custom_fields.PREFIX)}
        if custom:
            changes.update(self._assign_custom(section, record, custom))
        for path, value in own.items():
            if path in custom:
                continue
            old = getattr(record, path)
            if not same(old, value):
                changes[path] = (old, value)
            setattr(record, path, value)
        return changes

    def _assign_new(self, section: Section, record, own: dict, custom_infos: dict) -> None:
        """:meth:`_assign` for a record just built: it holds nothing yet, so there is no old value to read and compare.

        Reading an attribute never set goes through the ORM's default-value path,
        some four times per create for nothing (an import creates a row each).
        ``custom_infos``: the section's ``{path: custom field}`` (none: ``own`` holds no custom value, see _split).
        """
        custom = ({path: value for path, value in own.items() if path.startswith(custom_fields.PREFIX)}
                  if custom_infos else {})
        if custom:
            self._assign_custom(section, record, custom, custom_infos)
        for path, value in own.items():
            if path not in custom:
                setattr(record, path, value)

    def _assign_custom(self, section: Section, record, custom: dict, infos: dict | None = None) -> dict:
        """Write custom-field values into a new ``record.custom`` dict (a new object, so the ORM sees it).

        ``infos``: the section's ``{path: custom field}``, when the caller holds them.
        """
        if infos is None:
            infos = {info.path: info for info in section.custom_fields()}
        stored = dict(record.custom or {})
        changes = {}
        for path, value in custom.items():
            info = infos[path]
            old = custom_fields.from_storage(info, stored.get(info.name))
            if not same(old, value):
                changes[path] = (old, value)
            if value is None:
                stored.pop(info.name, None)
            else:
                stored[info.name] = custom_fields.to_storage(info, value)
        record.custom = stored
        return changes

    def _require(self, section: Section, record, custom_paths: set | None = None) -> None:
        """Required fields of ``record`` (being updated) must have a value; ``custom_paths``: the custom
        fields being written.

        A required custom field added after records exist is enforced on new
        records and whenever it is written, so older records (and add-on data
        upgrades) can still be saved without it.
        """
        required_custom = [info for info in section.custom_fields()
                           if info.required and (custom_paths is None or info.path in custom_paths)]
        require_fields(record, section.required_own_fields(), required_custom, partial(getattr, record))

    def _validate(self, event: RecordEvent, hook: Callable | None = None) -> None:
        """Run the validate hooks (``hook``: their caller, when the caller holds it) and raise what they found."""
        errors: dict[str, list] = defaultdict(list)
        for result in reversed((hook or self._hook("flowcase_record_validate"))(event=event)):
            for path, messages in (result or {}).items():
                errors[path].extend([messages] if isinstance(messages, str) else messages)
        if errors:
            raise ValidationError(dict(errors))

    def _flush(self, write: Callable | None = None):
        """Flush (or run ``write``, an INSERT standing for one), turning database refusals into Flowcase errors."""
        try:
            return write() if write is not None else self.session.flush()
        except StaleDataError as exc:
            raise ConflictError(_l("This record was changed by someone else meanwhile. Reload it and try again.")) from exc
        except IntegrityError as exc:
            raise _integrity_error(exc) from exc
        except OperationalError as exc:
            # SQLite refuses to write from a snapshot older than another
            # writer's commit (SQLITE_BUSY_SNAPSHOT): the same lost-update race.
            if "locked" in str(exc.orig).lower():
                raise ConflictError(_l("This record was changed by someone else meanwhile. Reload it and try again.")) from exc
            raise

    def defer_insert(self, table: sa.Table, rows: list[dict]) -> None:
        """INSERT ``rows`` into ``table`` now, or, while a :class:`~core.records_batch.RecordBatch` writes a chunk,
        with the chunk's other rows for that table in one statement (same transaction either way).
        """
        if not rows:
            return
        buffer = self.session.info.get(DEFERRED_INSERTS)
        if buffer is None:
            self.session.execute(insert_statement(table), rows)
        else:
            buffer.setdefault(table, []).extend(rows)

    def _log(self, section, record, operation, path, old, new, record_id=None) -> None:
        self._log_rows([self._log_row(section, record, operation, path, old, new, record_id)])

    def _log_row(self, section, record, operation, path, old, new, record_id=None) -> dict:
        return {"section": section.name, "record_id": record_id if record_id is not None else record.id,
                "operation": operation, "field": path, "old_value": old, "new_value": new,
                "user_id": self.user.id if self.user is not None else None, "at": utcnow()}

    def _log_rows(self, rows: list[dict]) -> None:
        # A Core INSERT: nothing reads log rows back as objects, and an ORM object per row
        # cost a unit-of-work flush of its own at commit.
        if rows:  # an executemany of nothing would be one INSERT of defaults
            self.session.execute(insert_statement(ChangeLog.__table__), rows)


#: ``session.info`` keys a running batch sets: lookup targets known to exist, and INSERTs deferred to its chunk's end.
EXISTS_MEMO = "flowcase_batch_exists"
DEFERRED_INSERTS = "flowcase_batch_inserts"


def create_log_values(event: RecordEvent) -> dict:
    """The ``new_value`` of a create's change-log row: every value written, as JSON."""
    return {k: to_json(v) for k, v in event.values.items()}


def _flatten(ext: dict) -> dict:
    return {f"{extension.prefix}.{name}": value for extension, values in ext.items() for name, value in values.items()}


def _is_id(value) -> bool:
    try:
        return int(value) > 0
    except (TypeError, ValueError):
        return False


def _integrity_error(exc: IntegrityError) -> ValidationError:
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        return ValidationError(_l("A record with the same unique value already exists."))
    if "foreign key" in text:
        return ValidationError(_l("The record is still referenced by other records, or refers to a missing one."))
    return ValidationError(_l("The database refused the change: %(reason)s", reason=str(exc.orig).splitlines()[0]))


def records_for(user=None, sudo: bool = False) -> Records:
    """A records service for the current app; with no ``user`` in a request, the logged-in user."""
    from core.extensions import db

    if user is None and not sudo and has_request_context():
        from flask_login import current_user

        user = current_user if current_user.is_authenticated else None
        user = getattr(user, "_get_current_object", lambda: user)()
    return Records(current_app.extensions["flowcase"], db.session, user, sudo=sudo)
