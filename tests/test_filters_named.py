"""Named filters: conditions a section declares by name, in filter trees and as ``?named=`` on list pages."""
import re

import pytest
import sqlalchemy as sa

from core.errors import ValidationError
from core.extensions import db
from core.filters import compile_filter
from core.sections import NamedFilter
from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")


def _big(context):
    # Two-valued (never NULL), as NamedFilter asks: NOT of it must include the empty amounts.
    amount = context.section.model.amount
    return sa.and_(amount.is_not(None), amount >= 20)


def _mine(context):
    # A named filter sees the acting user: no user, nothing is "mine".
    owner_id, user_id = context.section.model.owner_id, getattr(context.user, "id", None)
    return sa.and_(owner_id.is_not(None), owner_id == user_id) if user_id is not None else sa.false()


@pytest.fixture
def section(app_ctx):
    section = app_ctx.extensions["flowcase"].sections.get("fx_thing")
    section.named_filters = {"big": NamedFilter("Big ones", _big), "mine": NamedFilter("Mine", _mine)}
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    admin = create_user("admin", "pw", superuser=True)
    other = create_user("other", "pw")
    for name, amount, owner in (("Small", 5, admin), ("Big", 20, admin), ("Huge", 90, other), ("Empty", None, None)):
        records.create("fx_thing", {"name": name, "amount": amount, "owner_id": owner.id if owner else None})
    section.admin, section.other = admin, other
    return section


def names(section, tree, user=None):
    clause = compile_filter(section, tree, user)
    query = sa.select(section.model.name).where(clause, section.model.name.in_(["Small", "Big", "Huge", "Empty"]))
    return sorted(db.session.scalars(query))


def test_named_nodes_combine_with_the_rest_of_the_language(section):
    assert names(section, {"named": "big"}) == ["Big", "Huge"]
    assert names(section, {"named": "mine"}, section.admin) == ["Big", "Small"]
    assert names(section, {"named": "mine"}) == []
    assert names(section, {"all": [{"named": "big"}, {"named": "mine"}]}, section.admin) == ["Big"]
    assert names(section, {"not": {"named": "big"}}) == ["Empty", "Small"]
    assert names(section, {"any": [{"named": "big"}, {"field": "amount", "op": "is_null"}]}) == ["Big", "Empty", "Huge"]


def test_unknown_names_are_clear_errors(section):
    with pytest.raises(ValidationError) as caught:
        compile_filter(section, {"named": "nonsense"})
    message = str(caught.value.errors["named"][0])
    assert "nonsense" in message and "big, mine" in message
    with pytest.raises(ValidationError):
        compile_filter(section, {"named": ["big"]})


def test_list_page_offers_and_applies_named_filters(section, client):
    client.post("/login", data={"login": "admin", "password": "pw"})
    page = client.get("/fx_thing/").get_data(as_text=True)
    assert 'data-fc-named="big"' in page and "Big ones" in page

    response = client.get("/fx_thing/?named=big")
    text = response.get_data(as_text=True)
    shown = set(re.findall(r'<a href="/fx_thing/\d+">([^<]*)</a>', text))
    assert shown == {"Big", "Huge"}
    assert 'aria-pressed="true"' in text
    # Two names: both must hold; the toggles and the search form keep them.
    text = client.get("/fx_thing/?named=big&named=mine").get_data(as_text=True)
    assert set(re.findall(r'<a href="/fx_thing/\d+">([^<]*)</a>', text)) == {"Big"}
    assert '<input type="hidden" name="named" value="mine">' in text

    bad = client.get("/fx_thing/?named=nonsense")
    assert bad.status_code == 400
    assert "nonsense" in bad.get_data(as_text=True)


def test_choice_labels_on_list_card_and_form(section, client):
    section.choices = {"stage": {"new": "Brand new", "won": "Won it"}}
    client.post("/login", data={"login": "admin", "password": "pw"})
    thing = db.session.scalar(sa.select(section.model).where(section.model.name == "Big"))
    assert "Brand new" in client.get(f"/fx_thing/{thing.id}").get_data(as_text=True)
    assert "Brand new" in client.get("/fx_thing/?cols=name,stage").get_data(as_text=True)
