"""A single create's INSERT without the unit of work: the statement and bookkeeping a flush of that one record does.

The unit of work's flush of one new record (sorting mappers, grouping states,
a subtransaction, per-mapper actions) cost about a quarter of a REST create's
CPU, the INSERT itself a fraction of that. :func:`insert_new` emits the
flush's own INSERT for the record — its parameters from SQLAlchemy's
``_collect_insert_commands``, the same cached statement and ``RETURNING`` of
server defaults, the same post-fetch of defaults and the version — and then
does what a flush does after it: ``after_flush`` listeners (the count cache,
the dashboards' "wrote" flag, the configuration and rights caches) see the
record in ``session.new``, it becomes persistent as a flushed object does
(a rollback expunges it again), and ``after_flush_postexec`` runs.

Anything unusual goes to the real flush instead (``insert_new`` returns
False having done nothing): other pending changes in the session, a
``before_flush`` listener (it may add objects), mapper insert events,
inheritance, relationship values, SQL expressions as values. The private
SQLAlchemy functions used are checked once; without them every create flushes.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, scoped_session

try:  # private helpers of SQLAlchemy's flush (2.0 / 2.1): the INSERT's parameters and post-fetch, exactly as a flush
    from sqlalchemy.orm.persistence import _collect_insert_commands, _postfetch
    from sqlalchemy.orm.unitofwork import UOWTransaction
except ImportError:  # pragma: no cover - another SQLAlchemy: always flush
    _collect_insert_commands = _postfetch = UOWTransaction = None

#: Per mapped class: (its mapper, its relationships' keys) when its table's shape lets a lone INSERT stand for
#: its flush (one table, no inheritance, a version the ORM counts), else None.
_PLANS: dict[type, tuple | None] = {}


def lone_insert_plan(cls: type):
    """``(mapper, relationship keys)`` when a new ``cls`` record's flush is one plain INSERT into one table, else None.

    Also used by :mod:`core.records_batch` for a chunk's rows; :func:`flush_listened` says, per call,
    whether listeners still need a real flush.
    """
    if cls in _PLANS:
        return _PLANS[cls]
    mapper = sa.inspect(cls)
    table = mapper.local_table
    eligible = (
        _postfetch is not None
        and mapper.inherits is None
        and len(mapper.tables) == 1
        and mapper.persist_selectable is table
        and not mapper._table_to_equated[table]
        and (mapper.version_id_col is None or mapper.version_id_generator is not False)
    )
    _PLANS[cls] = (mapper, frozenset(mapper.relationships.keys())) if eligible else None
    return _PLANS[cls]


def insert_new(session: Session | scoped_session, record) -> bool:
    """INSERT ``record`` (new, not yet in ``session``) as a flush of it alone would, and make it persistent.

    Returns False, having done nothing, when a flush must write it (see the module's docstring).
    Database errors propagate as a flush's would (``IntegrityError``, ``OperationalError``).
    """
    if isinstance(session, scoped_session):
        session = session()
    plan = lone_insert_plan(type(record))
    if plan is None or session._new or session._deleted or session.identity_map._modified:
        return False
    mapper, relationships = plan
    if flush_listened(session, mapper):
        return False
    state = sa.inspect(record)
    if state.key is not None or state.session_id is not None or not relationships.isdisjoint(state.dict):
        return False
    table = mapper.local_table
    connection = session.connection(bind_arguments={"mapper": mapper})
    ((_, dict_, params, _, _, value_params, _, has_all_defaults),) = _collect_insert_commands(
        table, [(state, state.dict, mapper, connection)])
    if value_params:
        return False
    result = connection.execute(_statement(mapper, table, connection.dialect, has_all_defaults), params,
                                execution_options={"compiled_cache": mapper.base_mapper._compiled_cache})
    for value, column in zip(result.inserted_primary_key, mapper._pks_by_table[table]):
        key = mapper._columntoproperty[column].key
        if dict_.get(key) is None:
            dict_[key] = value
    flush = UOWTransaction(session)
    _postfetch(mapper, flush, table, state, dict_, result, result.context.compiled_parameters[0], value_params, False,
               result.returned_defaults)
    session.add(record)  # pending for the listeners, as during a flush
    session.dispatch.after_flush(session, flush)
    session._register_persistent({state})
    session.dispatch.after_flush_postexec(session, flush)
    return True


def flush_listened(session: Session, mapper) -> bool:
    """Whether a ``before_flush`` or mapper insert listener must see a real flush (asked on every call:
    an add-on may register one later)."""
    return bool(session.dispatch.before_flush or mapper.dispatch.before_insert or mapper.dispatch.after_insert
                or mapper.class_manager.dispatch.refresh_flush)


_STATEMENTS: dict = {}


def _statement(mapper, table, dialect, has_all_defaults: bool) -> sa.Insert:
    """The flush's INSERT for ``table``: its memoised statement, returning server defaults and the version as it does."""
    eager = not has_all_defaults and mapper.base_mapper._prefer_eager_defaults(dialect, table)
    key = (table, eager)
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = mapper.base_mapper._memo(("insert", table), table.insert)
        if eager:
            statement = statement.return_defaults(*mapper._server_default_cols[table], sort_by_parameter_order=True)
        if mapper.version_id_col is not None:
            statement = statement.return_defaults(mapper.version_id_col, sort_by_parameter_order=True)
        _STATEMENTS[key] = statement
    return statement
