"""Background and periodic jobs on huey.

One huey instance per app: SqliteHuey under instance/ by default, RedisHuey
when ``FLOWCASE_REDIS_URL`` is set. Jobs are plain callables that add-ons name
through ``flowcase_register_jobs``; a single huey task, ``flowcase.run_job``,
runs any of them by name inside an app context, so queue entries stay valid
whichever add-ons a worker process has loaded. Periodic jobs come from
``flowcase_register_periodic_jobs`` and run in ``flowcase worker``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from flask import current_app
from huey import RedisHuey, SqliteHuey, crontab

log = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    """A job run on a cron schedule: ``func(app)``; it must be idempotent."""

    name: str
    func: Callable
    minute: str = "*"
    hour: str = "*"
    day: str = "*"
    month: str = "*"
    day_of_week: str = "*"
    extra: dict = field(default_factory=dict)

    def schedule(self):
        return crontab(self.minute, self.hour, self.day, self.month, self.day_of_week)


def make_huey(app):
    """Build the app's huey instance and bind the job runner and periodic jobs to it."""
    name = app.config.get("FLOWCASE_QUEUE_NAME", "flowcase")
    url = app.config.get("FLOWCASE_REDIS_URL")
    immediate = bool(app.config.get("FLOWCASE_JOBS_IMMEDIATE"))
    if url:
        huey = RedisHuey(name, url=url, immediate=immediate)
    else:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(Path(app.instance_path) / "jobs.sqlite3"), immediate=immediate)
    return huey


def bind_tasks(state) -> None:
    """(Re)register the runner task and the current periodic jobs on ``state.huey``."""
    huey, app = state.huey, state.app
    # huey keeps tasks in a per-instance registry; rebinding after an install
    # replaces them wholesale (there is no public "unregister all").
    huey._registry._registry.clear()
    huey._registry._periodic_tasks = []

    @huey.task(name="flowcase.run_job")
    def run_job(job_name: str, payload: dict):
        with app.app_context():
            func = state.jobs.get(job_name)
            if func is None:
                raise LookupError(f"job '{job_name}' is not registered by any installed add-on")
            return func(app, **payload)

    state.run_job_task = run_job
    for job in state.periodic_jobs:
        def periodic(job=job):
            with app.app_context():
                return job.func(app)

        huey.periodic_task(job.schedule(), name=f"flowcase.periodic.{job.name}")(periodic)


def enqueue(job_name: str, **payload):
    """Queue a registered job by name; in immediate mode it runs now and its result is returned."""
    state = current_app.extensions["flowcase"]
    if job_name not in state.jobs:
        raise LookupError(f"job '{job_name}' is not registered by any installed add-on")
    if state.huey.immediate:
        from core.db import end_unwritten_sqlite_transaction
        from core.extensions import db

        end_unwritten_sqlite_transaction(db.session())
    result = state.run_job_task(job_name, payload)
    if state.huey.immediate:
        return result.get()
    return result


def run_periodic_now(app, at=None) -> list[str]:
    """Run the periodic jobs due at ``at`` (a datetime; default now) in this process; names returned.

    The consumer's scheduler does the same each minute; this serves tests and
    ``flowcase jobs run-periodic`` for cron-driven deployments.
    """
    import datetime as dt

    state = app.extensions["flowcase"]
    ran = []
    for task in state.huey.read_periodic(at or dt.datetime.now()):
        state.huey.execute(task)
        ran.append(task.name)
    return ran


def ping_job(app, **payload):
    """A tiny built-in job that proves the queue works: logs and returns its payload."""
    log.info("core.ping %s", payload)
    return payload
