"""A brief cache of the list page's capped count.

The capped COUNT (:func:`core.ui.list_query.capped_count`) reads up to 10,001
index entries on every page view; paging through a list, or coming back to
it, asks the same question again. The answer is kept for :data:`TTL` seconds
per (database, user, statement), and forgotten at once when this process
writes a row of the counted table (any insert, update or delete the ORM
flushes), so a user never misses their own change. Another worker's writes
show within :data:`TTL` seconds: a count is a hint, the rows are always fresh.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.ui import list_query

#: Seconds a count is reused.
TTL = 10.0
#: Counts kept per process (least recently stored dropped first).
MAX_ENTRIES = 512

_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()
#: Table name -> how many flushes wrote it in this process; part of every key, so a write retires old counts.
_generations: dict[str, int] = {}


def capped_count(records, section, stmt: sa.Select) -> tuple[int, bool]:
    """:func:`core.ui.list_query.capped_count`, reused for a few seconds while nothing here wrote the table."""
    table = section.table.name
    bind = records.session.get_bind()
    user_id = getattr(records.user, "id", None)
    key = (_app_token(records.state), str(bind.url), user_id, records.is_sudo, *_statement_key(stmt, bind),
           table, _generations.get(table, 0))
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
        if hit is not None and now - hit[0] < TTL:
            return hit[1]
    result = list_query.capped_count(records, section, stmt)
    with _lock:
        _entries[key] = (now, result)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return result


def _statement_key(stmt: sa.Select, bind) -> tuple:
    """What identifies ``stmt`` with its values: SQLAlchemy's own cache key, cheaper than compiling it to SQL.

    A statement SQLAlchemy cannot key (rare) is compiled instead.
    """
    cache_key = stmt._generate_cache_key()
    if cache_key is not None:
        return cache_key.key, repr([param.effective_value for param in cache_key.bindparams])
    compiled = stmt.compile(bind=bind)
    return str(compiled), repr(sorted(compiled.params.items(), key=lambda kv: kv[0]))


def _app_token(state) -> str:
    """A token per app instance: two apps on one database URL (tests) never share counts."""
    token = getattr(state, "_count_cache_token", None)
    if token is None:
        token = uuid.uuid4().hex
        state._count_cache_token = token
    return token


def clear() -> None:
    """Forget every count (tests, and after bulk writes that bypass the ORM)."""
    with _lock:
        _entries.clear()


@sa.event.listens_for(Session, "after_flush")
def _written(session, flush_context) -> None:
    """Retire the counts of every table this flush wrote."""
    tables = {getattr(obj, "__tablename__", None) for obj in (*session.new, *session.dirty, *session.deleted)}
    tables.discard(None)
    if tables:
        with _lock:
            for name in tables:
                _generations[name] = _generations.get(name, 0) + 1
