"""``$metadata``: the CSDL XML (EDMX 4.0) of the user's model."""
from __future__ import annotations

from xml.etree import ElementTree as ET

from core.odata.model import NAMESPACE, Model

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
CONTAINER = "Container"


def _sub(parent, tag: str, **attrs):
    return ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v is not None})


def metadata_xml(model: Model) -> bytes:
    """The model as an EDMX 4.0 document: entity types, keys, properties, navigation, one container."""
    root = ET.Element("edmx:Edmx", {"Version": "4.0", "xmlns:edmx": EDMX})
    services = _sub(root, "edmx:DataServices")
    schema = _sub(services, "Schema", xmlns=EDM, Namespace=NAMESPACE)
    for entity in model.sets.values():
        etype = _sub(schema, "EntityType", Name=entity.name)
        key = _sub(etype, "Key")
        _sub(key, "PropertyRef", Name="id")
        for prop in entity.props.values():
            element = _sub(etype, "Property", Name=prop.name, Type=prop.edm,
                           Nullable="false" if not prop.nullable else None,
                           MaxLength=prop.max_length, Precision=prop.precision,
                           Scale=prop.scale if prop.precision is not None else None)
            if prop.computed and prop.name != "id":  # a computed key trips clients that drop a null key on insert
                _sub(element, "Annotation", Term="Org.OData.Core.V1.Computed", Bool="true")
            elif prop.readonly:
                _sub(element, "Annotation", Term="Org.OData.Core.V1.Immutable", Bool="true")
        for nav in entity.navs.values():
            target = model.by_section[nav.target]
            kind = f"Collection({target.type_name})" if nav.collection else target.type_name
            element = _sub(etype, "NavigationProperty", Name=nav.name, Type=kind)
            if not nav.collection:
                _sub(element, "ReferentialConstraint", Property=nav.prop, ReferencedProperty="id")
    container = _sub(schema, "EntityContainer", Name=CONTAINER)
    for entity in model.sets.values():
        element = _sub(container, "EntitySet", Name=entity.name, EntityType=entity.type_name)
        for nav in entity.navs.values():
            _sub(element, "NavigationPropertyBinding", Path=nav.name, Target=model.by_section[nav.target].name)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
