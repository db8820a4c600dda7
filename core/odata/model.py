"""The entity data model OData serves, built from the sections for one user.

Entity sets are the API sections in PascalCase (``contact`` → ``Contact``, as
Creatio users know them); properties are field paths made legal OData names
(``fx_ext.colour`` → ``fx_ext_colour``, ``custom.vip`` → ``custom_vip``).
Lookups become many-to-one navigation properties (``account_id`` →
``account``), ``Section.details`` one-to-many ones (``contact_collection``).
Fields hidden from the user by column rights are left out of the model, so
they are unknown on every OData door: ``$metadata``, output, ``$filter``,
``$select``, ``$orderby`` and writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from core.sections import FieldInfo, Section

#: The schema namespace of every entity type.
NAMESPACE = "Flowcase"
#: Columns every record has; served read-only (``Core.V1.Computed``).
SYSTEM_COLUMNS = ("id", "version", "created_at", "updated_at", "created_by_id", "updated_by_id")

_EDM = {
    "string": "Edm.String", "text": "Edm.String", "choice": "Edm.String",
    "integer": "Edm.Int32", "lookup": "Edm.Int32", "decimal": "Edm.Decimal",
    "boolean": "Edm.Boolean", "date": "Edm.Date", "datetime": "Edm.DateTimeOffset",
}


def pascal_case(name: str) -> str:
    """``price_offer`` → ``PriceOffer``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def odata_name(path: str) -> str:
    """A field path as a legal OData identifier: dots become underscores."""
    return path.replace(".", "_")


@dataclass
class Prop:
    """One structural property: its OData name, field path, Edm type and where the value lives."""

    name: str
    path: str
    edm: str
    info: FieldInfo | None = None   # None for system columns
    computed: bool = False
    readonly: bool = False
    nullable: bool = True
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None

    @property
    def sortable(self) -> bool:
        """Own columns (and system columns) sort; extension and custom fields do not."""
        return self.info is None or (self.info.extension is None and not self.info.custom)


@dataclass
class Nav:
    """A navigation property: to one record through a lookup, or to a detail collection."""

    name: str
    target: str                    # target section name
    collection: bool
    prop: str | None = None        # many-to-one: the OData name of the lookup property
    path: str | None = None        # many-to-one: the lookup's field path
    child_field: str | None = None # one-to-many: the child's lookup column pointing here


@dataclass
class EntitySet:
    """One section as OData sees it for the acting user."""

    section: Section
    name: str
    props: dict[str, Prop] = field(default_factory=dict)
    navs: dict[str, Nav] = field(default_factory=dict)

    @property
    def type_name(self) -> str:
        return f"{NAMESPACE}.{self.name}"

    def by_path(self) -> dict[str, Prop]:
        return {prop.path: prop for prop in self.props.values()}


class Model:
    """Every entity set the user's key reaches, by name and by section name."""

    def __init__(self, sets: list[EntitySet]):
        self.sets = {s.name: s for s in sets}
        self.by_section = {s.section.name: s for s in sets}

    def get(self, name: str) -> EntitySet | None:
        return self.sets.get(name)


def _column_facets(prop: Prop, column) -> None:
    if column is None:
        return
    prop.nullable = bool(column.nullable)
    length = getattr(column.type, "length", None)
    if prop.edm == "Edm.String" and isinstance(length, int):
        prop.max_length = length
    if prop.edm == "Edm.Decimal" and isinstance(column.type, sa.Numeric):
        prop.precision, prop.scale = column.type.precision, column.type.scale


def _target_section(registry, info: FieldInfo) -> Section | None:
    if info.custom:
        name = info.target_section
        return registry.get(name) if name and name in registry else None
    return registry.for_table(info.lookup) if info.lookup else None


def build_model(state, records) -> Model:
    """The model of every API section, with column rights of ``records.user`` applied."""
    registry = state.sections
    sections = [s for s in registry.all() if s.api]
    exposed = {s.name for s in sections}
    sets = []
    for section in sections:
        entity = EntitySet(section, pascal_case(section.name))
        access = records.field_access(section)
        for key in SYSTEM_COLUMNS:
            if key in section.table.c:
                column = section.table.c[key]
                edm = {"created_at": "Edm.DateTimeOffset", "updated_at": "Edm.DateTimeOffset"}.get(key, "Edm.Int32")
                entity.props[key] = Prop(key, key, edm, computed=True, nullable=key != "id")
                _column_facets(entity.props[key], column)
        lookups = []
        for info in section.fields():
            edm = _EDM.get(info.type)
            name = odata_name(info.path)
            if edm is None or info.path in access.hidden or name in entity.props:
                continue  # JSON columns have no Edm type here; hidden fields do not exist for this user
            prop = Prop(name, info.path, edm, info=info, readonly=info.path in access.readonly)
            _column_facets(prop, info.column)
            if info.custom and info.max_length:
                prop.max_length = info.max_length
            entity.props[name] = prop
            if info.type == "lookup":
                lookups.append(prop)
        for prop in lookups:
            target = _target_section(registry, prop.info)
            if target is None or target.name not in exposed:
                continue
            base = prop.name[:-3] if prop.name.endswith("_id") else f"{prop.name}_ref"
            if base in entity.props or base in entity.navs:
                base = f"{prop.name}_ref"
            entity.navs[base] = Nav(base, target.name, False, prop=prop.name, path=prop.path)
        for detail in section.details:
            child = detail.get("section")
            if child not in exposed:
                continue
            name = f"{child}_collection"
            if name in entity.navs or name in entity.props:
                name = f"{child}_collection_by_{odata_name(detail['field']).removesuffix('_id')}"
            entity.navs[name] = Nav(name, child, True, child_field=detail["field"])
        sets.append(entity)
    model = Model(sets)
    # A detail whose lookup the user may not see cannot be followed.
    for entity in sets:
        for name, nav in list(entity.navs.items()):
            if nav.collection and nav.child_field not in model.by_section[nav.target].by_path():
                del entity.navs[name]
    return model
