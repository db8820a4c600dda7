"""The generic card: fields, extension fields in place, stage, history; 404s; delete; typeahead."""
import pytest

from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")


def login(client, name="admin", password="pw"):
    assert client.post("/login", data={"login": name, "password": password}).status_code == 302


@pytest.fixture
def lamp(app, client):
    """A thing with a colour, changed once (for the history), admin signed in; returns its id."""
    with app.app_context():
        admin = create_user("admin", "pw", name="Ada Admin", superuser=True)
        records = app.extensions["flowcase"].records(admin)
        thing = records.create("fx_thing", {"name": "Lamp", "amount": 3, "owner_id": admin.id, "fx_ext.colour": "red"})
        records.update("fx_thing", thing, {"amount": 4, "stage": "offered"})
        thing_id = thing.id
    login(client)
    return thing_id


def test_card_shows_fields_extension_stage_and_history(client, lamp):
    response = client.get(f"/fx_thing/{lamp}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert '<dd class="col-sm-8" data-field="name">Lamp</dd>' in text
    assert '<dd class="col-sm-8" data-field="fx_ext.colour">red</dd>' in text
    assert '<dd class="col-sm-8" data-field="owner_id">Ada Admin</dd>' in text
    assert "data-fc-stage>offered</span>" in text
    history = text.split("data-fc-history", 1)[1]
    assert "Ada Admin" in history and "Amount" in history and "<td>3</td><td>4</td>" in history
    assert "<td>stage</td><td>Stage</td><td>new</td><td>offered</td>" in history
    assert "<td>create</td>" in history


def test_unknown_or_bad_ids_are_404(client, lamp):
    assert client.get("/fx_thing/999999").status_code == 404
    assert client.get("/fx_thing/abc").status_code == 404
    assert client.get("/nothing/1").status_code == 404
    assert client.get("/fx_thing/999999/edit").status_code == 404


def test_records_hidden_by_a_rights_filter_do_not_open(app, client, lamp):
    from core.plugins import hookimpl

    class HideEverything:
        @hookimpl
        def flowcase_record_filter(self, user, section, operation):
            return section.model.id < 0

    # Registered on this app's own plugin manager only, like an add-on's record rule.
    app.extensions["flowcase"].pm.register(HideEverything(), name="hide_everything")
    with app.app_context():
        create_user("plain", "pw")
    client.post("/logout")
    login(client, "plain")
    assert client.get(f"/fx_thing/{lamp}").status_code == 404
    assert "data-id" not in client.get("/fx_thing/").get_data(as_text=True)
    assert client.get("/fx_thing/lookup?q=Lamp").get_json() == []


def test_delete_from_the_card(client, lamp):
    response = client.post(f"/fx_thing/{lamp}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/fx_thing/")
    assert client.get(f"/fx_thing/{lamp}").status_code == 404


def test_typeahead_returns_id_and_text(client, lamp):
    assert client.get("/fx_thing/lookup?q=lam").get_json() == [{"id": lamp, "text": "Lamp"}]
    assert client.get(f"/fx_thing/lookup?q={lamp}").get_json()[0]["id"] == lamp
    assert client.get("/fx_thing/lookup?q=zzz").get_json() == []


def test_details_grid_reads_child_records(app, client, lamp):
    """A section listing itself as a detail (things by owner) shows its children through the rights-limited select."""
    section = app.extensions["flowcase"].sections.get("fx_thing")
    section.details = [{"section": "fx_thing", "field": "amount", "title": "Same amount"}]
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        records.create("fx_thing", {"name": "Child", "amount": lamp})
    text = client.get(f"/fx_thing/{lamp}").get_data(as_text=True)
    detail = text.split('data-detail="fx_thing"', 1)[1]
    assert ">Child</a>" in detail
    assert f"f.amount={lamp}" in detail


def test_a_sections_own_card_template_wins_also_when_its_folder_comes_later(app, client, lamp):
    # The generic card is found (and remembered); template folders that give the section its own card replace it.
    from jinja2 import ChoiceLoader, DictLoader

    assert 'data-field="name">Lamp</dd>' in client.get(f"/fx_thing/{lamp}").get_data(as_text=True)
    generic = app.jinja_loader
    app.jinja_loader = ChoiceLoader([DictLoader({"sections/fx_thing/card.html": "own card of {{ title }}"}), generic])
    try:
        assert client.get(f"/fx_thing/{lamp}").get_data(as_text=True) == "own card of Lamp"
    finally:
        app.jinja_loader = generic
