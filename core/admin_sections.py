"""Flask-Admin views built from a section, whose every read and write goes through the records service.

Flask-Admin's :class:`~flask_admin.contrib.sqla.ModelView` writes with
``form.populate_obj`` + ``session.commit`` and reads by id with
``session.get``: both would skip rights, validation hooks, the optimistic lock
and the change log. :class:`SectionAdminView` replaces those doors:

- lists and counts start from :meth:`core.records.Records.select` (the one
  compiled rights filter);
- ``get_one`` is :meth:`Records.get`, so a record the rights hide is a 404 by
  URL too (Flask-Admin's own ``get_one`` bypasses ``get_query``);
- create, update and delete call the records service; a
  :class:`ValidationError` puts its messages by the form's fields (and flashes
  the ones without a field), a conflict or refusal is flashed: never a 500.

The forms are the section's generated forms (:func:`core.ui.forms.build_form`),
so custom fields show in the admin as on the pages.
"""
from __future__ import annotations

from flask import abort, flash
from flask_admin.contrib.sqla import ModelView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.admin import SuperuserOnly
from core.errors import AccessDenied, ConflictError, RecordNotFound, ValidationError
from core.extensions import db
from core.records import records_for
from core.sections import Section
from core.state import get_state

#: Flask-Admin's category for every lookup section.
LOOKUPS_CATEGORY = _l("Lookups")


class SectionAdminView(SuperuserOnly, ModelView):
    """A Flask-Admin view of one section; see the module docstring for what it routes where."""

    can_view_details = False
    page_size = 50

    def __init__(self, section: Section, **kwargs):
        self.section_name = section.name
        self.column_list = [path for path in _list_columns(section) if path in section.table.c]
        self.column_labels = {info.path: info.label for info in section.own_fields()}
        self.column_searchable_list = [p for p in section.search_fields if p in section.table.c]
        self.column_default_sort = ("id", True)
        kwargs.setdefault("name", section.title_plural)
        kwargs.setdefault("endpoint", f"section_{section.name}")
        super().__init__(section.model, db, **kwargs)

    # -- the section and its records service, looked up per request ------------
    @property
    def section(self) -> Section:
        # The registry is rebuilt when add-ons change: never keep the object itself.
        return get_state().sections.get(self.section_name)

    def records(self):
        """The records service acting as the signed-in admin."""
        return records_for()

    # -- reads ------------------------------------------------------------------
    def get_query(self):
        return self._filtered(db.session.query(self.model))

    def get_count_query(self):
        from sqlalchemy import func

        return self._filtered(db.session.query(func.count("*")).select_from(self.model))

    def _filtered(self, query):
        where = self.records().select(self.section).whereclause  # the rights filter, compiled once
        return query.filter(where) if where is not None else query

    def get_one(self, id):
        try:
            return self.records().get(self.section, id)
        except RecordNotFound:
            abort(404)

    # -- forms --------------------------------------------------------------------
    def _fields(self):
        from core.ui.layout import card_tabs, layout_fields

        return layout_fields(card_tabs(self.section, all_fields=True))

    def create_form(self, obj=None):
        from core.ui.forms import build_form

        return build_form(self.section, self.records(), self._fields())

    def edit_form(self, obj=None):
        from core.ui.forms import build_form

        records = self.records()
        return build_form(self.section, records, self._fields(), initial=records.read(self.section, obj))

    # -- writes --------------------------------------------------------------------
    def create_model(self, form):
        from core.ui.forms import form_values

        try:
            return self.records().create(self.section, form_values(self.section, form))
        except ValidationError as error:
            self._show(form, error)
        except (AccessDenied, ConflictError, RecordNotFound) as error:
            flash(_("Not saved: %(reason)s", reason=str(error)), "error")
        return False

    def update_model(self, form, model):
        from core.ui.forms import form_values

        version = form.data.get("version") or None
        try:
            self.records().update(self.section, model, form_values(self.section, form), expected_version=version)
            return True
        except ValidationError as error:
            self._show(form, error)
        except (AccessDenied, ConflictError, RecordNotFound) as error:
            flash(_("Not saved: %(reason)s", reason=str(error)), "error")
        return False

    def delete_model(self, model):
        try:
            self.records().delete(self.section, model)
            return True
        except (ValidationError, AccessDenied, ConflictError, RecordNotFound) as error:
            flash(_("Not deleted: %(reason)s", reason=str(error)), "error")
        return False

    def _show(self, form, error: ValidationError) -> None:
        """Messages by their fields, the rest (and a summary) flashed above the form."""
        from core.ui.forms import put_errors

        general = put_errors(form, error.errors)
        flash(_("Not saved: correct the fields marked below."), "error")
        for message in general:
            flash(str(message), "error")


def _list_columns(section: Section) -> list[str]:
    from core.ui.list_view import default_columns

    return default_columns(section)


def register_lookup_views(admin, state) -> None:
    """One :class:`SectionAdminView` per lookup section (``is_lookup=True``), under "Lookups".

    Built when the app is built: a lookup of an add-on installed later shows
    after a restart (Flask-Admin, like Flask, cannot add views to a running app).
    """
    from core.custom_field_hooks import SECTION_NAME

    for section in sorted(state.sections.all(), key=lambda s: str(s.title_plural)):
        if section.is_lookup and section.name != SECTION_NAME:
            admin.add_view(SectionAdminView(section, category=LOOKUPS_CATEGORY,
                                            url=f"/admin/lookups/{section.name}"))
