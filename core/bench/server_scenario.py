"""``rest_create_server``: REST create throughput against gunicorn with two workers on 127.0.0.1.

The in-process ``rest_create`` goes through Flask's test client in one
process and one app context; this one is what a client sees: real HTTP with
keep-alive connections, :data:`CLIENTS` of them posting at once, each request
in its own app context and database session, :data:`WORKERS` sync workers.
The figure per worker is the total divided by the workers. The floor is the
same number of bare Core INSERTs committed one by one from this process.
On SQLite the workers queue for the file's write lock (write requests take it
when their transaction begins, :func:`core.db._writing_request`).

gunicorn is started on the first measured run and stopped when the bench
process exits; without gunicorn (not installed) the scenario is "not
available".
"""
from __future__ import annotations

import atexit
import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db

WORKERS = 2
#: Connections posting at the same time: enough to keep both workers busy.
CLIENTS = 4
#: Records one measured run creates (split over the clients).
PER_RUN = 40
_STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server:
    """One gunicorn serving the bench database, started on demand."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.port = None
        self.process = None
        self._worker_entries: list[Path] | None = None

    def start(self) -> None:
        if self.process is not None:
            return
        self.port = _free_port()
        env = {**os.environ, "FLOWCASE_DATABASE_URL": self.database_url}
        root = Path(__file__).resolve().parent.parent.parent
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "wsgi:app"],
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + _STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read().decode(errors='replace')[-500:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/api/v1/openapi.json")
                if connection.getresponse().status == 200:
                    connection.close()
                    self._wait_for_idle_workers(deadline)
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer in time")

    def _wait_for_idle_workers(self, deadline: float) -> None:
        """Wait until every worker has loaded the app: their CPU time stops growing (none off Linux).

        One worker answering does not mean the other has booted; its loading would
        be counted in the first runs' CPU per record.
        """
        if not Path("/proc").is_dir():
            return
        previous = None
        while time.monotonic() < deadline:
            self._worker_entries = None
            if len(self._workers()) < WORKERS:
                time.sleep(0.3)
                continue
            spent = self.workers_cpu_seconds()
            if spent == previous:
                return
            previous = spent
            time.sleep(0.3)

    def _workers(self) -> list[tuple[Path, dict]]:
        """``/proc`` entries and status fields of the gunicorn workers (children of the master); none off Linux."""
        if self.process is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:  # gone meanwhile, or not ours to read
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(self.process.pid):
                found.append((entry, fields))
        return found

    def workers_peak_rss_mb(self) -> float | None:
        """The largest peak resident memory (VmHWM) among the workers so far, in MB; None off Linux."""
        peaks = [int(fields["VmHWM"].split()[0]) / 1024 for _, fields in self._workers() if "VmHWM" in fields]
        return round(max(peaks), 1) if peaks else None

    def workers_cpu_seconds(self) -> float:
        """CPU time (user + system) the workers have used so far; 0 off Linux.

        The workers are looked up once (a scan of ``/proc`` inside the measured runs would be
        timed with them); one that exited since is looked up again.
        """
        if self._worker_entries is None:
            self._worker_entries = [entry for entry, _ in self._workers()]
        total = 0
        for entry in self._worker_entries:
            try:
                # Fields 14 and 15 of /proc/<pid>/stat, counted after the parenthesised command name.
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                self._worker_entries = None
                continue
            total += int(stat[11]) + int(stat[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def server_scenario(ctx, Scenario, headers: dict, contact_table):
    """The scenario (``Scenario`` and the bench key's ``headers`` come from :mod:`core.bench.rest_scenarios`)."""
    name = "rest_create_server"
    title = f"REST create of contacts over HTTP, gunicorn {WORKERS} workers, {CLIENTS} clients (records/s, total)"
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return Scenario(name, title, unavailable="gunicorn is not installed")
    server = _Server(db.engine.url.render_as_string(hide_password=False))
    counter = itertools.count(int(time.time()) % 1_000_000 * 1000)
    connections: dict[int, http.client.HTTPConnection] = {}

    def post_some(slot: int, count: int) -> None:
        connection = connections.get(slot)
        if connection is None:
            connection = connections[slot] = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        for _ in range(count):
            n = next(counter)
            body = json.dumps({"first_name": "Server", "last_name": f"Contact {n}", "email": f"server{n}@example.com",
                               "phone": f"+7 901 {n % 1000:03d}-{n % 100:02d}-00"})
            connection.request("POST", "/api/v1/contact", body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            if response.status != 201:
                raise RuntimeError(f"POST /api/v1/contact answered {response.status}: {data[:200]!r}")

    pool = ThreadPoolExecutor(CLIENTS)

    extra = {"url": "/api/v1/contact", "records_per_run": PER_RUN, "workers": WORKERS, "clients": CLIENTS}
    #: Workers' CPU ms per record of each run, warm-up runs included (the first requests of a worker fill
    #: its caches: templates, compiled statements, the configuration).
    per_run: list[float] = []

    def run(_=None):
        server.start()
        share = PER_RUN // CLIENTS
        cpu = server.workers_cpu_seconds()
        list(pool.map(post_some, range(CLIENTS), [share] * CLIENTS))
        per_run.append((server.workers_cpu_seconds() - cpu) * 1000 / (share * CLIENTS))
        # What one create costs a worker in CPU, whoever else shares the cores (clients, database):
        # 1000 / this is the records/s one worker would do with a core of its own. The median run, as
        # every timing here (the warm-up's cache filling is not a create's cost); the mean over all
        # runs, warm-up included, beside it. The clock ticks 100 times a second, so a single run's
        # figure is rounded to 10 ms over PER_RUN records; the median of several evens that out.
        extra["worker_cpu_ms_per_record"] = round(statistics.median(per_run), 2)
        extra["worker_cpu_ms_per_record_all_runs"] = round(sum(per_run) / len(per_run), 2)

    def sample_memory():
        # A web worker's own peak memory (the bench process's peak also holds the import and its floor),
        # read before each call outside the clock (a scan of /proc); the floor's calls follow the measured runs.
        peak = server.workers_peak_rss_mb()
        if peak is not None:
            extra["worker_peak_rss_mb"] = peak

    def floor(_=None):
        for _ in range(PER_RUN):
            n = next(counter)
            with db.engine.begin() as conn:
                conn.execute(sa.insert(contact_table).values(
                    first_name="Floor", last_name=f"Contact {n}", name=f"Floor Contact {n}", version=1, custom={},
                    created_at=utcnow(), updated_at=utcnow()))

    return Scenario(name, title, run=run, floor=floor, extra=extra, prepare=sample_memory)
