"""Jobs: immediate mode in tests, periodic jobs from add-ons, and a real consumer on Redis."""
import datetime as dt
import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
import sqlalchemy as sa

from core.config import PROJECT_ROOT
from core.extensions import db
from core.jobs import enqueue, run_periodic_now

REDIS_URL = os.environ.get("FLOWCASE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.addons("fx_base")


def test_a_periodic_job_registered_by_an_addon_runs_when_due(app_ctx):
    from flowcase_addons.fx_base import hooks

    def fx_runs(at):
        # The core's own periodic jobs (mail polling, mailings) run too; this test is about the add-on's.
        return [name for name in run_periodic_now(app_ctx, at) if name.startswith("flowcase.periodic.fx_")]

    hooks.PERIODIC_RUNS.clear()
    assert fx_runs(dt.datetime(2026, 11, 28, 2, 59)) == []
    assert fx_runs(dt.datetime(2026, 11, 28, 3, 0)) == ["flowcase.periodic.fx_base.nightly"]
    assert hooks.PERIODIC_RUNS == ["nightly"]


def test_unknown_job_names_fail_loudly(app_ctx):
    with pytest.raises(LookupError, match="no_such.job"):
        enqueue("no_such.job")


def test_jobs_run_in_a_real_worker_on_redis(make_app, database, tmp_path):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}; .ci/run and the machine start it")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    app = make_app(addons=["fx_base"], FLOWCASE_REDIS_URL=REDIS_URL, FLOWCASE_JOBS_IMMEDIATE=False,
                   FLOWCASE_QUEUE_NAME=queue)
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        thing = records.create("fx_thing", {"name": "Counter", "amount": 0})
        thing_id = thing.id
        with records.transaction():
            records.after_commit("fx_base.bump_amount", thing_id=thing_id)
        db.session.remove()
    env = {**os.environ, "FLOWCASE_DATABASE_URL": database.url, "FLOWCASE_REDIS_URL": REDIS_URL,
           "FLOWCASE_QUEUE_NAME": queue, "FLOWCASE_INSTANCE_PATH": str(tmp_path / "worker"),
           "FLOWCASE_ADDONS_PATH": app.config["FLOWCASE_ADDONS_PATH"]}
    worker = subprocess.Popen([sys.executable, "-m", "core.cli", "worker", "--workers", "1", "--no-periodic"],
                              cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        amount = 0
        while time.monotonic() < deadline and amount != 1:
            time.sleep(0.2)
            with app.app_context():
                amount = db.session.execute(sa.text("SELECT amount FROM fx_base_thing WHERE id = :id"), {"id": thing_id}).scalar()
                db.session.remove()
        assert amount == 1, worker.stdout.read1().decode() if worker.poll() is not None else "worker did not run the job"
    finally:
        worker.terminate()
        worker.wait(10)
        redis.Redis.from_url(REDIS_URL).delete(*[k for k in redis.Redis.from_url(REDIS_URL).keys(f"*{queue}*")] or ["none"])
