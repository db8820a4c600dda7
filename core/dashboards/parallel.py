"""The widgets' aggregate statements run side by side on PostgreSQL, a few at once per request.

Each of a dashboard's aggregates is a single index scan that keeps one
PostgreSQL backend (and so one core) busy while the request waits; several on
separate connections finish sooner than one after another. The statements are
built in the request thread (rights, filter, period, grouping: see
:func:`core.dashboards.compute.prepare`); a worker only executes one on a
pooled connection of its own and hands back plain tuples, so it needs no
session, request nor app context.

A lane's transaction sets two of PostgreSQL's settings for itself
(:data:`LANE_SETTINGS`). No parallel workers of PostgreSQL's own: the lanes
are already the parallelism, and workers on top start processes and merge
partial aggregates for scans of a few hundred thousand index entries (on the
bench's two cores the page's PostgreSQL CPU fell by a tenth without them).
A larger work_mem: an aggregate's hash of a few hundred thousand keys spills
to disk in the default 4 MB.

Other connections see committed data only. So the request's own session runs
them, one after another, when it has written anything not yet committed (a
pending change, or a flush since its transaction began), when it is not on
PostgreSQL, or when ``FLOWCASE_DASHBOARD_PARALLEL_QUERIES`` is 1.
"""
from __future__ import annotations

import os
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.request_session import read_connection

#: ``session.info`` key: the session flushed writes its transaction has not committed yet.
WROTE = "flowcase.dashboards.wrote"
#: ``session.info`` key a caller sets to keep this session's dashboards on the session, one statement at a time.
SEQUENTIAL = "flowcase.dashboards.sequential"
DEFAULT_LIMIT = 3
#: Set for the lane's transaction only (``set_config(..., true)``): the pooled connection's next user has the defaults.
LANE_SETTINGS = {"max_parallel_workers_per_gather": "0", "work_mem": "32MB"}
_SET_LANE = "SELECT " + ", ".join(f"set_config('{name}', '{value}', true)" for name, value in LANE_SETTINGS.items())

_executor: ThreadPoolExecutor | None = None
_executor_key: tuple | None = None
_executor_lock = threading.Lock()


@event.listens_for(Session, "after_flush")
def _wrote(session, flush_context) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _settled(session, transaction) -> None:
    # Only the outermost transaction's end settles it: a savepoint's release leaves the writes uncommitted.
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def limit(session) -> int:
    """How many statements this request's dashboard may run at once (1: on ``session``, one after another)."""
    bind = session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
        return 1
    configured = int(current_app.config.get("FLOWCASE_DASHBOARD_PARALLEL_QUERIES", DEFAULT_LIMIT))
    if configured <= 1:
        return 1
    if session.info.get(WROTE) or session.info.get(SEQUENTIAL) or session.new or session.dirty or session.deleted:
        return 1
    return configured


def _pool(size: int) -> ThreadPoolExecutor:
    """The process's workers: twice one request's share, so a second dashboard need not queue behind the first.

    Bounded on purpose: more requests queue here rather than at the connection
    pool, which their own sessions draw from too. A forked process makes its own.
    """
    global _executor, _executor_key
    key = (os.getpid(), size)
    with _executor_lock:
        if _executor is None or _executor_key != key:
            if _executor is not None and _executor_key[0] == os.getpid():
                _executor.shutdown(wait=False)
            _executor = ThreadPoolExecutor(max_workers=2 * size, thread_name_prefix="dashboard-sql")
            _executor_key = key
        return _executor


class Statements:
    """The rows of each of ``statements``, asked for by index in the request thread.

    With a limit of 1 a statement runs on ``session`` when its rows are asked
    for (today's order, and the session sees its own writes). Otherwise up to
    ``limit`` workers take the statements in order, each on its own pooled
    connection, returned as soon as its statement is done; a statement's error
    is raised where its rows are asked for, as it would be on the session.
    """

    def __init__(self, session, statements: list, limit: int):
        self.session = session
        self.statements = statements
        self.futures: list[Future] | None = None
        if limit > 1 and len(statements) > 1:
            engine = session.get_bind()
            self.futures = [Future() for _ in statements]
            self._waiting = deque(range(len(statements)))
            self._lock = threading.Lock()
            pool = _pool(limit)
            for _ in range(min(limit, len(statements))):
                pool.submit(self._lane, engine)

    def rows(self, index: int) -> list:
        """The rows of statement ``index`` (waiting for its worker), or its error raised."""
        if self.futures is None:
            return self.session.execute(self.statements[index]).all()
        return self.futures[index].result()

    def finished(self):
        """The statements' indexes as their rows become ready: in order when they run on the session."""
        if self.futures is None:
            yield from range(len(self.statements))
            return
        index = {id(future): i for i, future in enumerate(self.futures)}
        for future in as_completed(self.futures):
            yield index[id(future)]

    def close(self) -> None:
        """Run no statement not started yet (the page failed and will not ask for their rows)."""
        if self.futures is not None:
            with self._lock:
                self._waiting.clear()

    def _take(self) -> int | None:
        with self._lock:
            return self._waiting.popleft() if self._waiting else None

    def _lane(self, engine: Engine) -> None:
        # One lane of the request's ``limit``: statements one after another, a connection each (the pool's
        # checkout is cheap, and a failed statement's connection is then never reused mid-transaction).
        while (index := self._take()) is not None:
            future = self.futures[index]
            try:
                with read_connection(engine) as connection:
                    connection.exec_driver_sql(_SET_LANE)
                    rows = [tuple(row) for row in connection.execute(self.statements[index])]
            except BaseException as exc:  # handed to the request thread, which raises it
                future.set_exception(exc)
            else:
                future.set_result(rows)
