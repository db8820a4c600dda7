"""The OpenAPI document is generated from the sections: every API section, its fields with types, its operations."""
import pytest

pytestmark = pytest.mark.addons("crm", "fx_ext")


def test_openapi_document_describes_each_api_section(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.") and doc["info"]["title"]
    assert doc["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    paths = doc["paths"]
    for section in ("contact", "account", "activity", "fx_thing"):
        assert {"get", "post"} <= set(paths[f"/{section}"])
        assert {"get", "patch", "delete"} <= set(paths[f"/{section}/{{record_id}}"])
        assert "put" in paths[f"/{section}/by-external-id/{{source}}/{{external_id}}"]
    contact = doc["components"]["schemas"]["Contact"]["properties"]
    assert contact["id"]["readOnly"] and contact["first_name"]["type"] == ["string", "null"]
    assert contact["first_name"]["maxLength"] == 100 and contact["account_id"]["type"] == ["integer", "null"]
    activity = doc["components"]["schemas"]["Activity"]["properties"]
    assert activity["due_date"]["format"] == "date" and "open" in activity["status"]["enum"]
    assert doc["components"]["schemas"]["FxThing"]["properties"]["fx_ext.colour"]  # extension fields too
    assert "subject" in doc["components"]["schemas"]["ActivityWrite"]["required"]
    # Every $ref resolves inside the document.
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    for ref in refs:
        target = doc
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
    assert refs
