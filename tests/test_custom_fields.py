"""Custom fields (the section wizard) through the records service, the filter language and the pages.

Definitions are records of the core section ``custom_field``; values live in
each record's JSON ``custom`` column and read and write as ``custom.<name>``.
"""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.errors import AccessDenied, ValidationError
from core.filters import compile_filter
from core.models import ChangeLog
from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")

#: One definition of each type, on the fixture section fx_thing.
DEFINITIONS = [
    {"name": "nickname", "label": "Nickname", "type": "text"},
    {"name": "story", "label": "Story", "type": "long_text"},
    {"name": "rooms", "label": "Rooms", "type": "integer"},
    {"name": "ratio", "label": "Ratio", "type": "decimal"},
    {"name": "budget", "label": "Budget", "type": "money", "label_ru": "Бюджет"},
    {"name": "opened_on", "label": "Opened on", "type": "date"},
    {"name": "called_at", "label": "Called at", "type": "datetime"},
    {"name": "vip", "label": "VIP", "type": "boolean"},
    {"name": "twin", "label": "Twin", "type": "lookup", "target_section": "fx_thing"},
    {"name": "size", "label": "Size", "type": "choice", "options": "small\nlarge"},
]


@pytest.fixture
def records(app_ctx):
    return app_ctx.extensions["flowcase"].records(sudo=True)


def define_all(records):
    with records.transaction():
        for values in DEFINITIONS:
            records.create("custom_field", {"section": "fx_thing", **values})


def test_every_type_is_coerced_stored_read_and_logged(records):
    define_all(records)
    twin = records.create("fx_thing", {"name": "Twin"})
    thing = records.create("fx_thing", {
        "name": "Main", "custom.nickname": "Mainy", "custom.story": "long " * 100, "custom.rooms": "3",
        "custom.ratio": "0,25", "custom.budget": "1234.567", "custom.opened_on": "2024-02-03",
        "custom.called_at": "2024-02-03T10:30", "custom.vip": "yes", "custom.twin": twin.id, "custom.size": "large",
    })
    values = records.read("fx_thing", thing)
    assert values["custom.nickname"] == "Mainy"
    assert values["custom.rooms"] == 3
    assert values["custom.ratio"] == Decimal("0.25")
    assert values["custom.budget"] == Decimal("1234.57")  # money keeps cents
    assert values["custom.opened_on"] == date(2024, 2, 3)
    assert values["custom.called_at"] == datetime(2024, 2, 3, 10, 30, tzinfo=timezone.utc)
    assert values["custom.vip"] is True and values["custom.twin"] == twin.id and values["custom.size"] == "large"
    assert thing.custom["budget"] == "1234.57" and thing.custom["opened_on"] == "2024-02-03"  # JSON-safe storage

    records.update("fx_thing", thing, {"custom.rooms": 4, "custom.vip": False, "custom.nickname": None})
    assert "nickname" not in thing.custom
    logged = records.session.execute(
        sa.select(ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value)
        .where(ChangeLog.section == "fx_thing", ChangeLog.record_id == thing.id, ChangeLog.operation == "update")
    ).all()
    assert sorted(logged) == [("custom.nickname", "Mainy", None), ("custom.rooms", 3, 4), ("custom.vip", True, False)]
    created = records.session.scalars(sa.select(ChangeLog.new_value).where(
        ChangeLog.section == "fx_thing", ChangeLog.record_id == thing.id, ChangeLog.operation == "create")).one()
    assert created["custom.budget"] == "1234.57"


def test_bad_values_give_per_field_errors_and_write_nothing(records):
    define_all(records)
    records.update("custom_field", _definition(records, "rooms"), {"required": True})
    with pytest.raises(ValidationError) as caught:
        records.create("fx_thing", {
            "name": "Bad", "custom.ratio": "many", "custom.opened_on": "soon", "custom.vip": "perhaps",
            "custom.size": "huge", "custom.twin": 999999, "custom.nickname": "x" * 300, "custom.nope": 1,
        })
    errors = caught.value.errors
    assert set(errors) == {"custom.ratio", "custom.opened_on", "custom.vip", "custom.size", "custom.twin",
                           "custom.nickname", "custom.nope"}
    assert "small, large" in str(errors["custom.size"][0])
    with pytest.raises(ValidationError) as caught:
        records.create("fx_thing", {"name": "No rooms"})
    assert set(caught.value.errors) == {"custom.rooms"}
    model = records.section("fx_thing").model
    assert records.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.name != "First",
                                                                                      model.name != "Second")) == 0


def test_definitions_are_validated(records):
    bad = [
        ({"name": "Bad Name", "type": "text"}, "name"),
        ({"name": "amount", "type": "text"}, "name"),          # a real column of fx_thing
        ({"name": "custom", "type": "text"}, "name"),          # a system column
        ({"name": "fine", "type": "colour"}, "type"),
        ({"name": "link", "type": "lookup"}, "target_section"),
        ({"name": "link", "type": "lookup", "target_section": "nowhere"}, "target_section"),
        ({"name": "pick", "type": "choice", "options": "  \n"}, "options"),
    ]
    for values, field in bad:
        with pytest.raises(ValidationError) as caught:
            records.create("custom_field", {"section": "fx_thing", "label": "X", **values})
        assert field in caught.value.errors, values
    with pytest.raises(ValidationError) as caught:
        records.create("custom_field", {"section": "nowhere", "name": "x", "label": "X", "type": "text"})
    assert "section" in caught.value.errors
    records.create("custom_field", {"section": "fx_thing", "name": "dup", "label": "Dup", "type": "text"})
    with pytest.raises(ValidationError) as caught:
        records.create("custom_field", {"section": "fx_thing", "name": "dup", "label": "Dup", "type": "integer"})
    assert "name" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        records.update("custom_field", _definition(records, "dup"), {"name": "renamed"})
    assert "name" in caught.value.errors


def test_only_superusers_reach_definitions(app_ctx, records):
    user = create_user("plain", "pw")
    mine = app_ctx.extensions["flowcase"].records(user)
    with pytest.raises(AccessDenied):
        mine.create("custom_field", {"section": "fx_thing", "name": "x", "label": "X", "type": "text"})
    records.create("custom_field", {"section": "fx_thing", "name": "x", "label": "X", "type": "text"})
    assert mine.session.scalars(mine.select("custom_field")).all() == []


def test_filters_compile_custom_paths_for_each_type(records):
    define_all(records)
    section = records.section("fx_thing")
    one = records.create("fx_thing", {"name": "One", "custom.nickname": "Alpha", "custom.rooms": 2,
                                      "custom.ratio": "0.5", "custom.budget": "100", "custom.opened_on": "2024-01-10",
                                      "custom.called_at": "2024-01-10T09:00", "custom.vip": True, "custom.size": "small"})
    two = records.create("fx_thing", {"name": "Two", "custom.nickname": "Beta", "custom.rooms": 10,
                                      "custom.ratio": "2.5", "custom.budget": "2000.50", "custom.opened_on": "2024-03-01",
                                      "custom.called_at": "2024-03-01T18:00", "custom.vip": False, "custom.size": "large",
                                      "custom.twin": one.id})
    empty = records.create("fx_thing", {"name": "Empty"})

    def names(tree):
        clause = compile_filter(section, tree, records.user, records=records)
        found = records.session.scalars(records.select(section).where(clause).order_by(section.model.id))
        return [thing.name for thing in found if thing.name in ("One", "Two", "Empty")]

    assert names({"field": "custom.nickname", "op": "icontains", "value": "alp"}) == ["One"]
    assert names({"field": "custom.rooms", "op": "gt", "value": 5}) == ["Two"]  # numeric, not text, order
    assert names({"field": "custom.ratio", "op": "lt", "value": "1"}) == ["One"]
    assert names({"field": "custom.budget", "op": "ge", "value": "1000"}) == ["Two"]
    assert names({"field": "custom.opened_on", "op": "between", "value": ["2024-01-01", "2024-01-31"]}) == ["One"]
    assert names({"field": "custom.called_at", "op": "eq", "value": "2024-03-01"}) == ["Two"]  # the whole day
    assert names({"field": "custom.called_at", "op": "gt", "value": "2024-02-01T00:00"}) == ["Two"]
    assert names({"field": "custom.vip", "op": "eq", "value": True}) == ["One"]
    assert names({"field": "custom.size", "op": "in", "value": ["large"]}) == ["Two"]
    assert names({"field": "custom.twin", "op": "eq", "value": one.id}) == ["Two"]
    assert names({"field": "custom.rooms", "op": "is_null"}) == ["Empty"]
    assert names({"field": "custom.vip", "op": "ne", "value": True}) == ["Two", "Empty"]
    with pytest.raises(ValidationError) as caught:
        names({"field": "custom.rooms", "op": "eq", "value": "many"})
    assert "custom.rooms" in caught.value.errors
    assert two.id and empty.id


def _definition(records, name):
    from core.models import CustomField

    return records.session.scalars(sa.select(CustomField).where(CustomField.name == name)).one()


# -- the section wizard in /admin, seen by the same running app -----------------

@pytest.fixture
def admin_client(app):
    with app.app_context():
        create_user("admin", "pw", superuser=True)
    client = app.test_client()
    assert client.post("/login", data={"login": "admin", "password": "pw"}).status_code == 302
    return client


def test_fields_added_in_admin_show_on_card_list_filters_and_form_at_once(app, admin_client):
    client = admin_client
    assert "custom__rooms" not in client.get("/fx_thing/new").get_data(as_text=True)  # pages built before
    for values in DEFINITIONS:
        response = client.post("/admin/custom_fields/new/", data={"section": "fx_thing", "sequence": "10", **values})
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert "budget" in client.get("/admin/custom_fields/").get_data(as_text=True)

    # The generated form has every field; bad values come back by their fields.
    form = client.get("/fx_thing/new").get_data(as_text=True)
    for values in DEFINITIONS:
        assert f'name="custom__{values["name"]}"' in form, values["name"]
    assert '<option value="large">large</option>' in form
    response = client.post("/fx_thing/new", data={"name": "Bad", "custom__size": "huge", "custom__twin": "99999"})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("is not one of the choices") == 2  # size and twin, by their fields
    response = client.post("/fx_thing/new", data={"name": "Bad", "custom__nickname": "x" * 300,
                                                  "custom__size": "", "custom__twin": ""})  # as a browser sends them
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "at most 255 characters" in text and "is-invalid" in text
    first = thing_id(app, "First")
    response = client.post("/fx_thing/new", data={
        "name": "Wizard", "custom__nickname": "Wiz", "custom__story": "Once upon a time", "custom__rooms": "4",
        "custom__ratio": "1.5", "custom__budget": "99.999", "custom__opened_on": "2024-05-06",
        "custom__called_at": "2024-05-06T08:15", "custom__vip": "y", "custom__twin": str(first),
        "custom__size": "small"})
    assert response.status_code == 303, response.get_data(as_text=True)
    card = client.get(response.headers["Location"]).get_data(as_text=True)
    for shown in ("Custom fields", "Rooms", "Wiz", "Once upon a time", "100", "2024", "First", "small", "Yes"):
        assert shown in card, shown
    assert f"/fx_thing/{first}" in card  # a lookup links to its record

    # The list shows them as chosen columns and filters on them.
    listing = client.get("/fx_thing/?cols=name,custom.rooms,custom.budget,custom.twin").get_data(as_text=True)
    assert "Rooms" in listing and "Wizard" in listing and "First" in listing
    only = client.get('/fx_thing/?filter={"field": "custom.rooms", "op": "ge", "value": 4}').get_data(as_text=True)
    assert only.count('<tr data-id="') == 1 and "Wizard" in only
    assert client.get("/fx_thing/?f.custom.size=small").get_data(as_text=True).count('<tr data-id="') == 1
    bad = client.get('/fx_thing/?filter={"field": "custom.rooms", "op": "gt", "value": "many"}')
    assert bad.status_code == 400 and "whole number" in bad.get_data(as_text=True)

    # Editing keeps values the form did not change, and logs what did.
    wizard = thing_id(app, "Wizard")
    edit = client.get(f"/fx_thing/{wizard}/edit").get_data(as_text=True)
    assert 'value="Wiz"' in edit
    with app.app_context():
        values = app.extensions["flowcase"].records(sudo=True).read("fx_thing", wizard)
    assert values["custom.budget"] == Decimal("100.00") and values["custom.vip"] is True


def test_definitions_owned_by_an_addon_are_read_only_in_admin(app, admin_client):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        shipped = records.create("custom_field", {"section": "fx_thing", "name": "shipped", "label": "Shipped",
                                                  "type": "text", "owner": "fx_ext"})
        shipped_id, version = shipped.id, shipped.version
    response = admin_client.post(f"/admin/custom_fields/edit/?id={shipped_id}", data={
        "section": "fx_thing", "name": "shipped", "label": "Changed", "type": "text", "version": version},
        follow_redirects=True)
    assert "read-only" in response.get_data(as_text=True)
    response = admin_client.post("/admin/custom_fields/delete/", data={"id": shipped_id}, follow_redirects=True)
    assert "read-only" in response.get_data(as_text=True)
    # A bad definition is a message by its field, never a 500.
    response = admin_client.post("/admin/custom_fields/new/", data={"section": "fx_thing", "name": "Bad name",
                                                                    "label": "X", "type": "lookup", "sequence": "1"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "lower-case letters" in text and "a lookup needs the section" in text
    with app.app_context():
        assert app.extensions["flowcase"].records(sudo=True).read("custom_field", shipped_id)["label"] == "Shipped"


def test_change_log_view_filters_by_section_record_and_user(app, admin_client):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        thing = records.create("fx_thing", {"name": "Logged"})
        records.update("fx_thing", thing, {"amount": 5})
        thing_id_ = thing.id
    page = admin_client.get("/admin/change_log/?flt1_section_equals=fx_thing").get_data(as_text=True)
    assert "fx_thing" in page and "amount" in page
    assert admin_client.post("/admin/change_log/delete/", data={"id": 1}).status_code in (302, 404, 405)
    assert admin_client.get("/admin/change_log/new/").status_code in (302, 403, 404)
    with app.app_context():
        from core.extensions import db

        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLog)
                                 .where(ChangeLog.record_id == thing_id_, ChangeLog.section == "fx_thing")) == 2


def thing_id(app, name):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        model = records.section("fx_thing").model
        return records.session.scalars(sa.select(model.id).where(model.name == name)).one()
