"""Rows a records batch writes in bulk (change log, dedup keys, import rows) are stored as an INSERT stores them;
on PostgreSQL they go through COPY, not one INSERT per row."""
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from core.bulk_insert import insert_rows
from core.extensions import db
from core.models import ChangeLog
from tests.test_import_batch import counting

AWKWARD = ["tab\there", "line\nbreak", "back\\slash", "quote's \"double\"", "\\N", "кириллица", ""]


def rows(tag: str, n: int) -> list[dict]:
    return [{"section": tag, "record_id": i, "operation": "create", "field": AWKWARD[i % len(AWKWARD)],
             "old_value": None, "new_value": {"text": AWKWARD[i % len(AWKWARD)], "n": i, "none": None} if i % 5 else {},
             "user_id": None} for i in range(n)]


def stored(tag: str) -> list:
    return [tuple(r) for r in db.session.execute(
        sa.select(ChangeLog.record_id, ChangeLog.operation, ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value,
                  ChangeLog.user_id, ChangeLog.old_value.is_(None), ChangeLog.at.is_not(None))
        .where(ChangeLog.section == tag).order_by(ChangeLog.record_id))]


def test_bulk_rows_are_stored_as_an_insert_stores_them(app_ctx):
    n = 50
    before = datetime.now(timezone.utc)
    with counting() as seen:
        insert_rows(db.session, ChangeLog.__table__, rows("bulk", n))
    db.session.execute(sa.insert(ChangeLog.__table__), rows("plain", n))
    db.session.commit()
    assert stored("bulk") == stored("plain") and len(stored("bulk")) == n
    at = db.session.scalar(sa.select(sa.func.min(ChangeLog.at)).where(ChangeLog.section == "bulk"))
    assert at.replace(tzinfo=at.tzinfo or timezone.utc) >= before.replace(microsecond=0)
    inserts = [s for s in seen if s.lstrip().upper().startswith("INSERT")]
    if db.engine.dialect.name == "postgresql":
        assert not inserts, "PostgreSQL takes the rows through COPY"
    else:
        assert len(inserts) == 1


def test_given_timestamps_are_stored_as_an_insert_stores_them(app_ctx):
    """The text SQLite keeps (or the value PostgreSQL keeps) for a timestamp is the same either way,
    one timestamp shared by many rows included."""
    shared = datetime(2026, 11, 29, 1, 2, 3, 450000, tzinfo=timezone.utc)
    moments = [shared, shared, datetime(2024, 2, 29, 23, 59, 59, tzinfo=timezone.utc),
               datetime(2020, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc), shared]
    for tag, write in (("bulk-at", lambda r: insert_rows(db.session, ChangeLog.__table__, r)),
                       ("plain-at", lambda r: db.session.execute(sa.insert(ChangeLog.__table__), r))):
        write([dict(row, at=moment) for row, moment in zip(rows(tag, len(moments)), moments)])
    db.session.commit()
    as_stored = sa.cast(ChangeLog.at, sa.String)
    texts = {tag: db.session.scalars(sa.select(as_stored).where(ChangeLog.section == tag).order_by(ChangeLog.record_id)).all()
             for tag in ("bulk-at", "plain-at")}
    assert texts["bulk-at"] == texts["plain-at"] and len(set(texts["bulk-at"])) == 3


@pytest.mark.addons("crm")
def test_a_chunk_of_creates_goes_in_as_one_executemany_or_copy_of_rows_numbered_first(app_ctx):
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    statements, written = [], []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, executemany))

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with records.transaction(), records.batch() as batch:
            for i in range(5):
                batch.create("contact", {"last_name": f"Ряд{i}", "email": f"r{i}@x.test"},
                             on_written=lambda record: written.append((record.id, record.last_name)))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    inserts = [(s, many) for s, many in statements if s.lstrip().startswith("INSERT INTO crm_contact")]
    if db.engine.dialect.name == "postgresql":
        assert not inserts, "PostgreSQL takes the chunk's rows through COPY"
    else:
        assert len(inserts) == 1 and inserts[0][1] and "RETURNING" not in inserts[0][0].upper(), inserts
    ids = [record_id for record_id, _name in written]
    assert ids == sorted(ids) and len(set(ids)) == 5
    stored = dict(db.session.execute(sa.text("select id, last_name from crm_contact")).all())
    assert all(stored[record_id] == name for record_id, name in written)
