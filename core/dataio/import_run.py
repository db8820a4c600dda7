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

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.dataio.import_mapping import clean_mapping
from core.dataio.import_read import FileProblem, check_table, open_table
from core.dataio.import_values import RowConverter
from core.dedup.check import DuplicateError, confirm_duplicates, duplicates_checked
from core.dedup.keys import find_candidates
from core.errors import FlowcaseError, ValidationError
from core.models.dataio import ImportRow, ImportRun, ImportStatus

#: Rows per transaction.
BATCH = 500
#: Per-row messages kept on a run (the counts stay exact beyond it).
MAX_ERRORS = 10_000
MODES = ("insert", "update", "upsert")
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


class Importer:
    """Writes the rows of one :class:`ImportRun` as its user."""

    def __init__(self, records, run: ImportRun, path: Path | None = None):
        self.records = records
        self.run = run
        self.section = records.section(run.section)
        self.path = path or stored_path(run)
        self.counters = Counters()

    # -- the run ---------------------------------------------------------------
    def execute(self) -> Counters:
        """Check the file, then write it; the run row shows progress after every batch."""
        run, session = self.run, self.records.session
        config = current_app.config
        try:
            table = open_table(self.path, run.sheet)
            mapping = clean_mapping(self.section, table.headers, run.mapping)
            validate_settings(self.section, run.mode, run.key_field, run.on_duplicate, mapping)
            total = check_table(table, config.get("FLOWCASE_IMPORT_MAX_ROWS", 100_000),
                                config.get("FLOWCASE_IMPORT_MAX_CELL", 32_767))
        except (FileProblem, ValidationError) as problem:
            self._finish(ImportStatus.FAILED, str(problem))
            return self.counters
        self._progress(status=ImportStatus.RUNNING, total=total)
        done = set(session.scalars(sa.select(ImportRow.row_number).where(
            ImportRow.file_hash == run.file_hash, ImportRow.section == run.section)))
        converter = RowConverter(self.records, self.section, table.headers, mapping)
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
        counters = self.counters
        with self.records.transaction():
            for number, values in batch:
                counters.processed += 1
                if number in done:
                    counters.skipped += 1
                    continue
                self._write_row(number, values, converter)
            self._save_progress()

    def _write_row(self, number: int, values: list, converter: RowConverter) -> None:
        counters = self.counters
        data, history, errors = converter.convert(values)
        if errors:
            counters.failed += 1
            for path, message in errors.items():
                counters.report(number, path, message)
            return
        try:
            with self.records.transaction():
                outcome, record_id = self._apply(number, data, history)
                if record_id is not None:
                    self.records.session.add(ImportRow(file_hash=self.run.file_hash, section=self.run.section,
                                                       row_number=number, record_id=record_id))
                    self.records.session.flush()
        except FlowcaseError as error:
            counters.failed += 1
            for path, messages in getattr(error, "errors", {"": [str(error)]}).items():
                for message in messages:
                    counters.report(number, path, message)
            return
        except Exception as error:  # a hook's bug must not stop the other rows; it is reported
            counters.failed += 1
            counters.report(number, "", _l("unexpected error: %(error)s", error=repr(error)[:300]))
            return
        setattr(counters, outcome, getattr(counters, outcome) + 1)

    def _apply(self, number: int, data: dict, history: dict) -> tuple[str, int | None]:
        """Write one converted row; returns (counter name, record id written or None)."""
        records, section, run = self.records, self.section, self.run
        record_id = data.pop("id", None)
        if run.mode in ("update", "upsert"):
            key_value = record_id if run.key_field == "id" else data.get(run.key_field)
            existing = self._find_by_key(key_value)
            if existing is not None:
                records.update(section, existing, data)
                return "updated", existing
            if run.mode == "update":
                raise ValidationError({run.key_field: [_l("no record with this value to update")]})
        found = find_candidates(records, section, section.model(), given=data)
        if found:
            first = found[0].record_ids[0]
            if run.on_duplicate == "skip":
                self.counters.report(number, "", _l("skipped: duplicate of #%(id)s (rule “%(rule)s”)",
                                                    id=first, rule=found[0].rule.name), level="skipped")
                return "skipped", None
            if run.on_duplicate == "update":
                with confirm_duplicates(records):
                    records.update(section, first, data)
                return "updated", first
            with confirm_duplicates(records):
                record = self._create(data, history)
            self.counters.report(number, "", _l("created, but may duplicate #%(id)s (rule “%(rule)s”)",
                                                id=first, rule=found[0].rule.name), level="flagged")
            return "flagged", record.id
        with duplicates_checked(records):  # the lookup just above found nothing: not again on save
            return "created", self._create(data, history).id

    def _create(self, data: dict, history: dict):
        record = self.records.create(self.section, data)
        if history:
            # Historical stamps are not fields anyone types; only an import of past data sets them.
            if "created_at" in history:
                record.created_at = history["created_at"]
            if "created_by_id" in history:
                record.created_by_id = history["created_by_id"]
            self.records.session.flush()
        return record

    def _find_by_key(self, value) -> int | None:
        if value in (None, ""):
            raise ValidationError({self.run.key_field: [_l("is empty; it is the key that finds the record")]})
        column = self.section.table.c[self.run.key_field]
        ids = list(self.records.session.scalars(
            self.records.select(self.section, "update").with_only_columns(self.section.table.c.id)
            .where(column == value).limit(2)))
        if len(ids) > 1:
            raise ValidationError({self.run.key_field: [_l("matches several records")]})
        return ids[0] if ids else None

    # -- progress ----------------------------------------------------------------
    def _values(self) -> dict:
        c = self.counters
        return dict(processed=c.processed, created=c.created, updated=c.updated, skipped=c.skipped,
                    flagged=c.flagged, failed=c.failed, errors=list(c.errors))

    def _save_progress(self) -> None:
        self.records.session.execute(sa.update(ImportRun).where(ImportRun.id == self.run.id).values(**self._values()))

    def _progress(self, **values) -> None:
        with self.records.transaction():
            self.records.session.execute(sa.update(ImportRun).where(ImportRun.id == self.run.id).values(**values))

    def _finish(self, status: str, message) -> None:
        self._progress(status=status, message=message, finished_at=utcnow(), **self._values())
        self.records.session.refresh(self.run)


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
