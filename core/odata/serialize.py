"""Entities as OData JSON, and request bodies as field values for the records service."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from core.api.serialize import check_body, dump_records
from core.errors import ValidationError
from core.odata.model import EntitySet, Model, Prop, odata_name


def etag(record) -> str:
    """The weak ETag of a record: its optimistic-lock version."""
    return f'W/"{record.version}"'


def entities_json(session, entity: EntitySet, rows: list, props: list[Prop]) -> list[dict]:
    """The rows as OData entities: ``@odata.etag`` and the selected properties by OData name."""
    dumped = dump_records(session, entity.section, rows, [p.path for p in props])
    result = []
    for row, values in zip(rows, dumped):
        item = {"@odata.etag": etag(row)}
        for prop in props:
            value = values.get(prop.path)
            if prop.edm == "Edm.Decimal" and value is not None:
                value = float(value)  # JSON number, as OData clients expect without IEEE754Compatible
            item[prop.name] = value
        result.append(item)
    return result


_BIND = re.compile(r"(?:^|/)([A-Za-z_][A-Za-z0-9_]*)\((\d+)\)$")


def body_values(model: Model, entity: EntitySet, body: dict) -> dict:
    """A POST/PATCH body as ``{field path: value}`` checked against the field types.

    Instance annotations (``@odata.type``) are skipped and computed properties
    echoed back by a client are ignored; ``nav@odata.bind`` to ``Account(5)``
    sets the lookup. A field hidden by column rights or read-only is a 422
    naming it; an unknown property or a wrong JSON type a 400 (raised as
    :class:`core.odata.ODataError`).
    """
    from core.odata import ODataError

    access = _access(entity)
    values: dict = {}
    unknown: dict = {}
    refused: dict = {}
    for key, value in body.items():
        if key.startswith("@") or ("@" in key and not key.endswith("@odata.bind")):
            continue
        if key.endswith("@odata.bind"):
            nav = entity.navs.get(key[: -len("@odata.bind")])
            match = _BIND.search(value) if isinstance(value, str) else None
            target = model.by_section[nav.target] if nav is not None else None
            if nav is None or nav.collection or match is None or match.group(1) != target.name:
                unknown[key] = [_l("cannot bind this navigation property to %(value)s", value=str(value))]
                continue
            prop = entity.props[nav.prop]
            if prop.readonly:
                refused[prop.name] = [_l("you may not change the field “%(field)s”", field=prop.name)]
                continue
            values[prop.path] = int(match.group(2))
            continue
        prop = entity.props.get(key)
        if prop is None:
            if key in access:
                refused[key] = [_l("you may not change the field “%(field)s”", field=key)]
            elif key in entity.navs:
                unknown[key] = [_l("deep inserts and updates are not supported; bind with %(key)s@odata.bind", key=key)]
            else:
                unknown[key] = [_l("unknown property of %(set)s", set=entity.name)]
            continue
        if prop.computed:
            continue
        values[prop.path] = value
    if refused:
        raise ODataError(422, _l("Some fields may not be changed."), refused)
    if unknown:
        raise ODataError(400, _l("The body has properties this entity set does not accept."), unknown)
    try:
        return check_body(entity.section, values)
    except ValidationError as error:
        raise ODataError(400, str(error), rename_errors(entity, error.errors)) from None


def _access(entity: EntitySet) -> set:
    """OData names of every field of the section: a name missing from the model is hidden from the user."""
    return {odata_name(info.path) for info in entity.section.fields()}


def rename_errors(entity: EntitySet, errors: dict) -> dict:
    """Field-path keys of validation errors as OData property names."""
    names = {prop.path: prop.name for prop in entity.props.values()}
    return {names.get(path, odata_name(str(path))): messages for path, messages in (errors or {}).items()}
