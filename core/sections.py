"""Sections: the metadata of one business record type, and the per-app registry of them.

Add-ons return :class:`Section` objects from ``flowcase_register_sections``; the
generic machinery (pages, API, import, rights, ...) works from them. Fields of
extension tables other add-ons declare (:class:`SectionExtension`) appear as
``<prefix>.<field>`` and read and write as the record's own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from core.errors import FlowcaseError

#: Columns every record has that users never type in.
SYSTEM_FIELDS = frozenset({"id", "version", "created_at", "updated_at", "created_by_id", "updated_by_id", "custom"})


@dataclass(frozen=True)
class FieldInfo:
    """One field of a section as the generic machinery sees it."""

    path: str
    label: Any
    type: str
    required: bool
    column: sa.Column | None = None
    #: Table a lookup (foreign key) points to; ``SectionRegistry.for_table`` names its section.
    lookup: str | None = None
    #: The extension this field belongs to, or None for the model's own columns.
    extension: "SectionExtension | None" = None
    #: True for an admin-defined custom field (``custom.<name>``, kept in the record's JSON ``custom``).
    custom: bool = False
    #: The custom field's own type (``money`` where ``type`` says ``decimal``), else None.
    kind: str | None = None
    #: Allowed values of a custom ``choice`` field.
    options: tuple = ()
    #: The section a custom ``lookup`` field refers to.
    target_section: str | None = None
    #: Longest text a custom text field takes.
    max_length: int | None = None
    #: ``{stored value: label}`` of a choice field (from :attr:`Section.choices`), or None.
    choices: dict | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]


def _field_type(column: sa.Column) -> str:
    if column.foreign_keys:
        return "lookup"
    kind = column.type
    for sa_type, name in (
        (sa.Boolean, "boolean"), (sa.DateTime, "datetime"), (sa.Date, "date"),
        (sa.Numeric, "decimal"), (sa.Float, "decimal"), (sa.Integer, "integer"),
        (sa.Enum, "choice"), (sa.JSON, "json"), (sa.Text, "text"), (sa.String, "string"),
    ):
        if isinstance(kind, sa_type):
            return name
    return "string"


def _referred_table(column: sa.Column) -> str | None:
    for fk in column.foreign_keys:
        return fk.target_fullname.split(".")[0]
    return None


def _is_required(column: sa.Column) -> bool:
    return not column.nullable and column.default is None and column.server_default is None and not column.primary_key


@dataclass(frozen=True)
class NamedFilter:
    """A condition a section names, usable as ``?named=<name>`` on its list and ``{"named": name}`` in filter trees.

    ``condition`` is ``callable(context) -> SQLAlchemy boolean clause`` over the
    section's model, where ``context`` (a :class:`core.filters.FilterContext`)
    carries ``user``, ``records`` (may be None), ``today`` and ``now``. Write it
    so it stays two-valued (never SQL NULL): trees may negate it.
    """

    label: Any
    condition: Any


@dataclass(eq=False)
class SectionExtension:
    """A 1:1 table an add-on adds to another add-on's section (primary key = FK to the record)."""

    section: str
    model: type[DeclarativeBase]
    #: Field-path prefix, usually the owning add-on's name (``pharmacy.chain_category``).
    prefix: str
    labels: dict[str, Any] = field(default_factory=dict)
    #: Filled by the registry.
    addon: str = ""

    def fields(self) -> list[FieldInfo]:
        table = self.model.__table__
        return [
            FieldInfo(
                path=f"{self.prefix}.{column.key}",
                label=self.labels.get(column.key, column.key.replace("_", " ").capitalize()),
                type=_field_type(column),
                required=_is_required(column),
                column=column,
                lookup=_referred_table(column),
                extension=self,
            )
            for column in table.columns
            if not column.primary_key
        ]


@dataclass(eq=False)
class Section:
    """One business record type: model, titles, list/search/card metadata, stage and owner fields."""

    name: str
    model: type[DeclarativeBase]
    title: Any
    title_plural: Any = None
    #: Navigation area: "sales", "service", "marketing", "settings", ...
    area: str = "general"
    #: Field used as the record's display name.
    title_field: str = "name"
    list_columns: list[str] = field(default_factory=list)
    search_fields: list[str] = field(default_factory=list)
    filter_fields: list[str] = field(default_factory=list)
    #: Card layout: ``[{"tab": label, "groups": [{"title": label, "fields": [...]}]}]``.
    layout: list[dict] = field(default_factory=list)
    #: Child sections shown as grids: ``[{"section": "contact", "field": "account_id"}]``.
    details: list[dict] = field(default_factory=list)
    stage_field: str | None = None
    owner_field: str | None = None
    labels: dict[str, Any] = field(default_factory=dict)
    #: Exposed through REST and OData.
    api: bool = True
    #: A lookup (small reference list admins maintain) rather than a working section.
    is_lookup: bool = False
    #: Optional WTForms form (a ``flask_wtf.FlaskForm`` subclass) the create and
    #: edit pages use instead of the generated one, where the generated form does
    #: not fit (a cascading address picker). Its field names are field paths with
    #: ``.`` written ``__`` (``fx_ext__colour``); fields that name no section field
    #: are ignored on save. Give it a ``HiddenField`` named ``version`` to keep the
    #: optimistic lock. ``None``: the pages generate the form from :meth:`fields`.
    form_class: type | None = None
    #: Cascading lookups: ``{"district_id": {"parent": "region_id", "by": "region_id"}}``
    #: means the district chosen must be one whose own ``region_id`` equals this
    #: record's ``region_id``. Generated forms offer only the districts of the chosen
    #: region (through the target section's typeahead, rights applied) and choosing a
    #: district fills the region in; chains work link by link (city → district →
    #: region). The records service refuses a mismatched pair on every door with a
    #: readable message. Keys and ``parent`` are the section's own lookup columns;
    #: ``by`` is a column of the child's target table (default: the parent's name).
    #: See :mod:`core.cascades`.
    cascades: dict[str, dict] = field(default_factory=dict)
    #: Conditions with a name (``{"without_planned_activity": NamedFilter(...)}``) offered
    #: as quick filters on the list page and as ``{"named": ...}`` nodes in filter trees.
    named_filters: dict[str, NamedFilter] = field(default_factory=dict)
    #: Labels of a choice field's values: ``{"status": {"open": _l("Open"), ...}}``.
    #: Pages show and offer these labels instead of the stored values.
    choices: dict[str, dict] = field(default_factory=dict)
    #: Filled by the registry.
    addon: str = ""
    extensions: list[SectionExtension] = field(default_factory=list)
    #: Filled by the registry: ``callable(section) -> [FieldInfo]`` giving the custom fields.
    custom_source: Any = field(default=None, repr=False)

    def __post_init__(self):
        if self.title_plural is None:
            self.title_plural = self.title

    @property
    def table(self) -> sa.Table:
        return self.model.__table__

    def own_fields(self) -> list[FieldInfo]:
        """The model's columns (system columns excluded), in table order.

        Built once and reused (FieldInfo is frozen) while the table, labels and
        choices stay as they are: every write and page asks for them several times.
        """
        # Identities and sizes, not values: comparing lazy labels would translate each of them, and
        # this runs several times per written row (nothing edits these dicts in place; they are replaced).
        return list(self._own_fields_cached()[1])

    def own_field_map(self) -> dict[str, FieldInfo]:
        """``{path: field}`` of :meth:`own_fields`, built once like them (shared: do not change it)."""
        return self._own_fields_cached()[2]

    def required_own_fields(self) -> list[FieldInfo]:
        """The own fields that must have a value, built once like them (shared: do not change it)."""
        return self._own_fields_cached()[3]

    def _own_fields_cached(self) -> tuple:
        key = (len(self.table.columns), id(self.labels), len(self.labels), id(self.choices), len(self.choices))
        cached = self.__dict__.get("_own_fields_cache")
        if cached is None or cached[0] != key:
            fields = self._build_own_fields()
            cached = (key, fields, {info.path: info for info in fields}, [info for info in fields if info.required])
            self.__dict__["_own_fields_cache"] = cached
        return cached

    def _build_own_fields(self) -> list[FieldInfo]:
        return [
            FieldInfo(
                path=column.key,
                label=self.labels.get(column.key, column.key.removesuffix("_id").replace("_", " ").capitalize()),
                type=_field_type(column),
                required=_is_required(column),
                column=column,
                lookup=_referred_table(column),
                choices=self.choices.get(column.key),
            )
            for column in self.table.columns
            if column.key not in SYSTEM_FIELDS
        ]

    def fields(self) -> list[FieldInfo]:
        """Own fields, then every extension's fields, then the database's custom fields."""
        result = self.own_fields()
        for extension in self.extensions:
            result.extend(extension.fields())
        result.extend(self.custom_fields())
        return result

    def custom_fields(self) -> list[FieldInfo]:
        """Admin-defined fields (``custom.<name>``) of this section in the current database.

        Read through the registry's ``custom_source`` (see :mod:`core.custom_fields`),
        so a definition added by another process shows on the next request.
        """
        source = self.custom_source
        return list(source(self)) if source is not None else []

    def field(self, path: str) -> FieldInfo | None:
        """The field at ``path`` (``name`` or ``prefix.name``), or None."""
        for info in self.fields():
            if info.path == path:
                return info
        return None

    def display_name(self, record) -> str:
        value = getattr(record, self.title_field, None)
        return str(value) if value not in (None, "") else f"#{record.id}"


def _database_custom_fields(section: Section) -> list[FieldInfo]:
    """The custom fields the current app's database defines for ``section`` (none outside an app)."""
    from core.custom_fields import fields_for

    return fields_for(section)


class SectionRegistry:
    """The sections of one app, built from its installed add-ons' hooks."""

    def __init__(self, custom_source=None):
        if custom_source is None:
            custom_source = _database_custom_fields
        self._sections: dict[str, Section] = {}
        self._by_model: dict[type, Section] = {}
        #: ``callable(section) -> [FieldInfo]`` of custom fields, given to every section added.
        self.custom_source = custom_source

    def add(self, section: Section, addon: str) -> None:
        other = self._sections.get(section.name)
        if other is not None:
            raise FlowcaseError(
                f"section '{section.name}' is declared by add-on '{other.addon}' and again by '{addon}'"
            )
        section.addon = addon
        section.extensions = []
        section.custom_source = self.custom_source
        self._sections[section.name] = section
        self._by_model[section.model] = section

    def extend(self, extension: SectionExtension, addon: str) -> None:
        section = self._sections.get(extension.section)
        if section is None:
            raise FlowcaseError(
                f"add-on '{addon}' extends section '{extension.section}', which no installed add-on declares"
            )
        extension.addon = addon
        section.extensions.append(extension)

    def get(self, name: str) -> Section:
        try:
            return self._sections[name]
        except KeyError:
            raise FlowcaseError(f"no section named '{name}'") from None

    def __contains__(self, name: str) -> bool:
        return name in self._sections

    def for_model(self, model: type) -> Section | None:
        return self._by_model.get(model)

    def for_table(self, table_name: str) -> Section | None:
        for section in self._sections.values():
            if section.table.name == table_name:
                return section
        return None

    def all(self) -> list[Section]:
        return list(self._sections.values())

    def by_addon(self, addon: str) -> list[Section]:
        return [s for s in self._sections.values() if s.addon == addon]
