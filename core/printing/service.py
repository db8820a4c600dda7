"""Printing records: one PDF per record, several zipped, or several merged into one PDF.

Rights are the same as reading the record: every record is fetched with
:meth:`Records.get`, so a hidden or missing one is :class:`RecordNotFound`
(a 404 on pages), and its values come from :meth:`Records.read` (hidden
fields absent).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader, PdfWriter

from core.printing.context import print_context
from core.printing.models import PrintForm
from core.printing.render import PrintError, html_to_pdf, render_html
from core.records import Records
from core.sections import Section

#: Records one multi-record print takes at most (each is a full render).
MAX_BATCH = 200


def forms_for(records: Records, section: Section) -> list[PrintForm]:
    """The active print forms of ``section``, by name (form definitions are not secret: any reader may print)."""
    return list(records.session.scalars(
        sa.select(PrintForm).where(PrintForm.section == section.name, PrintForm.active.is_(True)).order_by(PrintForm.name)))


@dataclass(frozen=True)
class MenuForm:
    """What a Print menu shows of an active form: its code (in the URL) and its name."""

    code: str
    name: str


def menu_forms(records: Records, section: Section) -> tuple[MenuForm, ...]:
    """The active print forms of ``section`` by name, as :func:`forms_for` orders them, for the Print menus.

    Every list and card shows the menu, and forms change only when an admin
    edits them: they come from the per-process configuration cache
    (:mod:`core.config_cache`), whose generation covers the print form table,
    so an edit made by any process shows on the next page.
    """
    from core.config_cache import cached, table_present

    if not table_present(records.session, PrintForm.__tablename__):
        return ()  # a database from before print forms
    return cached(records.session, "print_forms", _load_menu_forms).get(section.name, ())


def _load_menu_forms(session) -> dict[str, tuple[MenuForm, ...]]:
    by_section: dict[str, list[MenuForm]] = {}
    rows = session.execute(sa.select(PrintForm.section, PrintForm.code, PrintForm.name)
                           .where(PrintForm.active.is_(True)).order_by(PrintForm.section, PrintForm.name, PrintForm.id))
    for section, code, name in rows:
        by_section.setdefault(section, []).append(MenuForm(code, name))
    return {section: tuple(forms) for section, forms in by_section.items()}


def find_form(records: Records, section: Section, code: str) -> PrintForm:
    """The active form ``code`` of ``section``; :class:`PrintError` when there is none."""
    form = records.session.scalars(sa.select(PrintForm).where(
        PrintForm.section == section.name, PrintForm.code == code, PrintForm.active.is_(True))).first()
    if form is None:
        raise PrintError(_l("%(section)s has no print form “%(code)s”", section=section.title, code=code))
    return form


def record_html(records: Records, section: Section, form: PrintForm, record_id) -> str:
    """The form's HTML for one record the user may read (else :class:`RecordNotFound`)."""
    record = records.get(section, record_id)
    return render_html(form.template, print_context(records, section, record), form.language)


def record_pdf(records: Records, section: Section, form: PrintForm, record_id) -> bytes:
    """One record printed with ``form`` as PDF bytes."""
    return html_to_pdf(record_html(records, section, form, record_id))


def file_name(form: PrintForm, record_id, extension: str = "pdf") -> str:
    """``<form code>-<id>.pdf``: ASCII, so every browser and archiver keeps it."""
    code = re.sub(r"[^A-Za-z0-9_-]+", "_", form.code) or "document"
    return f"{code}-{record_id}.{extension}"


def _batch(record_ids) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in record_ids))
    if not ids:
        raise PrintError(_l("Select the records to print first."))
    if len(ids) > MAX_BATCH:
        raise PrintError(_l("At most %(n)s records can be printed at once.", n=MAX_BATCH))
    return ids


def records_zip(records: Records, section: Section, form: PrintForm, record_ids) -> bytes:
    """A zip of one PDF per record; any record the user may not read fails the whole batch."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for record_id in _batch(record_ids):
            archive.writestr(file_name(form, record_id), record_pdf(records, section, form, record_id))
    return buffer.getvalue()


def records_merged(records: Records, section: Section, form: PrintForm, record_ids) -> bytes:
    """One PDF holding every record's pages, in the order given."""
    writer = PdfWriter()
    for record_id in _batch(record_ids):
        writer.append(PdfReader(io.BytesIO(record_pdf(records, section, form, record_id))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
