"""Many creates through the records service, written a chunk at a time: ``Records.batch()``.

Each :meth:`RecordBatch.create` does at once everything :meth:`Records.create`
does before its INSERT (rights, coercion, required fields, the
``flowcase_record_validate`` and ``flowcase_record_before_create`` hooks), so
a row that is refused raises there, for that row only. The writing is what
is batched: at :meth:`RecordBatch.flush` (every ``size`` rows, and when the
block ends) the chunk's records get their ids in one statement and go in as
plain rows (COPY on PostgreSQL, one executemany on SQLite; a flush where that
cannot stand for one, see ``_insert_without_flush``), then their extension
rows, then every ``flowcase_record_after_create`` hook
per record, in order; the change-log rows and the rows hooks hand to
:meth:`Records.defer_insert` (dedup keys) are inserted together at the end
(through COPY on PostgreSQL, see :mod:`core.bulk_insert`).
The change log holds the same rows a one-by-one create writes.

The chunk runs in one savepoint. When anything in it fails (a unique
constraint, a hook raising), the savepoint is rolled back and the chunk is
written again row by row through :meth:`Records.create`, each row in its own
savepoint, so one bad row costs only itself and is reported through its
``on_failed``::

    with records.transaction(), records.batch() as batch:
        for number, values in rows:
            try:
                batch.create("contact", values, on_written=lambda record: ..., on_failed=lambda error: ...)
            except ValidationError as error:   # refused before anything was written
                ...

Rows of one chunk depend on each other only through what is written: a
duplicate rule's check on save writes the pending rows first when a new row
has the same key as one of them (see :mod:`core.dedup.check`); other callers
can call :meth:`flush` themselves before a row that must see earlier ones.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.unitofwork import UOWTransaction

from core.bulk_insert import insert_rows, insert_values, value_tuples
from core.db import utcnow
from core.models import ChangeLog
from core.record_insert import flush_listened, lone_insert_plan
from core.records import DEFERRED_INSERTS, EXISTS_MEMO, create_log_values

_CURRENT = "flowcase_record_batch"
#: ``(database URL, table) -> name of the sequence behind its id`` (None: there is none), see ``RecordBatch._sequence``.
_SEQUENCES: dict = {}
#: The session's own step that makes flushed objects persistent (private to SQLAlchemy 2.0 and 2.1):
#: without it every chunk is flushed.
_REGISTER_PERSISTENT = hasattr(Session, "_register_persistent")
#: ``Session._save_impl``: what ``Session.add`` does for a new object before it cascades along the
#: relationships. The records written as rows have none set, so the cascade (a sixth of the cost of
#: putting a chunk's records in the session) finds nothing; ``add`` where SQLAlchemy lacks it.
_SAVE_PENDING = getattr(Session, "_save_impl", None)
#: The change-log columns a created record's row fills, in the order its tuple holds them.
_LOG_COLUMNS = ["section", "record_id", "operation", "field", "old_value", "new_value", "user_id", "at"]
#: model -> its :class:`_RowPlan` (or None), see :func:`_row_plan`.
_PLANS: dict = {}


def current_batch(session) -> "RecordBatch | None":
    """The batch open on ``session``, if any (duplicate checks use it to see rows not written yet)."""
    return session.info.get(_CURRENT)


@dataclass
class PendingCreate:
    """A checked create waiting for its chunk to be written."""

    section: Any
    values: dict
    stamps: dict | None
    record: Any
    ext: dict
    event: Any
    on_written: Callable | None = None
    on_failed: Callable | None = None
    #: Returns the context the row was checked in (say ``confirm_duplicates``), entered again to write it alone.
    context: Callable | None = None
    #: Whatever the caller wants back with the record (an import's row number).
    token: Any = None
    extra: dict = field(default_factory=dict)

    @property
    def record_id(self):
        """The record's id once its chunk gave it one (None while it waits), read without the ORM's
        default-value path that an unset attribute of a new record takes."""
        return self.record.__dict__.get("id")


class RecordBatch:
    """Checked creates written per chunk of ``size`` rows; use as a context manager inside a transaction."""

    def __init__(self, records, size: int = 1000):
        self.records = records
        self.session = records.session
        self.size = max(1, int(size))
        self.pending: list[PendingCreate] = []
        #: Scratch space for checks that must know about rows not written yet (duplicate keys).
        self.memo: dict = {}
        #: True while a row is being checked (hooks run then may look at :attr:`memo`), False while writing.
        self.preparing = False
        #: Section name -> its :meth:`Records.write_plan`, made at the section's first row.
        self._plans: dict = {}
        self._previous = None

    # -- the block ----------------------------------------------------------
    def __enter__(self) -> "RecordBatch":
        info = self.session.info
        self._previous = info.get(_CURRENT), info.get(EXISTS_MEMO)
        info[_CURRENT] = self
        info[EXISTS_MEMO] = {}  # lookup targets seen once exist for the rest of the batch (same transaction)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.flush()
        finally:
            previous, exists = self._previous
            for key, value in ((_CURRENT, previous), (EXISTS_MEMO, exists)):
                if value is None:
                    self.session.info.pop(key, None)
                else:
                    self.session.info[key] = value
            self.pending = []

    # -- the rows -----------------------------------------------------------
    def create(self, section_name, values: dict, *, stamps: dict | None = None, on_written: Callable | None = None,
               on_failed: Callable | None = None, context: Callable | None = None, token=None) -> PendingCreate:
        """Check one create now and queue its writing; raises what :meth:`Records.create` would raise before writing.

        ``on_written(record)`` runs once the record is in the database with its
        id and its after-create hooks have run; ``on_failed(error)`` if writing it
        failed after all (the rest of the chunk is still written). ``context``: a
        callable returning the context manager the caller checks this row in
        (``lambda: confirm_duplicates(records)``); it is entered again if the row
        has to be written on its own after its chunk failed.
        """
        records = self.records
        section = records.section(section_name)
        plan = self._plans.get(section.name)
        if plan is None:  # the section-wide right, and what each row is checked against, once per batch
            records._check(section, "create")
            plan = self._plans[section.name] = records.write_plan(section)
        session = self.session
        # What ``session.no_autoflush`` does, without a generator-based context manager per row.
        autoflush, session.autoflush, self.preparing = session.autoflush, False, True
        try:
            record, ext, event = records._prepare_create(section, values, stamps, plan)
        finally:
            session.autoflush, self.preparing = autoflush, False
        item = PendingCreate(section, values, stamps, record, ext, event, on_written, on_failed, context, token)
        self.pending.append(item)
        if len(self.pending) >= self.size:
            self.flush()
        return item

    def flush(self) -> None:
        """Write the pending creates: as one chunk, or row by row when the chunk fails."""
        items, self.pending = self.pending, []
        if not items:
            return
        preparing, self.preparing = self.preparing, False
        uow = self.records._uow
        queued = len(uow.after)
        try:
            try:
                with self.session.begin_nested():
                    self._write_chunk(items)
            except Exception:  # noqa: BLE001 - whatever failed, each row gets its own chance below
                del uow.after[queued:]  # jobs the undone chunk's hooks queued; the rows queue them again
                for item in items:
                    self._write_one(item)
                return
            for item in items:
                if item.on_written is not None:
                    item.on_written(item.record)
        finally:
            self.preparing = preparing
            for item in items:
                _release(item)

    def _write_chunk(self, items: list[PendingCreate]) -> None:
        records, session = self.records, self.session
        with session.no_autoflush:
            self._number(items)
            by_orm = self._insert_without_flush(items)
            if by_orm:
                session.add_all(by_orm)
                records._flush()  # one executemany for the chunk
            for item in items:
                records._add_extension_rows(item.record, item.ext)
            if any(item.ext for item in items):
                records._flush()
            for item in items:
                # A row outside the user's create rules fails the chunk, which is then written row by row
                # (that row reported, the others written), like a refused create.
                records.check_created(item.section, item.record)
            user_id = records.user.id if records.user is not None else None
            now = utcnow()
            # As tuples in the columns' order: no dict per row to build and take apart again.
            log = [(item.section.name, item.record.id, "create", None, None, create_log_values(item.event), user_id, now)
                   for item in items]
            insert_values(session, ChangeLog.__table__, _LOG_COLUMNS, log)
            deferred = session.info[DEFERRED_INSERTS] = {}
            try:
                after_create = records._hook("flowcase_record_after_create")
                for item in items:
                    after_create(event=item.event)
            finally:
                session.info.pop(DEFERRED_INSERTS, None)
            records._flush()  # what the hooks changed through the ORM, before the deferred rows
            for table, rows in deferred.items():
                insert_rows(session, table, rows)

    def _number(self, items: list[PendingCreate]) -> None:
        """Give the chunk's records their ids first, so they go in with one executemany.

        SQLite cannot say which generated id belongs to which row of a multi-row
        INSERT (SQLAlchemy then inserts one row per statement); it gives a new
        row the largest id + 1 anyway, and the transaction keeps other writers
        out once it wrote. Should one slip in before, the ids collide, the chunk
        fails and is written row by row: slower, never wrong.

        On PostgreSQL the ids are drawn from the table's sequence in one
        statement: an INSERT ... RETURNING of a thousand rows is one statement
        text of some sixteen thousand parameters, which psycopg parsed afresh
        for every chunk (longer than the chunk took to write); rows with their
        ids go in as one executemany of a short cached statement, as the
        import's floor does.
        """
        dialect = self.session.get_bind().dialect.name
        if dialect not in ("sqlite", "postgresql"):
            return
        by_model: dict = {}
        for item in items:
            if item.record_id is None:
                by_model.setdefault(type(item.record), []).append(item.record)
        for model, group in by_model.items():
            table = model.__table__
            if dialect == "sqlite":
                last = self.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
                ids = range(last + 1, last + 1 + len(group))
            else:
                sequence = self._sequence(table)
                if sequence is None:  # no sequence behind the id: leave it to INSERT ... RETURNING
                    continue
                ids = list(self.session.scalars(sa.select(sa.func.nextval(sequence))
                                                .select_from(sa.func.generate_series(1, len(group)))))
            for record, record_id in zip(group, ids):
                record.id = record_id

    def _insert_without_flush(self, items: list[PendingCreate]) -> list:
        """Write the chunk's numbered records as plain rows (COPY on PostgreSQL); returns the records left to a flush.

        A flush sent a thousand INSERTs (one statement per row, pipelined) that
        PostgreSQL took 55-65 ms to store; the same rows through COPY take 32-37 ms,
        and building them from the records costs less than the flush's own
        bookkeeping. Each row holds what the flush would send: the values set
        on the record and every other column's Python default, which is also
        put on the record. Then the chunk's records go through what a flush does
        after its INSERTs: the ``after_flush`` listeners (count cache, dashboards,
        configuration and rights caches) find them in ``session.new``, and they
        become persistent (a rollback of the chunk's savepoint takes them out of
        the session again). Whatever a flush must write is left to it: a session
        with other changes pending, flush or insert listeners
        (:func:`core.record_insert.flush_listened`), a model whose plan is None
        (see :func:`_row_plan`), a record without an id or with a relationship set.
        """
        session = self.session
        if isinstance(session, scoped_session):
            session = session()
        written = [item.record for item in items]
        if (session.get_bind().dialect.name not in ("postgresql", "sqlite")
                or session.new or session.dirty or session.deleted or not _REGISTER_PERSISTENT):
            return written
        by_model: dict = {}
        left = []
        for record in written:
            plan = _row_plan(type(record))
            if (plan is None or flush_listened(session, plan.mapper) or record.id is None
                    or not plan.relationships.isdisjoint(record.__dict__)):
                left.append(record)
            else:
                by_model.setdefault(type(record), []).append(record)
        states = set()
        for model, group in by_model.items():
            plan = _row_plan(model)
            for record in group:
                # Missing values go straight into the record's __dict__: becoming persistent below takes whatever
                # it holds as loaded from the database, as the flush's post-fetch would.
                values = record.__dict__
                for attribute, default in plan.defaults:
                    if attribute not in values:
                        values[attribute] = default()
                values.update({**plan.nones, **values})  # None where unset, in two dict operations, not a loop
            # Columns empty in every row are left out (they are NULL anyway): SQLite binds each value it is given.
            by_column = list(zip(*value_tuples([record.__dict__ for record in group], plan.attributes)))
            used = [index for index, column in enumerate(by_column) if column.count(None) != len(column)]
            rows = list(zip(*(by_column[index] for index in used)))
            insert_values(session, model.__table__, [plan.columns[index][0] for index in used], rows)
            # Pending, as during a flush: the listeners look for them there.
            group_states = [instance_state(record) for record in group]
            if _SAVE_PENDING is None:
                session.add_all(group)
            else:
                for state in group_states:
                    state._orphaned_outside_of_session = False  # as add() sets it
                    _SAVE_PENDING(session, state)
            states.update(group_states)
        if states:
            flush = UOWTransaction(session)
            session.dispatch.after_flush(session, flush)
            session._register_persistent(states)
            session.dispatch.after_flush_postexec(session, flush)
        return left

    def _sequence(self, table: sa.Table) -> str | None:
        """The name of the sequence behind ``table``'s id (PostgreSQL), asked once per database and table.

        Given to ``nextval`` as a name, not as ``pg_get_serial_sequence(...)``: PostgreSQL evaluated
        that call once per id drawn, three times the cost of drawing them (8 ms per thousand ids).
        """
        bind = self.session.get_bind()
        key = (bind.url, table.fullname)
        if key not in _SEQUENCES:
            _SEQUENCES[key] = self.session.scalar(sa.select(sa.func.pg_get_serial_sequence(table.fullname, "id")))
        return _SEQUENCES[key]

    def _write_one(self, item: PendingCreate) -> None:
        """One row of a failed chunk, in its own savepoint, through the one-by-one create."""
        try:
            with self.records.transaction(), (item.context() if item.context else nullcontext()):
                record = self.records.create(item.section, item.values, stamps=item.stamps)
        except Exception as error:  # noqa: BLE001 - reported to the caller for this row only
            if item.on_failed is None:
                raise
            item.on_failed(error)
            return
        item.record = record
        if item.on_written is not None:
            item.on_written(record)


def _release(item: PendingCreate) -> None:
    """Drop a written (or failed) create's callbacks.

    A caller's callbacks usually refer to the item they were given for (an
    import's do), a cycle that kept every record of the chunk, with its ORM
    state, alive until the garbage collector found it: the commit then expired
    them all, and each collection walked them again.
    """
    item.on_written = item.on_failed = item.context = None


@dataclass(frozen=True)
class _RowPlan:
    mapper: Any
    #: ``[(column key, attribute name, maker of its Python default or None)]`` in the table's column order.
    columns: list
    #: Names of the model's relationships (a record with one set is left to the flush).
    relationships: frozenset

    @cached_property
    def attributes(self) -> list:
        """The columns' attribute names, in the table's column order."""
        return [attribute for _key, attribute, _default in self.columns]

    @cached_property
    def defaults(self) -> list:
        """``[(attribute, maker of its Python default)]`` of the columns that have one."""
        return [(attribute, default) for _key, attribute, default in self.columns if default is not None]

    @cached_property
    def nones(self) -> dict:
        """``{attribute: None}`` of the columns without a Python default."""
        return dict.fromkeys(attribute for _key, attribute, default in self.columns if default is None)


def _row_plan(model) -> "_RowPlan | None":
    """How a new record of ``model`` becomes a plain row, or None when only a flush may write it.

    None where a lone INSERT cannot stand for the flush (:func:`core.record_insert.lone_insert_plan`:
    inheritance, several tables, ...), and for a column not mapped, a server default or a SQL-expression
    default: the database would have to tell the value back, which a COPY does not.
    """
    if model in _PLANS:
        return _PLANS[model]
    plan = None
    lone = lone_insert_plan(model)
    if lone is not None:
        mapper, relationships = lone
        columns = []
        for column in mapper.local_table.columns:
            try:
                attribute = mapper.get_property_by_column(column).key
            except sa.orm.exc.UnmappedColumnError:
                break
            default = column.default
            if column.server_default is not None:
                break
            if default is None:
                maker = None
            elif default.is_scalar:
                maker = (lambda value: lambda: value)(default.arg)
            elif default.is_callable:  # SQLAlchemy wrapped it to take the execution context; it ignores it
                maker = (lambda function: lambda: function(None))(default.arg)
            else:
                break
            columns.append((column.key, attribute, maker))
        else:
            plan = _RowPlan(mapper, columns, relationships)
    _PLANS[model] = plan
    return plan
