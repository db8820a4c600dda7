"""Pages run a bounded number of SQL statements, whatever the number of rows they show."""
import pytest
import sqlalchemy as sa

from core.extensions import db
from core.testing import counting_statements as counting
from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")


@pytest.fixture
def signed_in(app, client):
    """120 things with owners (two users) and colours; admin signed in, columns with a lookup and an extension."""
    with app.app_context():
        admin = create_user("admin", "pw", superuser=True)
        other = create_user("other", "pw")
        records = app.extensions["flowcase"].records(admin)
        with records.transaction():
            for i in range(120):
                records.create("fx_thing", {"name": f"Item {i:03d}", "amount": i, "owner_id": (admin, other)[i % 2].id,
                                            "fx_ext.colour": "red"})
    assert client.post("/login", data={"login": "admin", "password": "pw"}).status_code == 302
    assert client.get("/fx_thing/?cols=name,fx_ext.colour,owner_id,stage").status_code == 200
    return client


def test_list_statements_do_not_grow_with_rows(app, signed_in):
    # A search neither the fixture nor the other request ran: the list's count cache (10 s) holds neither.
    with counting(app) as full:
        response = signed_in.get("/fx_thing/?q=Item")
    assert response.get_data(as_text=True).count('<tr data-id="') == 50
    with counting(app) as few:
        response = signed_in.get("/fx_thing/?q=Item 00")
    assert response.get_data(as_text=True).count('<tr data-id="') == 10
    assert len(full) == len(few), full
    # user, the configuration generation (custom fields, print forms: cached per process), count, page, one per
    # lookup target, one per extension shown, the section's record groups (chooser and bulk actions share one),
    # and the users the bulk "change owner" offers
    assert len(full) <= 9, full
    assert not [s for s in full if s.lstrip().startswith("SELECT core_print_form")], full


def test_card_statements_do_not_grow_with_history(app, signed_in):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        model = records.section("fx_thing").model
        quiet, busy = (records.session.scalars(sa.select(model.id).where(model.name == n)).one() for n in ("Item 000", "Item 001"))
        for amount in range(30):
            records.update("fx_thing", busy, {"amount": 1000 + amount})
    with counting(app) as one:
        assert signed_in.get(f"/fx_thing/{quiet}").status_code == 200
    with counting(app) as many:
        text = signed_in.get(f"/fx_thing/{busy}").get_data(as_text=True)
    assert text.split("data-fc-history", 1)[1].count("<tr>") == 32  # header + 30 updates + create
    assert len(one) == len(many), many
    assert len(many) <= 6, many  # one statement reads the record and its extension row
    # The Print menu's forms come from the per-process configuration cache, not a statement per card.
    assert not [s for s in many if s.lstrip().startswith("SELECT core_print_form")], many


def test_a_card_reads_its_record_and_extension_rows_in_one_statement(app, signed_in):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        model = records.section("fx_thing").model
        red = records.session.scalars(sa.select(model.id).where(model.name == "Item 000")).one()
        bare = records.create("fx_thing", {"name": "No extension row", "owner_id": None}).id
        ext_table = sa.Table("fx_ext_thing", sa.MetaData(), autoload_with=db.engine)
        db.session.execute(sa.delete(ext_table).where(ext_table.c.id == bare))
        db.session.commit()
    signed_in.get(f"/fx_thing/{red}")
    for record_id, colour in ((red, "red"), (bare, None)):
        with counting(app) as statements:
            text = signed_in.get(f"/fx_thing/{record_id}").get_data(as_text=True)
        assert not [s for s in statements if s.lstrip().startswith("SELECT fx_ext_thing")], statements
        joined = [s for s in statements if "LEFT OUTER JOIN fx_ext_thing" in s]
        assert len(joined) == 1, statements
        if colour:
            assert f">{colour}<" in text or f"{colour}</" in text
