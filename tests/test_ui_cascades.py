"""Cascading lookups (Section.cascades) through the pages without JavaScript, the typeahead and the records service.

The fx_geo fixture: regions North (districts Lakes, Hills, Secret valley) and South
(district Coast); cities Lakeside (Lakes), Hilltop (Hills), Harbour and Bayview
(Coast); a place has region_id, district_id and city_id that cascade.
"""
import re

import pytest

from core.errors import ValidationError
from core.users import create_user

pytestmark = pytest.mark.addons("fx_geo")


@pytest.fixture
def geo(app):
    """Seeded ids by name: ``geo["North"]``, ``geo["Coast"]``, ``geo["Harbour"]``, ..."""
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        ids = {}
        for section in ("fx_region", "fx_district", "fx_city"):
            model = records.section(section).model
            ids.update({r.name: r.id for r in records.session.scalars(records.select(section))})
            assert model
        return ids


def sign_in(app, client, login, superuser=False):
    with app.app_context():
        create_user(login, "pw", superuser=superuser)
    assert client.post("/login", data={"login": login, "password": "pw"}).status_code == 302


def places(app):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        return {p.name: (p.region_id, p.district_id, p.city_id) for p in records.session.scalars(records.select("fx_place"))}


def options(html, name):
    """``{value: text}`` of a select's options."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return dict(re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select))


def test_choosing_only_a_city_fills_district_and_region_without_javascript(app, client, geo):
    sign_in(app, client, "admin", superuser=True)
    response = client.post("/fx_place/new", data={"name": "Pier", "city_id": geo["Harbour"]})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert places(app)["Pier"] == (geo["South"], geo["Coast"], geo["Harbour"])


def test_the_form_marks_cascades_and_narrows_children_to_the_parent(app, client, geo):
    sign_in(app, client, "admin", superuser=True)
    html = client.get("/fx_place/new").get_data(as_text=True)
    district = re.search(r'<select[^>]*name="district_id"[^>]*>', html).group(0)
    assert 'data-fc-cascade-parent="region_id"' in district and 'data-fc-cascade-by="region_id"' in district
    assert 'data-fc-cascade-url="/fx_district/lookup"' in district
    # No region chosen yet: every district is offered.
    assert set(options(html, "district_id").values()) == {"—", "Coast", "Hills", "Lakes", "Secret valley"}
    html = client.get(f"/fx_place/new?region_id={geo['South']}").get_data(as_text=True)
    assert set(options(html, "district_id").values()) == {"—", "Coast"}


def test_a_district_of_another_region_is_refused_with_a_clear_message_and_nothing_saved(app, client, geo):
    sign_in(app, client, "admin", superuser=True)
    response = client.post("/fx_place/new", data={"name": "Odd", "region_id": geo["North"], "district_id": geo["Coast"]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "“Coast” is not in the chosen region “North”." in html
    # The re-rendered form offers North's districts and keeps the refused choice visible.
    assert set(options(html, "district_id").values()) == {"—", "Lakes", "Hills", "Secret valley", "Coast"}
    assert "Odd" not in places(app)
    fixed = client.post("/fx_place/new", data={"name": "Odd", "region_id": geo["North"], "district_id": geo["Lakes"]})
    assert fixed.status_code == 303
    assert places(app)["Odd"] == (geo["North"], geo["Lakes"], None)


def test_records_service_refuses_mismatches_on_every_door_but_not_unrelated_edits(app_ctx, geo):
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    place = records.create("fx_place", {"name": "Mill", "region_id": geo["North"], "district_id": geo["Hills"],
                                        "city_id": geo["Hilltop"]})
    with pytest.raises(ValidationError) as refused:
        records.update("fx_place", place, {"region_id": geo["South"]})
    assert "district_id" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        records.update("fx_place", place, {"city_id": geo["Harbour"]})
    assert list(refused.value.errors) == ["city_id"]
    assert "“Harbour” is not in the chosen district “Hills”." in str(refused.value)
    records.session.refresh(place)
    assert (place.region_id, place.district_id, place.city_id) == (geo["North"], geo["Hills"], geo["Hilltop"])
    records.update("fx_place", place, {"name": "Old mill"})
    # Moving the whole chain at once is consistent again.
    records.update("fx_place", place, {"region_id": geo["South"], "district_id": geo["Coast"], "city_id": geo["Bayview"]})
    assert place.city_id == geo["Bayview"]


def test_lookup_filters_by_parent_returns_parent_values_and_applies_rights(app, client, geo):
    sign_in(app, client, "alice")
    items = client.get(f"/fx_district/lookup?f.region_id={geo['North']}&fields=region_id&limit=200").get_json()
    # Secret valley is North's too, but a record rule hides it from alice.
    assert [(i["text"], i["values"]["region_id"]) for i in items] == [("Hills", geo["North"]), ("Lakes", geo["North"])]
    one = client.get(f"/fx_city/lookup?id={geo['Harbour']}&fields=district_id").get_json()
    assert one == [{"id": geo["Harbour"], "text": "Harbour", "values": {"district_id": geo["Coast"]}}]
    assert client.get(f"/fx_district/lookup?id={geo['Secret valley']}").get_json() == []
    bad = client.get("/fx_district/lookup?f.nope=1")
    assert bad.status_code == 400 and "nope" in bad.get_json()["error"]
    assert client.get("/fx_district/lookup?fields=custom").status_code == 400


def test_an_edit_form_narrows_children_by_the_record_values(app, client, geo):
    sign_in(app, client, "admin", superuser=True)
    client.post("/fx_place/new", data={"name": "Dock", "city_id": geo["Bayview"]})
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        place_id = next(p.id for p in records.session.scalars(records.select("fx_place")))
    html = client.get(f"/fx_place/{place_id}/edit").get_data(as_text=True)
    assert set(options(html, "district_id").values()) == {"—", "Coast"}
    assert set(options(html, "city_id").values()) == {"—", "Harbour", "Bayview"}
