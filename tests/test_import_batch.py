"""The batch path of the records service (``Records.batch``) and the chunked import built on it.

A batch must write what one-by-one creates write (records, change log, dedup
keys), keep duplicate rules working between rows not written yet, cost a bad
row only itself, and an import must stay retry-safe with a number of
statements per chunk that does not grow with the chunk.
"""
import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from core.dataio import import_run
from core.dataio.imports import import_file
from core.dedup.check import DuplicateError
from core.extensions import db
from core.models import ChangeLog
from core.models.dedup import DedupKey, DedupRule
from core.plugins import hookimpl
from core.testing import counting_statements as counting
from core.users import create_user

pytestmark = pytest.mark.addons("crm")


def rule(fields, action="warn", name="rule"):
    db.session.add(DedupRule(section="contact", name=name, fields=fields, action=action, active=True))
    db.session.commit()


def people(tag, n=5):
    return [{"last_name": f"Иванов{i}", "first_name": "Пётр", "mobile": f"+7 912 00{i}-00-0{i}",
             "email": f"p{i}@{tag}.test", "job_title": "Инженер"} for i in range(n)]


def snapshot(records, ids, tag):
    """Records, change-log rows and dedup keys of ``ids`` with the per-run parts (ids, stamps, e-mail) blanked."""
    model = records.section("contact").model
    skip = {"id", "created_at", "updated_at"}
    rows = []
    for record_id in ids:
        record = db.session.get(model, record_id)
        data = {c.key: getattr(record, c.key) for c in model.__table__.columns if c.key not in skip}
        log = [(e.operation, e.field, e.old_value, e.new_value, e.user_id) for e in db.session.scalars(
            sa.select(ChangeLog).where(ChangeLog.section == "contact", ChangeLog.record_id == record_id)
            .order_by(ChangeLog.id))]
        keys = sorted((k.rule_id, k.key) for k in db.session.scalars(
            sa.select(DedupKey).where(DedupKey.section == "contact", DedupKey.record_id == record_id)))
        rows.append(str((data, log, keys)).replace(tag, "TAG"))
    return rows


def test_a_batch_writes_the_same_records_change_log_and_dedup_keys_as_one_by_one_creates(app_ctx):
    user = create_user("writer", "pw", superuser=True)
    rule([{"path": "email", "normalize": "email"}])
    records = app_ctx.extensions["flowcase"].records(user)
    single = [records.create("contact", values).id for values in people("alpha")]
    written = []
    with records.transaction(), records.batch(size=3) as batch:
        for values in people("omega"):
            batch.create("contact", values, on_written=lambda record: written.append(record.id))
    assert len(written) == 5 and all(written)
    assert snapshot(records, single, "alpha") == snapshot(records, written, "omega")


def test_a_duplicate_of_a_row_not_written_yet_is_still_caught(app_ctx):
    rule([{"path": "mobile", "normalize": "phone"}], action="block")
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    written = []
    with records.transaction(), records.batch() as batch:
        batch.create("contact", {"last_name": "Первый", "mobile": "+7 912 345-67-89"},
                     on_written=lambda record: written.append(record.id))
        with pytest.raises(DuplicateError) as refused:
            batch.create("contact", {"last_name": "Второй", "mobile": "8 (912) 345 67 89"})
    assert written and refused.value.candidates[0].record_id == written[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("crm_contact"))) == 1


class Boom:
    """An add-on hook that fails after the INSERT for one record: the chunk must fall back to row by row.

    It also queues an after-commit job per record: the undone chunk's jobs must not run.
    """

    def __init__(self):
        self.jobs = []

    @hookimpl
    def flowcase_record_after_create(self, event):
        if event.section.name != "contact":
            return
        if getattr(event.record, "last_name", None) == "Сбой":
            raise RuntimeError("hook failed")
        event.after_commit(lambda name: self.jobs.append(name), name=event.record.last_name)


def workbook(tmp_path, rows, name="people.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(["Фамилия", "Имя", "Мобильный телефон", "Email"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def contacts():
    return db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("crm_contact")))


def creates():
    return db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLog)
                             .where(ChangeLog.section == "contact", ChangeLog.operation == "create"))


def test_a_row_failing_inside_a_chunk_is_reported_and_the_others_are_written(app_ctx, tmp_path):
    rule([{"path": "mobile", "normalize": "phone"}])
    state = app_ctx.extensions["flowcase"]
    boom = Boom()
    state.pm.register(boom, name="boom")
    try:
        path = workbook(tmp_path, [["Один", "А", "+79120000001", ""], ["Сбой", "Б", "+79120000002", ""],
                                   ["Три", "В", "+79120000003", ""], ["Один", "А", "+7 912 000-00-01", ""]])
        records = state.records(sudo=True)
        run = import_file(records, records.section("contact"), path, on_duplicate="flag")
    finally:
        state.pm.unregister(name="boom")
    assert (run.status, run.created, run.flagged, run.failed) == ("done", 2, 1, 1), run.errors
    assert [e["row"] for e in run.errors if e["level"] == "error"] == [3]
    assert "hook failed" in next(e["message"] for e in run.errors if e["level"] == "error")
    flagged = next(e for e in run.errors if e["level"] == "flagged")
    first = db.session.scalar(sa.text("select id from crm_contact where last_name = 'Один' order by id limit 1"))
    assert flagged["row"] == 5 and f"#{first}" in flagged["message"]
    assert contacts() == 3 and creates() == 3
    assert db.session.scalar(sa.text("select count(*) from crm_contact where last_name = 'Сбой'")) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DedupKey)) == 3
    assert sorted(boom.jobs) == ["Один", "Один", "Три"], "each written row's job runs once, the undone chunk's never"


def test_in_file_duplicates_across_and_within_chunks_are_skipped(app_ctx, tmp_path, monkeypatch):
    rule([{"path": "mobile", "normalize": "phone"}])
    monkeypatch.setattr(import_run, "BATCH", 3)
    rows = [[f"Л{i}", "И", f"+7912000{i:04d}", ""] for i in range(7)]
    rows += [["Повтор", "И", "8 912 000 0001", ""], ["Повтор", "И", "+7 912 000-00-06", ""]]
    path = workbook(tmp_path, rows)
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    run = import_file(records, records.section("contact"), path, on_duplicate="skip")
    assert (run.created, run.skipped, run.failed) == (7, 2, 0), run.errors
    assert contacts() == 7


def test_a_retried_import_writes_nothing_new(app_ctx, tmp_path):
    rule([{"path": "mobile", "normalize": "phone"}])
    path = workbook(tmp_path, [[f"Л{i}", "И", f"+7912000{i:04d}", f"l{i}@x.test"] for i in range(12)]
                    + [["", "", "not a phone", ""]])
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    first = import_file(records, records.section("contact"), path, on_duplicate="flag")
    assert (first.created, first.failed) == (12, 1), first.errors
    assert {e["row"] for e in first.errors} == {14}
    before = (contacts(), creates(), db.session.scalar(sa.select(sa.func.count()).select_from(DedupKey)))
    again = import_file(records, records.section("contact"), path, on_duplicate="flag")
    assert (again.created, again.flagged, again.skipped, again.failed) == (0, 0, 12, 1)
    assert (contacts(), creates(), db.session.scalar(sa.select(sa.func.count()).select_from(DedupKey))) == before


def test_statements_per_chunk_do_not_grow_with_the_chunk(app_ctx, tmp_path, monkeypatch):
    rule([{"path": "mobile", "normalize": "phone"}])
    rule([{"path": "email", "normalize": "email"}], name="email")
    records = app_ctx.extensions["flowcase"].records(sudo=True)

    def statements(size: int, tag: int) -> int:
        monkeypatch.setattr(import_run, "BATCH", size)
        path = workbook(tmp_path, [[f"Л{i}", "И", f"+79{tag}{i:07d}", f"l{i}@{tag}.test"] for i in range(size)],
                        name=f"{tag}.xlsx")
        with counting() as seen:
            run = import_file(records, records.section("contact"), path, on_duplicate="flag")
        assert run.created == size, run.errors
        return len(seen)

    statements(3, 30)  # the first import in a process reads rules and definitions it then keeps
    small, large = statements(5, 10), statements(60, 20)
    assert large == small, "a chunk of 60 rows must cost the statements of a chunk of 5"


def test_upsert_updates_a_record_an_earlier_row_of_the_same_chunk_created(app_ctx, tmp_path):
    path = workbook(tmp_path, [["Старый", "И", "", "same@x.test"], ["Новый", "И", "+79120000009", "same@x.test"],
                               ["Другой", "О", "", "other@x.test"]])
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    run = import_file(records, records.section("contact"), path, mode="upsert", key_field="email")
    assert (run.created, run.updated, run.failed) == (2, 1, 0), run.errors
    rows = db.session.execute(sa.text("select last_name, mobile from crm_contact where email = 'same@x.test'")).all()
    assert [tuple(r) for r in rows] == [("Новый", "+79120000009")]
    updates = db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLog).where(
        ChangeLog.section == "contact", ChangeLog.operation == "update", ChangeLog.field == "last_name"))
    assert updates == 1


def test_each_chunk_appends_its_messages_to_the_run_instead_of_writing_the_list_again(app_ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(import_run, "BATCH", 3)
    rows = [[f"Л{i}", "И", "not a phone" if i % 2 else f"+7912300{i:04d}", f"a{i}@x.test"] for i in range(8)]
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    sent = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE core_import_run"):
            sent.append(str(parameters))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        run = import_file(records, records.section("contact"), workbook(tmp_path, rows), on_duplicate="flag")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    assert (run.created, run.failed) == (4, 4), run.errors
    assert [e["row"] for e in run.errors] == [3, 5, 7, 9]
    assert all(e["field"] == "mobile" and e["level"] == "error" for e in run.errors)
    # Each message went to the database with one statement: its chunk's.
    for number in (3, 5, 7, 9):
        assert sum(f'"row": {number},' in text for text in sent) == 1, (number, sent)


def test_ids_are_drawn_from_the_sequence_by_name(app_ctx):
    """PostgreSQL: a chunk's ids come from one ``nextval`` over the sequence's name, looked up once per table
    (``nextval(pg_get_serial_sequence(...))`` evaluated the lookup again for every id drawn)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("ids are drawn from a sequence on PostgreSQL only")
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    with records.transaction(), records.batch(size=10) as batch:
        batch.create("contact", {"last_name": "Первый"})  # the sequence's name is looked up (once per process)
    with counting() as seen:
        written = []
        with records.transaction(), records.batch(size=10) as batch:
            for values in people("seq", n=3):
                batch.create("contact", values, on_written=lambda record: written.append(record.id))
    drawing = [statement for statement in seen if "nextval" in statement]
    assert len(drawing) == 1 and "pg_get_serial_sequence" not in drawing[0]
    assert not any("pg_get_serial_sequence" in statement for statement in seen)
    assert len(written) == 3 and written == sorted(written) and len(set(written)) == 3


def test_an_import_runs_few_young_garbage_collections_and_restores_the_thresholds(app_ctx, tmp_path):
    """Python's default (a young collection every 700 allocations) walked each chunk's live objects again and
    again: about a sixth of an import's CPU. While an import runs the threshold is higher; it comes back after."""
    import gc

    records = app_ctx.extensions["flowcase"].records(sudo=True)
    path = workbook(tmp_path, [[f"Сб{i}", "И", f"+7913{i:07d}", f"gc{i}@x.test"] for i in range(1500)])
    before = gc.get_threshold()
    young = []

    def count(phase, info):
        if phase == "start" and info["generation"] == 0:
            young.append(gc.get_threshold()[0])

    gc.callbacks.append(count)
    try:
        run = import_file(records, records.section("contact"), path)
    finally:
        gc.callbacks.remove(count)
    assert run.created == 1500, run.errors
    assert gc.get_threshold() == before
    # At the default threshold the same import ran about a hundred young collections.
    assert young and max(young) == import_run.YOUNG_COLLECTION_THRESHOLD and len(young) < 40, young


def test_written_records_are_freed_without_waiting_for_the_garbage_collector(app_ctx):
    """Callbacks that refer to their own item (an import's do) must not keep the chunk's records alive:
    they were kept, with their ORM state, until a collection found the cycle, and every commit expired them."""
    import gc
    import weakref

    records = app_ctx.extensions["flowcase"].records(sudo=True)
    alive = []

    def create(batch, values):
        holder = {}

        def written(record):  # refers to its item through ``holder``: the cycle an import's callbacks make
            alive.append(weakref.ref(record) if holder is not None else None)

        holder["item"] = batch.create("contact", values, on_written=written)

    gc.disable()
    try:
        with records.transaction(), records.batch(size=3) as batch:
            for values in people("freed", 5):
                create(batch, values)
            assert len(alive) == 3  # the first chunk is written
            assert [ref() for ref in alive] == [None, None, None]
        assert len(alive) == 5
    finally:
        gc.enable()


def test_on_postgresql_an_import_s_commits_do_not_wait_for_the_disk(app_ctx, tmp_path):
    """Safe for an import: rows a crash loses went with their import rows, so a retry writes them again."""
    state = app_ctx.extensions["flowcase"]
    records = state.records(sudo=True)
    seen = []

    class Probe:
        @hookimpl
        def flowcase_record_after_create(self, event):
            seen.append(event.records.session.execute(sa.text(
                "SELECT current_setting('synchronous_commit')" if db.engine.dialect.name == "postgresql"
                else "SELECT 'not postgresql'")).scalar())

    state.pm.register(Probe(), name="sync-probe")
    try:
        run = import_file(records, records.section("contact"),
                          workbook(tmp_path, [["Диск", "И", "+79140000001", "disk@x.test"]]))
    finally:
        state.pm.unregister(name="sync-probe")
    assert run.created == 1
    assert seen == (["off"] if db.engine.dialect.name == "postgresql" else ["not postgresql"])
    if db.engine.dialect.name == "postgresql":  # only the import's transactions
        assert db.session.execute(sa.text("SELECT current_setting('synchronous_commit')")).scalar() == "on"


def test_a_chunk_written_as_rows_is_persistent_and_seen_like_a_flush(app_ctx):
    """The chunk's rows go in without the unit of work (COPY on PostgreSQL): its records must come out as a
    flush leaves them, caches that watch flushes must learn of the write, and an after-create hook's change
    to a record must still be written."""
    from core.ui import count_cache

    state = app_ctx.extensions["flowcase"]
    records = state.records(sudo=True)
    section = records.section("contact")
    before = count_cache.capped_count(records, section, records.select(section))[0]

    class Retitle:
        @hookimpl
        def flowcase_record_after_create(self, event):
            if event.section.name == "contact":
                event.record.job_title = "Главный инженер"

    state.pm.register(Retitle(), name="retitle")
    made = []
    try:
        with records.transaction(), records.batch(size=3) as batch:
            for values in people("rows", 3):
                batch.create("contact", values, on_written=made.append)
    finally:
        state.pm.unregister(name="retitle")
    assert [sa.inspect(record).persistent for record in made] == [True] * 3
    assert [(record.version, record.custom) for record in made] == [(2, {})] * 3  # created, then the hook's update
    assert all(record.created_at is not None for record in made)
    db.session.expire_all()
    stored = db.session.execute(sa.text("SELECT job_title, version FROM crm_contact WHERE email LIKE '%@rows.test'")).all()
    assert stored == [("Главный инженер", 2)] * 3
    assert count_cache.capped_count(records, section, records.select(section))[0] == before + 3
    with records.transaction(), records.batch(size=3) as batch:  # no hook writes these again: rows alone
        for values in people("rows-again", 2):
            batch.create("contact", values)
    assert count_cache.capped_count(records, section, records.select(section))[0] == before + 5


def test_a_failed_chunk_written_as_rows_leaves_no_record_behind_in_the_session(app_ctx):
    """When a hook fails the chunk, its savepoint is rolled back and the rows are written one by one:
    records of the undone chunk must not stay in the session with ids the one-by-one rows get again."""
    state = app_ctx.extensions["flowcase"]
    records = state.records(sudo=True)

    class FailOnce:
        failed = False

        @hookimpl
        def flowcase_record_after_create(self, event):
            if event.section.name == "contact" and not FailOnce.failed:
                FailOnce.failed = True
                raise RuntimeError("once")

    state.pm.register(FailOnce(), name="fail-once")
    made, failures = [], []
    try:
        with records.transaction(), records.batch(size=3) as batch:
            for values in people("again", 3):
                batch.create("contact", values, on_written=made.append, on_failed=failures.append)
    finally:
        state.pm.unregister(name="fail-once")
    assert failures == [] and len(made) == 3
    assert all(record in db.session for record in made)
    assert len({record.id for record in made}) == 3
    db.session.expire_all()
    assert db.session.scalar(sa.text("SELECT count(*) FROM crm_contact WHERE email LIKE '%@again.test'")) == 3


def test_a_mapper_insert_listener_still_sees_every_record_of_a_chunk(app_ctx):
    """Rows go in without the flush only while nobody listens to the flush's inserts."""
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    model = records.section("contact").model
    heard = []

    def before_insert(mapper, connection, target):
        heard.append(target.last_name)

    sa.event.listen(model, "before_insert", before_insert)
    try:
        with records.transaction(), records.batch(size=3) as batch:
            for values in people("heard", 3):
                batch.create("contact", values)
    finally:
        sa.event.remove(model, "before_insert", before_insert)
    assert heard == ["Иванов0", "Иванов1", "Иванов2"]
