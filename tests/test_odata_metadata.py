"""OData $metadata and service document: generated from the sections, valid EDMX 4.0, rights-aware."""
from xml.etree import ElementTree as ET

import pytest

from core.extensions import db
from tests.api_support import user_with_key
from tests.odata_support import OData

pytestmark = pytest.mark.addons("crm", "fx_ext")

NS = {"edmx": "http://docs.oasis-open.org/odata/ns/edmx", "edm": "http://docs.oasis-open.org/odata/ns/edm"}


@pytest.fixture
def root(app, client):
    with app.app_context():
        _, token = user_with_key("root", superuser=True)
        records = app.extensions["flowcase"].records(sudo=True)
        records.create("custom_field", {"section": "fx_thing", "name": "vip", "label": "VIP", "type": "boolean"})
        db.session.commit()
    return OData(client, token)


def _schema(response):
    assert response.status_code == 200 and response.mimetype == "application/xml"
    doc = ET.fromstring(response.data)
    assert doc.tag == f"{{{NS['edmx']}}}Edmx" and doc.get("Version") == "4.0"
    return doc.find("edmx:DataServices/edm:Schema", NS)


def _type(schema, name):
    return schema.find(f"edm:EntityType[@Name='{name}']", NS)


def _props(etype):
    return {p.get("Name"): p.get("Type") for p in etype.findall("edm:Property", NS)}


def test_service_document_lists_entity_sets_in_pascal_case(root):
    response = root.get("/")
    assert response.status_code == 200 and response.headers["OData-Version"] == "4.0"
    assert response.json["@odata.context"].endswith("/odata/$metadata")
    names = {s["name"]: s for s in response.json["value"]}
    assert {"Account", "Contact", "Activity", "FxThing", "ActivityType"} <= set(names)
    assert names["Contact"] == {"name": "Contact", "kind": "EntitySet", "url": "Contact"}


def test_metadata_has_types_keys_properties_and_navigation(root):
    schema = _schema(root.get("/$metadata"))
    assert schema.get("Namespace") == "Flowcase"
    contact = _type(schema, "Contact")
    assert contact.find("edm:Key/edm:PropertyRef", NS).get("Name") == "id"
    props = _props(contact)
    assert props["id"] == "Edm.Int32" and props["name"] == "Edm.String" and props["account_id"] == "Edm.Int32"
    assert props["updated_at"] == "Edm.DateTimeOffset" and "custom" not in props
    name = contact.find("edm:Property[@Name='name']", NS)
    assert name.get("MaxLength") == "310" and name.get("Nullable") == "false"
    version = contact.find("edm:Property[@Name='version']/edm:Annotation", NS)
    assert version.get("Term") == "Org.OData.Core.V1.Computed"

    navs = {n.get("Name"): n for n in contact.findall("edm:NavigationProperty", NS)}
    assert navs["account"].get("Type") == "Flowcase.Account"  # a lookup: many-to-one
    assert navs["account"].find("edm:ReferentialConstraint", NS).get("Property") == "account_id"
    assert navs["activity_collection"].get("Type") == "Collection(Flowcase.Activity)"  # a detail: one-to-many
    account_navs = {n.get("Name"): n.get("Type") for n in _type(schema, "Account").findall("edm:NavigationProperty", NS)}
    assert account_navs["contact_collection"] == "Collection(Flowcase.Contact)"
    assert account_navs["parent"] == "Flowcase.Account"

    activity = _props(_type(schema, "Activity"))
    assert activity["due_date"] in ("Edm.DateTimeOffset", "Edm.Date") and activity["subject"] == "Edm.String"
    # Extension and custom fields, with names legal in OData.
    thing = _props(_type(schema, "FxThing"))
    assert thing["fx_ext_colour"] == "Edm.String" and thing["custom_vip"] == "Edm.Boolean"
    assert thing["amount"] == "Edm.Decimal" or thing["amount"].startswith("Edm.")

    container = schema.find("edm:EntityContainer", NS)
    contact_set = container.find("edm:EntitySet[@Name='Contact']", NS)
    assert contact_set.get("EntityType") == "Flowcase.Contact"
    bindings = {b.get("Path"): b.get("Target") for b in contact_set.findall("edm:NavigationPropertyBinding", NS)}
    assert bindings["account"] == "Account"


def test_metadata_leaves_out_fields_hidden_from_the_keys_user(app, client, root):
    from core.models import User
    from core.security.models import ColumnRight, Role

    with app.app_context():
        role = Role(code="clerk", name="Clerk")
        db.session.add(role)
        db.session.flush()
        db.session.add_all([ColumnRight(role_id=role.id, section="fx_thing", field="amount", access="hidden"),
                            ColumnRight(role_id=role.id, section="fx_thing", field="fx_ext.colour", access="readonly")])
        user_id, token = user_with_key("clerk")
        db.session.get(User, user_id).roles = [role]
        db.session.commit()
    schema = _schema(OData(client, token).get("/$metadata"))
    thing = _type(schema, "FxThing")
    assert "amount" not in _props(thing) and "fx_ext_colour" in _props(thing)
    colour = thing.find("edm:Property[@Name='fx_ext_colour']/edm:Annotation", NS)
    assert colour.get("Term") == "Org.OData.Core.V1.Immutable"
    assert "amount" in _props(_type(_schema(root.get("/$metadata")), "FxThing"))


def test_without_a_valid_key_every_path_is_401_odata_error(client):
    for path in ("/odata/", "/odata/$metadata", "/odata/Contact"):
        response = client.get(path, headers={"Authorization": "Bearer fc_nope"})
        assert response.status_code == 401 and response.json["error"]["code"] == "401"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
