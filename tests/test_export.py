"""Export of a list to .xlsx and .csv: the list's search, filters, sort and columns, the user's rights, streamed."""
import csv
import io
import types

import pytest
from openpyxl import load_workbook

from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext", "fx_own_only")


def login(client, name, password="pw"):
    client.post("/logout")
    assert client.post("/login", data={"login": name, "password": password}).status_code == 302


@pytest.fixture
def things(app):
    with app.app_context():
        admin = create_user("admin", "pw", superuser=True)
        limited = create_user("limited", "pw")
        records = app.extensions["flowcase"].records(admin)
        with records.transaction():
            for i in range(30):
                records.create("fx_thing", {"name": f"Lamp {i:02d}", "amount": i, "stage": "won" if i % 3 == 0 else "new",
                                            "owner_id": limited.id if i < 10 else admin.id,
                                            "fx_ext.colour": "red" if i % 2 else "blue"})
        return admin.id, limited.id


def csv_rows(response):
    text = b"".join(response.response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_honours_search_filter_sort_and_columns(client, things):
    login(client, "admin")
    response = client.get("/fx_thing/export.csv?q=Lamp&f.stage=won&sort=-amount&cols=name,amount,fx_ext.colour,owner_id")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv_rows(response)
    assert rows[0] == ["Name", "Amount", "Colour", "Owner"]
    assert [r[0] for r in rows[1:]] == [f"Lamp {i:02d}" for i in (27, 24, 21, 18, 15, 12, 9, 6, 3, 0)]
    assert rows[1][2] == "red" and rows[-1][2] == "blue"  # extension field included
    assert rows[1][3] == "admin" and rows[-1][3] == "limited"  # lookup by display name, not id


def test_export_is_streamed_from_a_generator(client, things):
    login(client, "admin")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/fx_thing/export.{fmt}", buffered=False)
        assert response.is_streamed
        assert isinstance(response.response, types.GeneratorType) or not isinstance(response.response, (list, bytes))
        response.close()


def test_xlsx_export_honours_rights(client, things):
    login(client, "limited")
    response = client.get("/fx_thing/export.xlsx?cols=name,amount")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Name", "Amount")
    assert sorted(r[0] for r in rows[1:]) == [f"Lamp {i:02d}" for i in range(10)]  # only their own


def test_bad_filter_is_a_400_not_a_500(client, things):
    login(client, "admin")
    response = client.get('/fx_thing/export.csv?filter={"field": "nope", "op": "eq", "value": 1}')
    assert response.status_code == 400


def test_list_page_links_to_export_with_the_same_query(client, things):
    login(client, "admin")
    page = client.get("/fx_thing/?q=Lamp&f.stage=won").get_data(as_text=True)
    assert "/fx_thing/export.xlsx?" in page and "f.stage=won" in page
