"""The generic list page: search, filters, sort, columns, paging, capped count, bulk delete."""
import json
import re

import pytest

from core.ui import list_query
from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")


def login(client, name="admin", password="pw"):
    response = client.post("/login", data={"login": name, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def things(app, client):
    """120 things made through the records service (plus fx_base's two seeded ones), admin signed in."""
    with app.app_context():
        admin = create_user("admin", "pw", name="Ada Admin", superuser=True)
        records = app.extensions["flowcase"].records(admin)
        with records.transaction():
            for i in range(120):
                records.create("fx_thing", {
                    "name": f"Item {i:03d}", "amount": i, "owner_id": admin.id,
                    "stage": "won" if i % 10 == 0 else "new",
                    **({"fx_ext.colour": "red" if i % 2 else "blue"} if i < 60 else {}),
                })
    login(client)
    return client


def rows(response) -> list[str]:
    return re.findall(r'<tr data-id="(\d+)"', response.get_data(as_text=True))


def first_cells(response) -> list[str]:
    return re.findall(r'<tr data-id="\d+">.*?<a href="/fx_thing/\d+">([^<]*)</a>', response.get_data(as_text=True), re.S)


def test_pages_of_fifty_with_the_count(things):
    response = things.get("/fx_thing/")
    assert response.status_code == 200
    assert len(rows(response)) == 50
    text = response.get_data(as_text=True)
    assert "122 records" in text and "Page 1 of 3" in text
    assert first_cells(response)[0] == "Item 119"  # newest first by default
    last = things.get("/fx_thing/?page=3")
    assert len(rows(last)) == 22
    assert set(rows(response)).isdisjoint(rows(last))


def test_quick_search_over_search_fields(things):
    response = things.get("/fx_thing/?q=item 01")
    assert sorted(first_cells(response)) == [f"Item {i:03d}" for i in range(10, 20)]
    assert "10 records" in response.get_data(as_text=True)


def test_filter_tree_and_simple_params(things):
    tree = {"all": [{"field": "amount", "op": "lt", "value": 30}, {"field": "fx_ext.colour", "op": "eq", "value": "red"}]}
    response = things.get("/fx_thing/", query_string={"filter": json.dumps(tree)})
    assert response.status_code == 200
    assert sorted(first_cells(response)) == [f"Item {i:03d}" for i in range(1, 30, 2)]
    won = things.get("/fx_thing/?f.stage=won")
    assert len(rows(won)) == 12
    either = things.get("/fx_thing/?f.amount=3&f.amount=4")
    assert sorted(first_cells(either)) == ["Item 003", "Item 004"]


def test_sort_by_columns_with_id_tiebreaker(things):
    assert first_cells(things.get("/fx_thing/?sort=name"))[:2] == ["First", "Item 000"]
    assert first_cells(things.get("/fx_thing/?sort=-amount"))[0] == "Item 119"
    # Same stage everywhere on a page: ties come in id order, stable across pages.
    by_stage = rows(things.get("/fx_thing/?sort=stage&f.stage=new"))
    assert by_stage == sorted(by_stage, key=int)
    assert things.get("/fx_thing/?sort=custom").status_code == 400
    assert things.get("/fx_thing/?sort=fx_ext.colour").status_code == 400


def test_bad_filters_show_a_message_not_a_500(things):
    response = things.get("/fx_thing/?filter={not json")
    assert response.status_code == 400
    assert "not valid JSON" in response.get_data(as_text=True)
    unknown = things.get("/fx_thing/", query_string={"filter": json.dumps({"field": "colour", "op": "eq", "value": 1})})
    assert unknown.status_code == 400
    assert "unknown field" in unknown.get_data(as_text=True)
    wrong = things.get("/fx_thing/?f.amount=lots")
    assert wrong.status_code == 400 and "whole number" in wrong.get_data(as_text=True)


def test_count_is_capped(things, monkeypatch):
    monkeypatch.setattr(list_query, "COUNT_CAP", 100)
    response = things.get("/fx_thing/")
    text = response.get_data(as_text=True)
    assert "100+ records" in text and "122 records" not in text
    assert len(rows(response)) == 50


def test_column_chooser_is_remembered(things):
    response = things.get("/fx_thing/?cols=name,fx_ext.colour,owner_id")
    text = response.get_data(as_text=True)
    assert re.findall(r'<th data-col="([^"]+)"', text) == ["name", "fx_ext.colour", "owner_id"]
    assert "<td>Ada Admin</td>" in text  # the lookup shows the user's name, not the id
    again = things.get("/fx_thing/?q=Item 059").get_data(as_text=True)
    assert re.findall(r'<th data-col="([^"]+)"', again) == ["name", "fx_ext.colour", "owner_id"]
    assert "<td>red</td>" in again
    reset = things.get("/fx_thing/?cols=").get_data(as_text=True)
    assert re.findall(r'<th data-col="([^"]+)"', reset) == ["name", "stage"]


def test_empty_state_and_unknown_section(things):
    empty = things.get("/fx_thing/?q=nothing-like-this")
    assert empty.status_code == 200
    assert "No records match." in empty.get_data(as_text=True)
    assert things.get("/no_such_section/").status_code == 404


def test_pages_need_a_login(app, client):
    response = client.get("/fx_thing/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_bulk_delete(things, app):
    ids = rows(things.get("/fx_thing/?q=Item 00"))
    assert len(ids) == 10
    response = things.post("/fx_thing/delete", data={"ids": ids[:3]})
    assert response.status_code == 303
    assert len(rows(things.get("/fx_thing/?q=Item 00"))) == 7
    nothing = things.post("/fx_thing/delete", data={}, follow_redirects=True)
    assert "Select the records to delete first." in nothing.get_data(as_text=True)


def test_sections_menu_lists_sections(things):
    text = things.get("/").get_data(as_text=True)
    assert 'href="/fx_thing/"' in text and "Sections" in text
