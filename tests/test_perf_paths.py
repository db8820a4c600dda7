"""The fast paths of issue 9 keep their behaviour: grid cells built in Python, dedup keys of new records."""
import pytest
import sqlalchemy as sa

from core.extensions import db
from core.models.dedup import DedupKey, DedupRule
from core.testing import counting_statements as counting
from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")


def test_list_cells_are_escaped_and_the_first_opens_the_card(app, client):
    with app.app_context():
        admin = create_user("admin", "pw", superuser=True)
        records = app.extensions["flowcase"].records(admin)
        with records.transaction():
            thing = records.create("fx_thing", {"name": "<b>bold</b> & co", "owner_id": admin.id, "fx_ext.colour": "<i>red</i>"})
            thing_id = thing.id
    assert client.post("/login", data={"login": "admin", "password": "pw"}).status_code == 302
    html = client.get("/fx_thing/?cols=name,fx_ext.colour,owner_id").get_data(as_text=True)
    row = html.split(f'<tr data-id="{thing_id}">', 1)[1].split("</tr>", 1)[0]
    assert f'<td><a href="/fx_thing/{thing_id}">&lt;b&gt;bold&lt;/b&gt; &amp; co</a></td>' in row
    assert "<td>&lt;i&gt;red&lt;/i&gt;</td>" in row and "<b>" not in row and "<i>" not in row
    assert "<td>admin</td>" in row or ">admin<" in row  # the owner by name (users have no card to link to)


def test_a_new_record_stores_its_dedup_keys_without_a_delete_and_an_update_replaces_them(app):
    with app.app_context():
        db.session.add(DedupRule(section="fx_thing", name="same name", fields=[{"path": "name", "normalize": "text"}],
                                 action="warn", active=True))
        db.session.commit()
        records = app.extensions["flowcase"].records(sudo=True)
        with counting(app) as statements:
            with records.transaction():
                thing = records.create("fx_thing", {"name": "Alpha"})
        assert not [s for s in statements if s.startswith("DELETE FROM core_dedup_key")], statements
        keys = lambda: db.session.scalars(sa.select(DedupKey.key).where(DedupKey.record_id == thing.id)).all()  # noqa: E731
        assert len(keys()) == 1
        with records.transaction():
            records.update("fx_thing", thing.id, {"name": "Beta"})
        assert len(keys()) == 1 and "beta" in keys()[0].lower()


def test_import_checks_a_new_row_for_duplicates_once(app, tmp_path):
    from openpyxl import Workbook

    from core.dataio.imports import import_file

    with app.app_context():
        db.session.add(DedupRule(section="fx_thing", name="same name", fields=[{"path": "name", "normalize": "text"}],
                                 action="warn", active=True))
        db.session.commit()
        records = app.extensions["flowcase"].records(sudo=True)
        with records.transaction():
            records.create("fx_thing", {"name": "Existing"})
        book = Workbook()
        sheet = book.active
        sheet.append(["name"])
        for name in ("New one", "Existing", "New two"):
            sheet.append([name])
        path = tmp_path / "things.xlsx"
        book.save(path)
        with counting(app) as statements:
            run = import_file(records, records.section("fx_thing"), path, on_duplicate="flag")
        assert (run.created, run.flagged) == (2, 1), run.errors
        lookups = [s for s in statements if "FROM core_dedup_key" in s]
        # One batched lookup for the chunk's rows, not again on save: the flagged row matched only a warn rule,
        # which the check on save would find again and let through (a block rule's match is still checked there).
        assert len(lookups) == 1, lookups


def test_the_list_count_is_reused_until_this_process_writes_the_table(app, client):
    with app.app_context():
        admin = create_user("admin", "pw", superuser=True)
        records = app.extensions["flowcase"].records(admin)
        with records.transaction():
            for i in range(3):
                records.create("fx_thing", {"name": f"Item {i}"})
    assert client.post("/login", data={"login": "admin", "password": "pw"}).status_code == 302
    # Three made here and fx_base's two seeded ones.
    assert "5 records" in client.get("/fx_thing/").get_data(as_text=True)
    with counting(app) as again:
        assert "5 records" in client.get("/fx_thing/").get_data(as_text=True)
    assert not [s for s in again if s.startswith("SELECT count(*)")], again
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        with records.transaction():
            records.create("fx_thing", {"name": "Item 3"})
    assert "6 records" in client.get("/fx_thing/").get_data(as_text=True)
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        model = records.section("fx_thing").model
        first = records.session.scalars(sa.select(model.id).order_by(model.id)).first()
        with records.transaction():
            records.delete("fx_thing", first)
    assert "5 records" in client.get("/fx_thing/").get_data(as_text=True)
