"""An import's duplicate lookup: one indexed probe per key on PostgreSQL whatever its statistics, and no
per-row lookup again for rows created although they match (``flag``)."""
import pytest
import sqlalchemy as sa

from core.dataio import import_run
from core.dataio.imports import import_file
from core.dedup import lookup
from core.extensions import db
from core.models.dedup import DedupKey, DedupRule
from tests.test_import_batch import counting, rule, workbook

pytestmark = pytest.mark.addons("crm")


@pytest.mark.parametrize("analyzed", ["empty", "other sections only"])
def test_the_lookup_probes_the_index_by_key_even_when_statistics_say_the_table_is_empty(app_ctx, analyzed):
    """Stale statistics: analyzed empty, or holding another section's keys only (the section then looks empty)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan; SQLite uses the index for the IN list by itself")
    rule([{"path": "mobile", "normalize": "phone"}])
    rule_id = db.session.scalar(sa.select(DedupRule.id))
    if analyzed == "other sections only":
        db.session.execute(sa.insert(DedupKey), [{"section": "account", "rule_id": rule_id, "key": f"a{i}",
                                                  "record_id": i + 1} for i in range(30_000)])
    db.session.execute(sa.text("ANALYZE core_dedup_key"))  # the planner now expects no contact keys there
    db.session.execute(sa.insert(DedupKey), [{"section": "contact", "rule_id": rule_id, "key": f"+7912{i:07d}",
                                              "record_id": i + 1} for i in range(30_000)])
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        keys, found = lookup.find_candidates_many(records, records.section("contact"),
                                                  [{"mobile": "+7 912 000-00-03"}, {"mobile": "+7 999 000-00-00"}])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert [[c.record_ids for c in row] for row in found] == [[[4]], []]
    assert keys[0] == {rule_id: "+79120000003"}
    [(statement, parameters)] = [(s, p) for s, p in statements if "core_dedup_key" in s]
    plan = "\n".join(row[0] for row in db.session.connection().exec_driver_sql(f"EXPLAIN {statement}", parameters))
    probes = [line for line in plan.splitlines() if "Index Cond" in line and "key)::text = " in line]
    assert probes and "Filter" not in plan, plan


def test_flagged_rows_cost_no_statement_per_row(app_ctx, tmp_path, monkeypatch):
    rule([{"path": "mobile", "normalize": "phone"}])
    rule([{"path": "email", "normalize": "email"}], name="email")
    records = app_ctx.extensions["flowcase"].records(sudo=True)

    def statements(size: int, tag: int) -> int:
        monkeypatch.setattr(import_run, "BATCH", size)
        rows = [[f"Л{i}", "И", f"+79{tag}{i:07d}", f"l{i}@{tag}.test"] for i in range(size)]
        import_file(records, records.section("contact"), workbook(tmp_path, rows, name=f"{tag}-first.xlsx"))
        again = workbook(tmp_path, [[f"Copy{i}", *row[1:]] for i, row in enumerate(rows)], name=f"{tag}.xlsx")
        with counting() as seen:
            run = import_file(records, records.section("contact"), again, on_duplicate="flag")
        assert (run.created, run.flagged) == (0, size), run.errors
        return len(seen)

    statements(3, 30)  # the first import in a process reads rules and definitions it then keeps
    small, large = statements(5, 10), statements(60, 20)
    assert large == small, "flagging 60 rows must cost the statements of flagging 5"


def test_a_block_rule_still_refuses_a_row_the_run_would_flag(app_ctx, tmp_path):
    rule([{"path": "email", "normalize": "email"}], name="mail")
    rule([{"path": "mobile", "normalize": "phone"}], action="block", name="phone")
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    records.create("contact", {"last_name": "Был", "mobile": "+7 912 111-22-33", "email": "was@x.test"})
    path = workbook(tmp_path, [["Новый", "И", "8 912 111 22 33", ""], ["Почта", "И", "", "WAS@x.test"]])
    run = import_file(records, records.section("contact"), path, on_duplicate="flag")
    assert (run.created, run.flagged, run.failed) == (0, 1, 1), run.errors
    refused = next(e for e in run.errors if e["level"] == "error")
    assert refused["row"] == 2 and "phone" in refused["message"]


def test_machine_keys_compare_byte_by_byte_and_are_still_found(app_ctx):
    """On PostgreSQL the keys an import writes per row (duplicate keys, change log, retry guard) are ``COLLATE "C"``."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite compares bytes already")
    collations = dict(db.session.execute(sa.text(
        "SELECT table_name || '.' || column_name, collation_name FROM information_schema.columns "
        "WHERE table_name IN ('core_dedup_key', 'core_change_log', 'core_import_row') "
        "AND column_name IN ('section', 'key', 'file_hash')")).all())
    assert collations == {"core_dedup_key.section": "C", "core_dedup_key.key": "C", "core_change_log.section": "C",
                          "core_import_row.section": "C", "core_import_row.file_hash": "C"}
    rule([{"path": "email", "normalize": "email"}])
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    first = records.create("contact", {"last_name": "Ёлкин", "email": "Ёлкин@Пример.рф"})
    keys, found = lookup.find_candidates_many(records, records.section("contact"), [{"email": " ёлкин@пример.рф"}])
    assert found[0] and found[0][0].record_ids == [first.id]
