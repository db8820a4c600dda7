"""The benchmark scenarios. Each measures a real door and its floor in the same run.

A scenario whose feature does not exist yet reports why it is "not available",
so the command is useful before every feature lands.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient
from jinja2 import Environment

from core.extensions import db
from core.request_session import end_request_session, read_connection

_FLOOR_TABLE = Environment(autoescape=True).from_string(
    "<table>{% for row in rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>"
)


@dataclass
class Scenario:
    """One measured thing: ``run`` exercises the product, ``floor`` the least work that answers it."""

    name: str
    title: str
    run: Callable[[], object] | None = None
    floor: Callable[[], object] | None = None
    unavailable: str = ""
    extra: dict = field(default_factory=dict)
    #: Pages only: the same rows rendered through the same layout template with plain loops.
    #: The bare ``floor`` has no layout, menus, session nor login, so a whole page can never
    #: come near it; this second floor shows what the page machinery itself costs.
    page_floor: Callable[[], object] | None = None
    #: Runs at most this many times whatever ``--repeat`` says (a 100,000-row import takes seconds).
    max_repeat: int | None = None
    #: Runs before each ``run`` and each ``floor`` call, off the clock; its result is their argument.
    prepare: Callable[[], object] | None = None
    #: Runs after each ``run`` and each ``floor`` call, off the clock, with the same argument: takes away
    #: what the call wrote, so that repeated runs (and bench invocations) measure the same database.
    cleanup: Callable[[object], None] | None = None


class _RequestScopedClient(FlaskClient):
    """A test client whose every request ends its database session, as a served request does.

    The bench runs inside one app context, which the client's requests reuse:
    without this, one session and transaction would last the whole run, and
    what a real request pays once per transaction (the configuration
    generation, a fresh connection checkout) would be paid once per run.
    """

    def open(self, *args, **kwargs):
        error = None
        try:
            return super().open(*args, **kwargs)
        except BaseException as exc:
            error = exc
            raise
        finally:
            end_request_session(error)


class BenchContext:
    """What scenarios share: the app, a logged-in test client, and ids to ask for."""

    def __init__(self, app, login: str = "manager"):
        self.app = app
        self.state = app.extensions["flowcase"]
        self.client = _RequestScopedClient(app, app.response_class, use_cookies=True)
        response = self.client.post("/login", data={"login": login, "password": login})
        if response.status_code != 302:
            raise RuntimeError(f"bench user '{login}' could not log in (status {response.status_code})")
        from core.models import User

        self.user = db.session.scalars(sa.select(User).where(User.login == login)).one()
        # Detached with what it loaded: a scenario's set-up that commits (an API key) would expire it, and
        # the session it would reload through ends with every request.
        db.session.expunge(self.user)

    def has_route(self, rule_prefix: str) -> bool:
        return any(str(rule).startswith(rule_prefix) for rule in self.app.url_map.iter_rules())

    def get(self, url: str) -> bytes:
        response = self.client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response.data


_PAGE_FLOOR = (
    '{% extends "layout/base.html" %}{% block content %}<table>'
    "{% for row in rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}"
    "</table>{% endblock %}"
)


def page_floor(ctx: "BenchContext", query: Callable[[], list]) -> Callable[[], str]:
    """A floor for a page: ``query()``'s rows through ``layout/base.html`` (menus and all), as the bench user.

    No section machinery, rights, lookups nor formatting: what is left is the
    least a full page of these rows costs in this app.
    """
    from flask import render_template_string
    from flask_login import login_user

    def run() -> str:
        with ctx.app.test_request_context("/"):
            login_user(ctx.user)
            return render_template_string(_PAGE_FLOOR, rows=query())

    return run


def _table(name: str) -> sa.Table | None:
    return sa.Table(name, sa.MetaData(), autoload_with=db.engine) if sa.inspect(db.engine).has_table(name) else None


def activity_list(ctx: BenchContext, page: int) -> Scenario:
    name, title = f"list_activities_p{page}", f"Activities list page {page}: owner + open, sorted by due date"
    activity = _table("crm_activity")
    if activity is None or "activity" not in ctx.state.sections or not ctx.has_route("/<section_name>/"):
        return Scenario(name, title, unavailable="needs the crm add-on and the section list pages")
    owner = db.session.scalar(sa.select(activity.c.owner_id).where(activity.c.owner_id.is_not(None)).limit(1))
    url = f"/activity/?f.owner_id={owner}&f.status=open&sort=due_date&page={page}"
    columns = [activity.c[c] for c in ("id", "subject", "status", "due_date", "owner_id")]

    def rows():
        with read_connection(db.engine) as conn:
            return conn.execute(
                sa.select(*columns).where(activity.c.owner_id == owner, activity.c.status == "open")
                .order_by(activity.c.due_date, activity.c.id).limit(50).offset((page - 1) * 50)
            ).all()

    def floor():
        return _FLOOR_TABLE.render(rows=rows())

    return Scenario(name, title, run=lambda: ctx.get(url), floor=floor, extra={"url": url},
                    page_floor=page_floor(ctx, rows))


def account_card(ctx: BenchContext) -> Scenario:
    name, title = "card_account", "Account card with contacts and activities"
    account, contact, activity = _table("crm_account"), _table("crm_contact"), _table("crm_activity")
    if account is None or "account" not in ctx.state.sections or not ctx.has_route("/<section_name>/"):
        return Scenario(name, title, unavailable="needs the crm add-on and the section cards")
    account_id = db.session.scalar(
        sa.select(activity.c.account_id).where(activity.c.account_id.is_not(None)).order_by(activity.c.id.desc()).limit(1)
    )
    url = f"/account/{account_id}"

    def rows():
        with read_connection(db.engine) as conn:
            row = conn.execute(sa.select(account).where(account.c.id == account_id)).first()
            contacts = conn.execute(sa.select(contact.c.id, contact.c.name).where(contact.c.account_id == account_id).limit(50)).all()
            activities = conn.execute(
                sa.select(activity.c.id, activity.c.subject, activity.c.due_date)
                .where(activity.c.account_id == account_id).order_by(activity.c.due_date.desc()).limit(50)
            ).all()
        return [tuple(row), *contacts, *activities]

    def floor():
        return _FLOOR_TABLE.render(rows=rows())

    return Scenario(name, title, run=lambda: ctx.get(url), floor=floor, extra={"url": url},
                    page_floor=page_floor(ctx, rows))


#: Scenarios whose feature is still to come: ``(name, title, why not)``.
NOT_YET: list[tuple[str, str, str]] = []


def import_xlsx(ctx: BenchContext) -> Scenario:
    """Contacts from a generated .xlsx (``--scale`` rows, at most 100,000) with a phone dedup rule on.

    Each run gets a fresh file (new phones, so neither the retry guard nor the
    rule skips rows), written before the clock starts; the floor reads the same
    kind of file with bare openpyxl and bulk-inserts the rows with one Core INSERT.
    After each, off the clock, the rows it wrote are deleted again: when they
    stayed, every full bench run grew the contacts by 600,000 and the next
    run's import was slower for it (5,073 to 4,331 rows/s over three runs).
    """
    import tempfile
    from pathlib import Path

    from openpyxl import Workbook, load_workbook

    from core.models.dedup import DedupRule

    name, title = "import_xlsx", "Import of a generated .xlsx into contacts with a dedup rule"
    contact = _table("crm_contact")
    if contact is None or "contact" not in ctx.state.sections:
        return Scenario(name, title, unavailable="needs the crm add-on")
    rows = max(1, min(int(db.session.scalar(sa.select(sa.func.count()).select_from(_table("crm_account"))) or 1), 100_000))
    if not db.session.scalar(sa.select(DedupRule.id).where(DedupRule.section == "contact", DedupRule.name == "bench mobile")):
        db.session.add(DedupRule(section="contact", name="bench mobile", fields=[{"path": "mobile", "normalize": "phone"}],
                                 action="warn", active=True))
        db.session.commit()
    folder = Path(tempfile.mkdtemp(prefix="flowcase-bench-"))

    # What an import writes besides the contacts: their change log, duplicate keys and the file's
    # row marks (which would make the same phones, written again after a delete, a skipped retry).
    written = [table for table in (contact, *map(_table, ("core_change_log", "core_dedup_key", "core_import_row",
                                                          "core_import_run"))) if table is not None]

    def make_file() -> "_ImportFile":
        # Phones no contact of this database has: the number follows the highest contact id. Each run's
        # rows are deleted again (``delete_written``), so the same number comes back with no rows left
        # to match; should a cleanup be missed, the id has grown by ``rows`` and the number moves on.
        # (A counter restarting with each invocation gave phones still stored, and every row took the
        # duplicate-flagging path instead of the create the scenario measures.)
        number = (int(db.session.scalar(sa.select(sa.func.max(contact.c.id))) or 0) // rows) % 10_000
        marks = {table: db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0 for table in written}
        db.session.remove()
        block, offset = number % 100, (number // 100) * rows
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Contacts")
        sheet.append(["Фамилия", "Имя", "Мобильный телефон", "Email"])
        for i in range(rows):
            sheet.append([f"Bench{number}", f"N{i}", f"+7 9{block:02d} {(offset + i) % 10_000_000:07d}",
                          f"b{number}.{i}@example.com"])
        path = folder / f"bench-{number}.xlsx"
        book.save(path)
        _checkpoint()
        return _ImportFile(path, marks)

    def delete_written(file: "_ImportFile") -> None:
        # Dependents first: the change log, the keys and the row marks name the contacts.
        with db.engine.begin() as conn:
            for table in reversed(written):
                conn.execute(sa.delete(table).where(table.c.id > file.marks[table]))
        file.path.unlink(missing_ok=True)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does in production (the bench server runs without it): without it the next
            # import probed 100,000 dead duplicate keys and read statistics of tables it had emptied.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in written:
                    conn.exec_driver_sql(f"VACUUM (ANALYZE) {table.name}")

    def run(file: "_ImportFile"):
        from core.dataio.imports import import_file

        # Its own app context, as the import job has: the pages measured next keep their session and user.
        with ctx.app.app_context():
            records = ctx.state.records(sudo=True)
            result = import_file(records, records.section("contact"), file.path, on_duplicate="flag")
            db.session.remove()
        return result

    def floor(file: "_ImportFile"):
        from core.db import utcnow

        now = utcnow()
        book = load_workbook(file.path, read_only=True)
        values = [{"last_name": r[0], "first_name": r[1], "mobile": r[2], "email": r[3], "name": f"{r[1]} {r[0]}",
                   "version": 1, "custom": {}, "created_at": now, "updated_at": now}
                  for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
        book.close()
        with db.engine.begin() as conn:
            conn.execute(sa.insert(contact), values)

    return Scenario(name, title, run=run, floor=floor, extra={"rows": rows, "records_per_run": rows}, max_repeat=3,
                    prepare=make_file, cleanup=delete_written)


@dataclass
class _ImportFile:
    """A generated file to import, and each written table's highest id before it was imported."""

    path: "Path"
    marks: dict


def _checkpoint() -> None:
    """Write what the last run left in the database's log to its files, off the clock.

    The import and its floor take turns, each writing 100,000 rows; without this, a
    run paid for writing back the rows of the run before it (SQLite's WAL checkpoint,
    PostgreSQL's), and which one paid depended on their order.
    """
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        elif conn.dialect.name == "postgresql":
            conn.exec_driver_sql("CHECKPOINT")


def _builders(ctx: BenchContext) -> list[tuple[tuple[str, ...], Callable[[], list[Scenario]]]]:
    """Each scenario builder with the names of the scenarios it gives.

    Building sets a scenario up (an API key, a duplicate rule, forty opportunities
    for the stage change), so ``--only`` builds just the builders it names.
    """
    from core.bench.dashboard_scenario import dashboard_scenario, dashboard_uncached_scenario
    from core.bench.odata_scenarios import odata_filter_count
    from core.bench.print_scenario import print_scenario
    from core.bench.rest_scenarios import rest_scenarios
    from core.bench.search_scenario import search_scenario
    from core.bench.stage_change_scenario import stage_change_scenario

    return [
        (("list_activities_p1",), lambda: [activity_list(ctx, 1)]),
        (("list_activities_p200",), lambda: [activity_list(ctx, 200)]),
        (("card_account",), lambda: [account_card(ctx)]),
        (("import_xlsx",), lambda: [import_xlsx(ctx)]),
        (("rest_list", "rest_get", "rest_create", "rest_create_server"), lambda: rest_scenarios(ctx)),
        (("dashboard",), lambda: [dashboard_scenario(ctx, Scenario, _table)]),
        (("dashboard_uncached",), lambda: [dashboard_uncached_scenario(ctx, Scenario, _table)]),
        (("odata_filter_count",), lambda: [odata_filter_count(ctx)]),
        (("stage_change",), lambda: [stage_change_scenario(ctx, Scenario, _table)]),
        (("print_form",), lambda: [print_scenario(ctx, Scenario, _table)]),
        (("global_search",), lambda: [search_scenario(ctx, Scenario, _table, _FLOOR_TABLE)]),
        *(((name,), lambda name=name, title=title, why=why: [Scenario(name, title, unavailable=why)])
          for name, title, why in NOT_YET),
    ]


def scenario_names(ctx: BenchContext) -> list[str]:
    """Every scenario's name, in the order the bench measures them, without setting any up."""
    return [name for names, _build in _builders(ctx) for name in names]


def all_scenarios(ctx: BenchContext, wanted: set | None = None) -> list[Scenario]:
    """The scenarios named in ``wanted`` (every one when None), each set up and ready to measure."""
    scenarios = []
    for names, build in _builders(ctx):
        if wanted is None or wanted.intersection(names):
            scenarios += [scenario for scenario in build() if wanted is None or scenario.name in wanted]
    return scenarios
