"""Broken files get a clear message and write nothing (or only the rows reported as written)."""
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from core.dataio.import_read import FileProblem
from core.dataio.imports import import_file
from core.extensions import db
from core.users import create_user

pytestmark = pytest.mark.addons("crm")


def accounts():
    return db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("crm_account")))


def run(app, path, **options):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        try:
            result = import_file(records, records.section("account"), path, **options)
            message = result.message
        except FileProblem as problem:
            message = str(problem)
        return message, accounts()


def xlsx(tmp_path, rows, name="file.xlsx", tweak=None):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    if tweak:
        tweak(book.active)
    path = tmp_path / name
    book.save(path)
    return path


@pytest.mark.parametrize("content, expected", [
    (b"%PDF-1.4 not a sheet\x00\x01", "not a spreadsheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls", ".xls"),
    (b"PK\x03\x04 this zip is cut short", "damaged"),
    ("Название;Город\n".encode("utf-16"), "UTF-16"),
    (b"\x98\x98\x98;\x98\n\x98;\x98\n", "encoding"),
])
def test_unreadable_files_write_nothing(app, tmp_path, content, expected):
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    message, count = run(app, path)
    assert expected in message and count == 0


def test_formula_merged_cells_too_many_rows_and_huge_cell(app, tmp_path):
    formula = xlsx(tmp_path, [["name", "city"], ["A", "Москва"], ["B", "=A2&\"!\""]], "formula.xlsx")
    assert "formula" in run(app, formula)[0]
    merged = xlsx(tmp_path, [["name", "city"], ["A", "Москва"], ["B", ""]], "merged.xlsx",
                  tweak=lambda sheet: sheet.merge_cells("B2:B3"))
    assert "merged" in run(app, merged)[0]
    many = xlsx(tmp_path, [["name"]] + [[f"N{i}"] for i in range(12)], "many.xlsx")
    app.config["FLOWCASE_IMPORT_MAX_ROWS"] = 10
    assert "more than 10 rows" in run(app, many)[0]
    app.config["FLOWCASE_IMPORT_MAX_ROWS"] = 1000
    huge = tmp_path / "huge.csv"
    huge.write_text("name;notes\nA;" + "x" * (10 * 1024 * 1024) + "\n", encoding="utf-8")
    message, count = run(app, huge)
    assert "too large" in message or "longer than" in message
    assert count == 0


def test_csv_in_cp1251_with_semicolons_and_tab_with_bom(app, tmp_path):
    cp = tmp_path / "cp1251.csv"
    cp.write_bytes("Название;Город\nАльтис;Москва\nСокол;Тюмень\n".encode("cp1251"))
    assert run(app, cp) == (None, 2)
    tab = tmp_path / "tab.csv"
    tab.write_bytes("\ufeffНазвание\tГород\nЛифт, ООО\tКазань\n".encode("utf-8"))
    assert run(app, tab) == (None, 3)


def test_bad_rows_are_reported_and_only_good_rows_written(app, tmp_path):
    path = xlsx(tmp_path, [["name", "email"], ["Good", "good@example.ru"], ["Bad", "no-at-sign"], ["", "x@y.ru"]])
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        result = import_file(records, records.section("account"), path)
        assert (result.created, result.failed) == (1, 2)
        assert {e["row"] for e in result.errors} == {3, 4}
        assert accounts() == 1


def test_upload_page_shows_the_message(app, client, tmp_path):
    with app.app_context():
        create_user("admin", "pw", superuser=True)
    client.post("/login", data={"login": "admin", "password": "pw"})
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04broken")
    with open(path, "rb") as handle:
        response = client.post("/account/import", data={"file": (handle, "bad.xlsx")})
    assert response.status_code == 400 and "damaged" in response.get_data(as_text=True)
