"""Building, or reusing, the generated dataset a benchmark runs on."""
from __future__ import annotations

import sqlalchemy as sa

from core.addons.manager import AddonManager
from core.addons.migrations import upgrade_branch
from core.demo_users import ensure_demo_users
from core.extensions import db

#: Add-ons whose generators fill the benchmark database.
BENCH_ADDONS = ["crm", "sales"]


def ensure_dataset(app, scale: int, echo=print) -> dict:
    """Install the bench add-ons and generate ``scale`` accounts' worth of data unless it is there.

    Returns row counts of the main tables. A database generated at another
    scale is reused as it is (regenerate by pointing ``--database`` elsewhere).
    """
    state = app.extensions["flowcase"]
    manager = AddonManager(state)
    manager.init_core()
    available = [name for name in BENCH_ADDONS if name in state.manifests]
    manager.install(available)
    # A reused database gets the add-ons' newer migrations (new indexes above all): figures
    # measured without them would be of an old schema, not of the code.
    for name in available:
        upgrade_branch(db.session.connection(), state.manifests, name)
    db.session.commit()
    ensure_demo_users()
    counts = table_counts()
    if counts.get("crm_account", 0) == 0 and scale > 0:
        echo(f"generating {scale:,} accounts with proportional contacts and activities ...")
        records = state.records(sudo=True)
        with records.transaction():
            state.call_ordered("flowcase_demo_generate", records=records, scale=scale)
        analyze()
        counts = table_counts()
    return counts


def table_counts() -> dict:
    inspector = sa.inspect(db.engine)
    counts = {}
    for table in ("crm_account", "crm_contact", "crm_activity", "sales_lead", "sales_opportunity"):
        if inspector.has_table(table):
            counts[table] = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
    return counts


def analyze() -> None:
    """Planner statistics (and, on PostgreSQL, the visibility map) for freshly loaded tables.

    Without them PostgreSQL guesses a handful of rows per index and its
    index-only scans still visit the heap, so the list page's capped count
    read 10,000 heap rows; measurements after a bulk load would be of the
    missing VACUUM, not of the code.
    """
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
