"""Duplicate rules: check on save (block, warn + confirm) on every door, normalisation, OR across rules, scan, merge."""
import importlib

import pytest
import sqlalchemy as sa

from core.dedup import DuplicateError, confirm_duplicates
from core.dedup.normalize import normalize
from core.dedup.scan import duplicate_groups
from core.extensions import db
from core.models import ChangeLog
from core.models.dedup import DedupRule
from core.users import create_user


def add_rule(section, name, fields, action="warn"):
    db.session.add(DedupRule(section=section, name=name, fields=fields, action=action, active=True))
    db.session.commit()


def test_normalisations():
    assert normalize("phone", "8 (912) 345-67-89") == normalize("phone", "+7 912 345 67 89") == "+79123456789"
    assert normalize("digits", "77 07-0837 12") == "7707083712"
    assert normalize("text", "  ООО  Альтис-Лифт ") == normalize("text", "ооо альтис-лифт")
    assert normalize("email", " Ivan@Altis.RU ") == "ivan@altis.ru"
    assert normalize("phone", "") is None


@pytest.mark.addons("fx_ext")
def test_block_rule_on_an_extension_field_refuses_through_the_records_service(app_ctx):
    add_rule("fx_thing", "same name and colour", [{"path": "name", "normalize": "text"},
                                                  {"path": "fx_ext.colour", "normalize": "text"}], "block")
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    first = records.create("fx_thing", {"name": "Lamp", "fx_ext.colour": "Red"})
    records.create("fx_thing", {"name": "Lamp", "fx_ext.colour": "blue"})  # AND: colour differs
    with pytest.raises(DuplicateError) as caught:
        records.create("fx_thing", {"name": " lamp ", "fx_ext.colour": "RED"})
    assert caught.value.blocking and caught.value.candidates[0].record_id == first.id
    with pytest.raises(DuplicateError), confirm_duplicates(records):  # confirming never passes a block rule
        records.create("fx_thing", {"name": "LAMP", "fx_ext.colour": "red"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(app_ctx.extensions["flowcase"].sections.get("fx_thing").table)) == 2 + 2


@pytest.mark.addons("crm")
def test_phone_rule_or_email_rule_warns_and_confirming_saves(app_ctx):
    add_rule("contact", "phone", [{"path": "mobile", "normalize": "phone"}])
    add_rule("contact", "email", [{"path": "email", "normalize": "email"}])
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    ivan = records.create("contact", {"last_name": "Петров", "first_name": "Иван", "mobile": "+7 912 345-67-89",
                                      "email": "ivan@altis.ru"})
    with pytest.raises(DuplicateError) as by_phone:
        records.create("contact", {"last_name": "Петров", "mobile": "8 (912) 3456789"})
    assert not by_phone.value.blocking and by_phone.value.candidates[0].record_id == ivan.id
    with pytest.raises(DuplicateError):  # OR across rules: the e-mail alone matches too
        records.create("contact", {"last_name": "Другой", "email": "IVAN@altis.ru"})
    with confirm_duplicates(records):
        records.create("contact", {"last_name": "Петров", "mobile": "89123456789"})
    # Changing the number away from the duplicate is fine; an update into a duplicate is checked too.
    other = records.create("contact", {"last_name": "Сидоров", "mobile": "+7 900 000-00-00"})
    with pytest.raises(DuplicateError):
        records.update("contact", other, {"email": "ivan@ALTIS.ru"})


@pytest.mark.addons("crm")
def test_form_shows_candidates_with_links_and_saves_anyway(app, client):
    with app.app_context():
        create_user("admin", "pw", superuser=True)
        add_rule("account", "name", [{"path": "name", "normalize": "text"}])
        records = app.extensions["flowcase"].records(sudo=True)
        existing = records.create("account", {"name": "АЛЬТИС-ЛИФТ"}).id
    assert client.post("/login", data={"login": "admin", "password": "pw"}).status_code == 302
    response = client.post("/account/new", data={"name": "Альтис-лифт "})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f'href="/account/{existing}"' in page and 'name="confirm_duplicates"' in page
    response = client.post("/account/new", data={"name": "Альтис-лифт ", "confirm_duplicates": "1"})
    assert response.status_code == 303


@pytest.mark.addons("crm")
def test_scan_lists_groups_and_cli(app):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        for name in ("Альтис", "альтис ", "Сокол", "СОКОЛ", "Один"):
            records.create("account", {"name": name})
        add_rule("account", "name", [{"path": "name", "normalize": "text"}])  # added after the data: the scan rebuilds keys
        groups = duplicate_groups(records, records.section("account"))
        assert sorted(len(g.records) for g in groups) == [2, 2]
    result = app.test_cli_runner().invoke(args=["flowcase", "dedup", "scan", "account"])
    assert result.exit_code == 0 and "2 duplicate group(s)" in result.output


@pytest.mark.addons("crm")
def test_merge_repoints_references_fills_gaps_and_deletes_the_other(app, client):
    with app.app_context():
        admin = create_user("admin", "pw", superuser=True)
        records = app.extensions["flowcase"].records(admin)
        keep = records.create("account", {"name": "Альтис-Лифт", "phone": "+7 495 000-00-01"})
        other = records.create("account", {"name": "Альтис Лифт", "email": "info@altis.ru", "city": "Москва"})
        child = records.create("account", {"name": "Альтис Филиал", "parent_id": other.id})
        contact = records.create("contact", {"last_name": "Петров", "account_id": other.id})
        on_account = records.create("activity", {"subject": "Звонок", "section": "account", "record_id": other.id})
        keep_id, other_id = keep.id, other.id
        contact_id, child_id, activity_id = contact.id, child.id, on_account.id
    client.post("/login", data={"login": "admin", "password": "pw"})
    response = client.post("/account/merge", data={"keep": keep_id, "other": other_id})
    assert response.status_code == 303
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        kept = records.read("account", keep_id)
        assert kept["email"] == "info@altis.ru" and kept["city"] == "Москва" and kept["phone"] == "+7 495 000-00-01"
        assert records.read("contact", contact_id)["account_id"] == keep_id
        assert records.read("account", child_id)["parent_id"] == keep_id
        activity = records.read("activity", activity_id)
        assert activity["record_id"] == keep_id and activity["account_id"] == keep_id
        assert db.session.get(records.section("account").model, other_id) is None
        assert db.session.scalars(sa.select(ChangeLog).where(ChangeLog.operation == "merge",
                                                             ChangeLog.record_id == keep_id)).first() is not None


@pytest.mark.addons("crm")
def test_merging_contacts_moves_their_activities(app_ctx):
    # Another test in this process may have imported the sales models: their
    # tables (which point at contacts) are in the metadata but not installed here.
    importlib.import_module("flowcase_addons.sales.models")
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    keep = records.create("contact", {"last_name": "Петров", "mobile": "+79120000000"})
    other = records.create("contact", {"last_name": "Петров", "email": "p@altis.ru"})
    call = records.create("activity", {"subject": "Звонок", "contact_id": other.id})
    from core.dedup.merge import merge_records

    merge_records(records, "contact", keep.id, other.id)
    moved = records.read("activity", call.id)
    assert moved["contact_id"] == keep.id and moved["record_id"] == keep.id
    assert records.read("contact", keep.id)["email"] == "p@altis.ru"


@pytest.mark.addons("crm")
def test_deleting_a_rule_deletes_its_keys_and_keeps_the_others(app_ctx):
    """Keys carry no foreign key to their rule (a check per key written); the rule's deletion takes them along."""
    from core.models.dedup import DedupKey

    add_rule("contact", "phone", [{"path": "mobile", "normalize": "phone"}])
    add_rule("contact", "email", [{"path": "email", "normalize": "email"}])
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    records.create("contact", {"last_name": "Петров", "mobile": "+7 912 345-67-89", "email": "ivan@altis.ru"})
    phone, email = (db.session.scalars(sa.select(DedupRule).where(DedupRule.name == n)).one() for n in ("phone", "email"))

    def keys(rule):
        return db.session.scalar(sa.select(sa.func.count()).select_from(DedupKey).where(DedupKey.rule_id == rule.id))

    assert keys(phone) == keys(email) == 1
    email_id = email.id
    db.session.delete(phone)  # what the rules' admin page does
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DedupKey).where(DedupKey.rule_id != email_id)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DedupKey).where(DedupKey.rule_id == email_id)) == 1
