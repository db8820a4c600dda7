"""ALTIS-LIFT (CASES.md case 3): accounts and contacts imported from an Excel workbook with column mapping.

The workbook is written by openpyxl, with Russian headers, links from contacts
to accounts by name, duplicates inside the file and against the database, and
historical created dates and owners.
"""
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
import io

from core.dataio.imports import import_file
from core.extensions import db
from core.models import ChangeLog
from core.models.dataio import ImportRow, ImportRun
from core.models.dedup import DedupRule
from core.users import create_user

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def workbook(tmp_path):
    book = Workbook()
    accounts = book.active
    accounts.title = "Accounts"
    accounts.append(["Название", "Телефон", "Email", "Город", "Ответственный", "Created on"])
    accounts.append(["АЛЬТИС-ЛИФТ", "+7 495 111-22-33", "info@altis-lift.ru", "Москва", "manager", datetime(2019, 3, 1, 9, 0)])
    accounts.append(["Сокол", "8 (3452) 55-66-77", "sokol@example.ru", "Тюмень", "alice", datetime(2020, 5, 2, 10, 0)])
    accounts.append(["Лифтмонтаж", "", "", "Казань", "bob", None])
    contacts = book.create_sheet("Contacts")
    contacts.append(["Фамилия", "Имя", "Мобильный телефон", "Email", "Контрагент", "Должность"])
    contacts.append(["Петров", "Иван", "+7 912 345-67-89", "petrov@altis-lift.ru", "АЛЬТИС-ЛИФТ", "Директор"])
    contacts.append(["Сидорова", "Анна", "89001112233", "anna@sokol.ru", "Сокол", "Снабжение"])
    contacts.append(["Петров", "Иван", "8 (912) 3456789", "", "АЛЬТИС-ЛИФТ", "Директор"])  # same phone: in-file duplicate
    contacts.append(["Кузнецов", "Олег", "+7 903 000-00-01", "", "Существующий клиент", ""])  # duplicate of the database
    contacts.append(["Нет", "Компании", "+7 903 000-00-99", "", "Нет такой компании", ""])  # unknown account
    path = tmp_path / "altis.xlsx"
    book.save(path)
    return path


@pytest.fixture
def setup(app):
    with app.app_context():
        admin = create_user("admin", "pw", superuser=True)
        for login in ("manager", "alice", "bob"):
            create_user(login, login)
        db.session.add(DedupRule(section="contact", name="mobile", fields=[{"path": "mobile", "normalize": "phone"}],
                                 action="warn", active=True))
        db.session.commit()
        records = app.extensions["flowcase"].records(admin)
        existing = records.create("account", {"name": "Существующий клиент"})
        records.create("contact", {"last_name": "Кузнецов", "first_name": "Олег", "mobile": "+79030000001",
                                   "account_id": existing.id})
    return app


def count(table):
    return db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))


def test_altis_lift_accounts_then_contacts(setup, workbook):
    app = setup
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        run = import_file(records, records.section("account"), workbook, sheet="Accounts")
        assert (run.status, run.created, run.failed) == ("done", 3, 0), run.errors
        altis = db.session.scalars(sa.select(records.section("account").model).where(
            records.section("account").model.name == "АЛЬТИС-ЛИФТ")).one()
        assert altis.city == "Москва" and altis.email == "info@altis-lift.ru"
        assert altis.owner_id == db.session.scalar(sa.text("select id from core_user where login='manager'"))
        assert altis.created_at.replace(tzinfo=timezone.utc) == datetime(2019, 3, 1, 9, 0, tzinfo=timezone.utc)

        run = import_file(records, records.section("contact"), workbook, sheet="Contacts", on_duplicate="skip")
        assert run.status == "done"
        assert (run.created, run.skipped, run.failed) == (2, 2, 1), run.errors
        petrov = db.session.scalars(sa.select(records.section("contact").model).where(
            records.section("contact").model.last_name == "Петров")).one()
        assert petrov.account_id == altis.id and petrov.name == "Петров Иван"
        failed = [e for e in run.errors if e["level"] == "error"]
        assert failed == [{"row": 6, "field": "account_id", "message": "no record named “Нет такой компании”", "level": "error"}]
        # Changes of imported records are in the change log like any other write.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLog).where(
            ChangeLog.section == "contact", ChangeLog.operation == "create")) == 3


def test_retried_import_writes_nothing_new(setup, workbook):
    with setup.app_context():
        records = setup.extensions["flowcase"].records(sudo=True)
        import_file(records, records.section("account"), workbook, sheet="Accounts")
        before = (count("crm_account"), count("core_change_log"))
        again = import_file(records, records.section("account"), workbook, sheet="Accounts")
        assert again.created == 0 and again.skipped == 3
        assert (count("crm_account"), count("core_change_log")) == before
        assert count("core_import_row") == 3


def test_flag_choice_creates_duplicates_and_reports_them(setup, workbook):
    with setup.app_context():
        records = setup.extensions["flowcase"].records(sudo=True)
        import_file(records, records.section("account"), workbook, sheet="Accounts")
        run = import_file(records, records.section("contact"), workbook, sheet="Contacts", on_duplicate="flag")
        assert (run.created, run.flagged, run.failed) == (2, 2, 1)
        assert sum(1 for e in run.errors if e["level"] == "flagged") == 2


def test_upsert_by_key_updates_instead_of_inserting(setup, tmp_path):
    book = Workbook()
    book.active.append(["name", "city"])
    book.active.append(["Существующий клиент", "Самара"])
    book.active.append(["Новый клиент", "Уфа"])
    path = tmp_path / "upsert.xlsx"
    book.save(path)
    with setup.app_context():
        records = setup.extensions["flowcase"].records(sudo=True)
        run = import_file(records, records.section("account"), path, mode="upsert", key_field="name")
        assert (run.created, run.updated) == (1, 1)


def test_pages_preview_then_background_run_with_progress_and_error_report(setup, client, workbook):
    assert client.post("/login", data={"login": "admin", "password": "pw"}).status_code == 302
    with open(workbook, "rb") as handle:
        response = client.post("/account/import", data={"file": (handle, "altis.xlsx"), "sheet": "Accounts"})
    assert response.status_code == 303
    run_url = response.headers["Location"]
    page = client.get(run_url).get_data(as_text=True)
    assert "data-fc-preview" in page and "АЛЬТИС-ЛИФТ" in page
    assert 'value="name" selected' in page  # "Название" mapped automatically by its Russian label
    with setup.app_context():
        assert count("crm_account") == 1  # the preview wrote nothing
    # Map "Город" to nothing and a column to a bad target: the page says so, nothing is written.
    form = {"map.0": "name", "map.1": "phone", "map.2": "email", "map.3": "city", "map.4": "owner_id",
            "mode": "insert", "on_duplicate": "skip", "action": "start"}
    response = client.post(run_url, data=form)
    assert response.status_code == 303
    status = client.get(run_url + "/status.json").get_json()
    assert status["status"] == "done" and status["created"] == 3 and status["total"] == 3
    assert "100%" in client.get(run_url).get_data(as_text=True)


def test_error_report_lists_failed_rows(setup, client, workbook):
    client.post("/login", data={"login": "admin", "password": "pw"})
    with setup.app_context():
        records = setup.extensions["flowcase"].records(sudo=True)
        import_file(records, records.section("account"), workbook, sheet="Accounts")
    with open(workbook, "rb") as handle:
        response = client.post("/contact/import", data={"file": (handle, "altis.xlsx"), "sheet": "Contacts"})
    run_url = response.headers["Location"]
    client.post(run_url, data={"map.0": "last_name", "map.1": "first_name", "map.2": "mobile", "map.3": "email",
                               "map.4": "account_id", "mode": "insert", "on_duplicate": "skip", "action": "start"})
    report = client.get(run_url + "/errors.xlsx")
    rows = list(load_workbook(io.BytesIO(report.get_data()), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Row" and rows[0][-1] == "Errors"
    failed = [r for r in rows[1:] if r[0] == 6]
    assert failed and "Нет такой компании" in failed[0][-1]


def test_cli_import_prints_the_summary(setup, workbook):
    result = setup.test_cli_runner().invoke(args=["flowcase", "import", str(workbook), "--section", "account",
                                                  "--sheet", "Accounts"])
    assert result.exit_code == 0, result.output
    assert "created 3" in result.output
