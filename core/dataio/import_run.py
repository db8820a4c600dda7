"""Running an import: every row through the records service, in batches, each row in its own savepoint.

- The whole file is checked first (:func:`core.dataio.import_read.check_table`):
  a file with formulas, merged cells, a huge cell or too many rows writes nothing.
- Rows are written in batches of :data:`BATCH` inside one transaction; each row
  runs in a savepoint (``Records.transaction`` nests), so a failing row is
  undone and reported while the others are kept.
- Every written row leaves an :class:`ImportRow` (file hash + row number):
  importing the same file again skips those rows, so a retry never duplicates.
- Duplicate rules apply to new rows with the run's choice: ``skip`` the row,
  ``update`` the record found, or ``flag`` (create it anyway, reported).
"""
from __future__ import annotations

import gc
import hashlib
import json
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import scoped_session

from core.bulk_insert import insert_rows
from core.db import utcnow
from core.dataio.import_mapping import clean_mapping
from core.dataio.import_read import FileProblem, check_table, open_table
from core.dataio.import_values import RowConverter
from core.dedup.check import confirm_duplicates, confirmed_and_checked, duplicates_checked
from core.dedup.keys import Candidate, active_rules
from core.dedup.lookup import find_candidates_many
from core.errors import FlowcaseError, ValidationError
from core.models.dataio import ImportRow, ImportRun, ImportStatus
from core.records_batch import PendingCreate

#: Rows per transaction (one savepoint, one INSERT per table, one duplicate lookup per rule).
BATCH = 1000
#: Per-row messages kept on a run (the counts stay exact beyond it).
MAX_ERRORS = 10_000
MODES = ("insert", "update", "upsert")
#: Per-row notes, translated once per run (see ``Importer._text``).
_SKIPPED = _l("skipped: duplicate of #%(id)s (rule “%(rule)s”)")
_FLAGGED = _l("created, but may duplicate #%(id)s (rule “%(rule)s”)")
ON_DUPLICATE = ("skip", "update", "flag")


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while piece := handle.read(1024 * 1024):
            digest.update(piece)
    return digest.hexdigest()


def upload_folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_file(source: Path, filename: str) -> tuple[Path, str]:
    """Copy an upload under instance/imports/<sha256><ext>; returns (stored path, hash)."""
    digest = file_hash(source)
    suffix = Path(filename).suffix.lower()[:10] or ".bin"
    target = upload_folder() / f"{digest}{suffix}"
    if not target.exists():
        shutil.copyfile(source, target)
    return target, digest


def stored_path(run: ImportRun) -> Path:
    suffix = Path(run.filename).suffix.lower()[:10] or ".bin"
    return upload_folder() / f"{run.file_hash}{suffix}"


@dataclass
class Counters:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    flagged: int = 0
    failed: int = 0
    processed: int = 0
    errors: list = field(default_factory=list)

    def report(self, row: int, path: str, message, level: str = "error") -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "field": path, "message": str(message), "level": level})


def validate_settings(section, mode: str, key_field: str | None, on_duplicate: str, mapping: dict) -> None:
    """Refuse settings that cannot work, before anything is read or written."""
    errors = {}
    if mode not in MODES:
        errors["mode"] = [_l("must be one of: %(choices)s", choices=", ".join(MODES))]
    if on_duplicate not in ON_DUPLICATE:
        errors["on_duplicate"] = [_l("must be one of: %(choices)s", choices=", ".join(ON_DUPLICATE))]
    if mode in ("update", "upsert"):
        if not key_field:
            errors["key_field"] = [_l("choose the field that finds existing records")]
        elif key_field != "id" and (section.field(key_field) is None or section.field(key_field).column is None
                                    or section.field(key_field).extension is not None):
            errors["key_field"] = [_l("“%(field)s” is not a field of this section", field=key_field)]
        elif key_field not in mapping.values():
            errors["key_field"] = [_l("map a column to “%(field)s” first", field=key_field)]
    if not mapping:
        errors[""] = [_l("Map at least one column to a field.")]
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class _Settings:
    """What a run's rows are written with, as plain values (they do not change while it runs)."""

    mode: str
    key_field: str | None
    on_duplicate: str
    file_hash: str
    section: str

    @classmethod
    def of(cls, run: ImportRun) -> "_Settings":
        return cls(run.mode, run.key_field, run.on_duplicate, run.file_hash, run.section)


class Importer:
    """Writes the rows of one :class:`ImportRun` as its user."""

    def __init__(self, records, run: ImportRun, path: Path | None = None, table=None):
        # The request/job's session itself rather than its scoped proxy: the rows ask for it
        # dozens of times each, and every proxy access looks up the app context.
        self.records = records.on_session(_unscoped(records.session))
        self.run = run
        self.section = records.section(run.section)
        self.path = path or stored_path(run)
        #: The run's file, already opened (its header read) by the caller, if it was.
        self.table = table
        self.counters = Counters()
        #: Messages already appended to the run's row by :meth:`_save_progress`.
        self._errors_saved = 0
        self._texts: dict = {}
        #: The run's settings read once: every row asks for them, and each ask was an ORM attribute read.
        self.settings = _Settings.of(run)

    # -- the run ---------------------------------------------------------------
    def execute(self) -> Counters:
        """Check the file, then write it; the run row shows progress after every batch."""
        with _full_collections_skip_the_app(), _fewer_young_collections():
            return self._execute()

    def _execute(self) -> Counters:
        run, session = self.run, self.records.session
        config = current_app.config
        table = self.table
        try:
            table = table or open_table(self.path, run.sheet, keep_open=True)
            mapping = clean_mapping(self.section, table.headers, run.mapping)
            validate_settings(self.section, run.mode, run.key_field, run.on_duplicate, mapping)
            total = check_table(table, config.get("FLOWCASE_IMPORT_MAX_ROWS", 100_000),
                                config.get("FLOWCASE_IMPORT_MAX_CELL", 32_767), keep=True)
        except (FileProblem, ValidationError) as problem:
            self._finish(ImportStatus.FAILED, str(problem))
            return self.counters
        finally:
            if table is not None:
                table.close()  # read by check_table, or never to be
        self._progress(status=ImportStatus.RUNNING, total=total)
        done = set(session.scalars(sa.select(ImportRow.row_number).where(
            ImportRow.file_hash == run.file_hash, ImportRow.section == run.section)))
        converter = RowConverter(self.records, self.section, table.headers, mapping)
        #: ``(rule id, key)`` → id of the record this run wrote with it (or its queued create).
        self._seen: dict = {}
        self._pending_key_values: set = set()
        batch = []
        try:
            for number, values in table.rows():
                batch.append((number, values))
                if len(batch) >= BATCH:
                    self._write_batch(batch, converter, done)
                    batch = []
            if batch:
                self._write_batch(batch, converter, done)
        except FileProblem as problem:  # the file changed under us: keep what was written, say so
            self._finish(ImportStatus.FAILED, str(problem))
            return self.counters
        self._finish(ImportStatus.DONE, None)
        return self.counters

    def _write_batch(self, batch, converter, done) -> None:
        """One chunk: converted, looked up for duplicates in one query per rule, written by a records batch."""
        counters, records = self.counters, self.records
        ready = []
        for number, values in batch:
            counters.processed += 1
            if number in done:
                counters.skipped += 1
                continue
            data, history, errors = converter.convert(values)
            if errors:
                counters.failed += 1
                for path, message in errors.items():
                    counters.report(number, path, message)
                continue
            ready.append((number, data, history, data.pop("id", None)))
        self._written = []
        with records.transaction():
            _commit_without_waiting_for_the_disk(records.session)
            if self.settings.mode == "update":
                keys, found = [{} for _ in ready], [[] for _ in ready]
            else:
                keys, found = find_candidates_many(records, self.section, [data for _n, data, _h, _i in ready])
            with records.batch(size=len(ready) + 1) as writer:
                for (number, data, history, record_id), row_keys, row_found in zip(ready, keys, found):
                    try:
                        self._write_row(writer, number, data, history, record_id, row_keys, row_found)
                    except Exception as error:  # noqa: BLE001 - reported for this row; the others go on
                        self._failed(number, error)
            if self._written:
                insert_rows(records.session, ImportRow.__table__, self._written)
            self._save_progress()

    def _text(self, message) -> str:
        """``message`` translated, once per run: formatting it per row is what ``gettext(message, **values)`` does."""
        text = self._texts.get(id(message))
        if text is None:
            text = self._texts[id(message)] = str(message)
        return text

    def _failed(self, number: int, error: Exception) -> None:
        counters = self.counters
        counters.failed += 1
        if isinstance(error, FlowcaseError):
            for path, messages in getattr(error, "errors", {"": [str(error)]}).items():
                for message in messages:
                    counters.report(number, path, message)
        else:  # a hook's bug must not stop the other rows; it is reported
            counters.report(number, "", _l("unexpected error: %(error)s", error=repr(error)[:300]))

    def _written_row(self, number: int, record_id: int, outcome: str, keys: dict) -> None:
        counters = self.counters
        setattr(counters, outcome, getattr(counters, outcome) + 1)
        self._written.append({"file_hash": self.settings.file_hash, "section": self.settings.section,
                              "row_number": number, "record_id": record_id})
        for rule_key in keys.items():
            if not isinstance(self._seen.get(rule_key), int):  # the first record written with it stays
                self._seen[rule_key] = record_id

    def _write_row(self, writer, number, data, history, record_id, keys, found) -> None:
        """Write one converted row: update it, skip it, or queue its create in ``writer``."""
        records, section, run = self.records, self.section, self.settings
        if run.mode in ("update", "upsert"):
            key_value = record_id if run.key_field == "id" else data.get(run.key_field)
            if run.mode == "upsert" and key_value in self._pending_key_values:
                writer.flush()  # an earlier row of this chunk creates it: write it, so it is found and updated
            existing = self._find_by_key(key_value)
            if existing is not None:
                with records.transaction():
                    records.update(section, existing, data)
                self._written_row(number, existing, "updated", keys)
                return
            if run.mode == "update":
                raise ValidationError({run.key_field: [_l("no record with this value to update")]})
        found = self._with_this_run(writer, keys, found)
        if found:
            first, rule = found[0].record_ids[0], found[0].rule.name
            if run.on_duplicate == "skip":
                self.counters.report(number, "", self._text(_SKIPPED) % {"id": first, "rule": rule}, level="skipped")
                self.counters.skipped += 1
                return
            if run.on_duplicate == "update":
                with records.transaction(), confirm_duplicates(records):
                    records.update(section, first, data)
                self._written_row(number, first, "updated", keys)
                return
            if any(candidate.rule.action == "block" for candidate in found):
                context = partial(confirm_duplicates, records)  # the check on save refuses it, with its message
            else:  # only warn rules matched, which the check on save would find again and let through
                context = partial(confirmed_and_checked, records)
            outcome = "flagged"
            note = self._text(_FLAGGED) % {"id": first, "rule": rule}
        else:  # the lookup found nothing: not again on save
            context, outcome, note = partial(duplicates_checked, records), "created", None
        key_value = data.get(run.key_field) if run.mode == "upsert" and run.key_field != "id" else None
        # Partials of methods, not closures: a closure made every local it shares a cell, on every row.
        with context():
            item = writer.create(section, data, stamps=history, context=context, token=number,
                                 on_written=partial(self._queued_written, number, keys, outcome, note, key_value),
                                 on_failed=partial(self._queued_failed, number, keys, key_value))
        if key_value is not None and item.record_id is None:
            self._pending_key_values.add(key_value)
        if item.record_id is None:
            for rule_key in keys.items():
                self._seen.setdefault(rule_key, item)

    def _queued_written(self, number: int, keys: dict, outcome: str, note, key_value, record) -> None:
        """The queued create of row ``number`` is in the database: counted, noted, its keys remembered."""
        self._pending_key_values.discard(key_value)
        if note is not None:
            self.counters.report(number, "", note, level="flagged")
        self._written_row(number, record.id, outcome, keys)

    def _queued_failed(self, number: int, keys: dict, key_value, error: Exception) -> None:
        """The queued create of row ``number`` failed when its chunk was written: reported, its keys forgotten."""
        self._pending_key_values.discard(key_value)
        for rule_key in keys.items():
            other = self._seen.get(rule_key)
            if isinstance(other, PendingCreate) and other.token == number:
                del self._seen[rule_key]
        self._failed(number, error)

    def _with_this_run(self, writer, keys: dict, found: list) -> list:
        """``found`` (stored candidates) plus rows this run wrote, or queued, with the same keys (rule order kept)."""
        extra = {}
        for rule_key in keys.items():
            other = self._seen.get(rule_key)
            if isinstance(other, PendingCreate):
                writer.flush()  # its id is needed (the report names it, an update writes it)
                other = self._seen.get(rule_key)
            if isinstance(other, int):
                extra[rule_key[0]] = other
        if not extra:
            return found
        by_rule = {candidate.rule.id: candidate for candidate in found}
        result = []
        for rule in active_rules(self.records.session, self.section.name):
            ids = set(by_rule[rule.id].record_ids) if rule.id in by_rule else set()
            if rule.id in extra:
                ids.add(extra[rule.id])
            if ids:
                result.append(Candidate(rule, sorted(ids)))
        return result

    def _find_by_key(self, value) -> int | None:
        if value in (None, ""):
            raise ValidationError({self.settings.key_field: [_l("is empty; it is the key that finds the record")]})
        column = self.section.table.c[self.settings.key_field]
        ids = list(self.records.session.scalars(
            self.records.select(self.section, "update").with_only_columns(self.section.table.c.id)
            .where(column == value).limit(2)))
        if len(ids) > 1:
            raise ValidationError({self.settings.key_field: [_l("matches several records")]})
        return ids[0] if ids else None

    # -- progress ----------------------------------------------------------------
    def _values(self) -> dict:
        c = self.counters
        return dict(processed=c.processed, created=c.created, updated=c.updated, skipped=c.skipped,
                    flagged=c.flagged, failed=c.failed, errors=c.errors)

    def _save_progress(self, **extra) -> None:
        """The counts, and the new messages appended to the run's list (not the whole list written again)."""
        values = self._values()
        errors = values.pop("errors")
        saved = self._errors_saved
        if len(errors) > saved:
            values["errors"] = _appended(ImportRun.__table__.c.errors, errors[saved:], self.records.session)
            self._errors_saved = len(errors)
        self.records.session.execute(sa.update(ImportRun).where(ImportRun.id == self.run.id).values(**values, **extra))

    def _progress(self, **values) -> None:
        with self.records.transaction():
            self.records.session.execute(sa.update(ImportRun).where(ImportRun.id == self.run.id).values(**values))

    def _finish(self, status: str, message) -> None:
        with self.records.transaction():
            self._save_progress(status=status, message=message, finished_at=utcnow())
        self.records.session.refresh(self.run)


@contextmanager
def _full_collections_skip_the_app():
    """Let Python's full garbage collections skip what existed before the import.

    A full collection walks every object of the process (the app with all its
    add-ons: about 0.7 s) and an import triggers several: what exists before
    the import is moved to the permanent generation (``gc.freeze``) and given
    back at the end. Chunks' survivors are not frozen: what outlives one chunk
    and dies in a later one (ORM state cycles) would be kept to the end; a
    100,000-row import grew by 230 MB that way, for no gain in time. Skipped
    when someone else froze objects (a pre-forking server), so their freeze is
    never undone.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _commit_without_waiting_for_the_disk(session) -> None:
    """PostgreSQL: this transaction's commit returns before its WAL reaches the disk (``synchronous_commit``).

    Each chunk's commit waited for a disk flush. A crash can lose the last
    chunks committed this way (never a part of one: the database stays
    consistent), and those are exactly the rows a retried import writes again,
    as their import rows went with them.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL synchronous_commit TO off"))


#: Allocations between two collections of the youngest generation while an import runs (Python's default: 700).
YOUNG_COLLECTION_THRESHOLD = 10_000


@contextmanager
def _fewer_young_collections():
    """Collect the youngest generation every 10,000 allocations instead of every 700 while the import runs.

    A row allocates a few hundred objects (its record, ORM state, event,
    change-log and key rows), so the default ran 1,370 young, 124 middle and
    11 full collections per 20,000 rows, each walking the current chunk's live
    objects again: 0.75 s of CPU, a sixth of the import. With this threshold:
    83, 7 and none, 0.3-0.4 s. The cycles they find (ORM state) wait a little
    longer to be freed: a few megabytes. The previous thresholds come back after.
    """
    previous = gc.get_threshold()
    gc.set_threshold(max(previous[0], YOUNG_COLLECTION_THRESHOLD), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _appended(column, new: list, session):
    """SQL for ``column`` (a JSON list) with ``new`` added at its end, as text: no decoding of what is stored.

    A run's list grows to :data:`MAX_ERRORS` messages; writing it whole after
    every chunk encoded and sent it again each time.
    """
    added = json.dumps(new)
    text = sa.cast(column, sa.Text)
    joined = sa.case((text == "[]", added),
                     else_=sa.func.substr(text, 1, sa.func.length(text) - 1) + ", " + added[1:])
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(joined, column.type)
    return sa.type_coerce(joined, column.type)  # SQLite keeps JSON as text; CAST AS JSON would change its affinity


def _unscoped(session):
    return session() if isinstance(session, scoped_session) else session


def run_import_job(app, run_id: int):
    """The ``core.import_run`` job: run an import as the user who started it (safe to run twice)."""
    from core.extensions import db
    from core.models import User
    from core.state import get_state

    run = db.session.get(ImportRun, run_id)
    if run is None or run.status in (ImportStatus.DONE, ImportStatus.RUNNING):
        return None
    user = db.session.get(User, run.user_id) if run.user_id else None
    records = get_state(app).records(user, sudo=user is None)
    return Importer(records, run).execute().__dict__
