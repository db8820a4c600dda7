"""Contacts and accounts written through the records service: derived values and validation."""
from __future__ import annotations

import pytest

from core.errors import ValidationError

pytestmark = pytest.mark.addons("crm")


def test_contact_gets_full_name_and_matching_keys(records, crm):
    contact = records.create("contact", {
        "first_name": "Сергей", "middle_name": "Иванович", "last_name": "Петров",
        "phone": "+7 (495) 123-45-67", "mobile": "8 916 555-12-34", "email": "  S.Petrov@TechNab.ru ",
    })
    assert contact.name == "Петров Сергей Иванович"
    assert contact.phone_normalized == "+74951234567"
    assert contact.mobile_normalized == "+79165551234"
    assert contact.email_normalized == "s.petrov@technab.ru"

    # A telephony lookup finds the contact whichever way the caller's number is written.
    Contact = crm.models.Contact
    key = crm.normalize.normalize_phone("8 (916) 555 12 34")
    found = records.session.scalars(records.select("contact").where(Contact.mobile_normalized == key)).all()
    assert found == [contact]


def test_update_keeps_name_and_keys_in_step_and_logs_them(records):
    from core.models import ChangeLog

    contact = records.create("contact", {"first_name": "Emily", "last_name": "Taylor", "email": "emily@example.com"})
    assert contact.name == "Emily Taylor"
    records.update("contact", contact, {"last_name": "Brown", "email": "Emily.Brown@Example.com", "phone": "00 44 20 7946 0958"})
    assert contact.name == "Emily Brown"
    assert contact.email_normalized == "emily.brown@example.com"
    assert contact.phone_normalized == "+442079460958"
    logged = set(records.session.scalars(
        ChangeLog.__table__.select().with_only_columns(ChangeLog.field)
        .where(ChangeLog.section == "contact", ChangeLog.record_id == contact.id, ChangeLog.operation == "update")
    ))
    assert {"last_name", "name", "email", "email_normalized", "phone", "phone_normalized"} <= logged

    records.update("contact", contact, {"phone": None})
    assert contact.phone_normalized is None


@pytest.mark.parametrize("values, field, text", [
    ({"first_name": "", "last_name": ""}, "last_name", "first name or a last name"),
    ({"last_name": "Smith", "email": "smith.example.com"}, "email", "@"),
    ({"last_name": "Smith", "email": "smith@localhost"}, "email", "domain"),
    ({"last_name": "Smith", "mobile": "n/a"}, "mobile", "digits"),
])
def test_contact_validation_names_the_field(records, values, field, text):
    with pytest.raises(ValidationError) as caught:
        records.create("contact", values)
    messages = [str(m) for m in caught.value.errors[field]]
    assert any(text in m for m in messages), messages


def test_invalid_update_changes_nothing(records):
    contact = records.create("contact", {"last_name": "Smith", "email": "smith@example.com"})
    with pytest.raises(ValidationError):
        records.update("contact", contact.id, {"email": "broken"})
    records.session.expire_all()
    assert records.get("contact", contact.id).email == "smith@example.com"


def test_account_validation_and_parent_loops(records):
    with pytest.raises(ValidationError) as caught:
        records.create("account", {"name": "ACME", "email": "acme"})
    assert "email" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        records.create("account", {"email": "info@acme.com"})
    assert "name" in caught.value.errors

    holding = records.create("account", {"name": "Holding"})
    branch = records.create("account", {"name": "Branch", "parent_id": holding.id})
    with pytest.raises(ValidationError) as caught:
        records.update("account", holding, {"parent_id": branch.id})
    assert "parent_id" in caught.value.errors
    with pytest.raises(ValidationError):
        records.update("account", holding, {"parent_id": holding.id})


def test_new_records_belong_to_their_creator(app_ctx, users):
    state = app_ctx.extensions["flowcase"]
    as_alice = state.records(user=users["alice"])
    account = as_alice.create("account", {"name": "Alice's client"})
    assert account.owner_id == users["alice"].id
    other = as_alice.create("account", {"name": "Bob's client", "owner_id": users["bob"].id})
    assert other.owner_id == users["bob"].id


@pytest.mark.parametrize("raw, key", [
    ("+7 (912) 345-67-89", "+79123456789"),
    ("8 912 345 67 89", "+79123456789"),
    ("79123456789", "+79123456789"),
    ("(912) 345-67-89", "+79123456789"),
    ("00 44 20 7946 0958", "+442079460958"),
    ("+380 (44) 303-93-03", "+380443039303"),
    ("+7 495 123 45 67 доб. 123", "+74951234567"),
    ("+7 495 123 45 67 ДОБ 12", "+74951234567"),
    ("+7 495 123 45 67 Ext.5", "+74951234567"),
    ("8 495 123 45 67 x 5", "+74951234567"),
    ("123", "123"),
    ("", None),
    ("—", None),
])
def test_normalize_phone(crm, raw, key):
    assert crm.normalize.normalize_phone(raw) == key


def test_full_name_order_follows_the_script(crm):
    assert crm.normalize.full_name("Ірина", None, "Коваленко") == "Коваленко Ірина"
    assert crm.normalize.full_name("Thomas", "J.", "Müller") == "Thomas J. Müller"
    assert crm.normalize.full_name(None, None, "Smith") == "Smith"


def test_a_matching_key_given_without_its_number_is_not_kept(records):
    """The keys follow the numbers: a key sent with a new contact whose number is empty ends empty,
    while a key never set costs no write (the create skips setting None on it)."""
    contact = records.create("contact", {"last_name": "Keyed", "mobile": "8 916 555-00-01",
                                         "phone_normalized": "+70000000000", "email_normalized": "stale@example.com"})
    assert contact.phone_normalized is None
    assert contact.email_normalized is None
    assert contact.mobile_normalized == "+79165550001"
    plain = records.create("contact", {"last_name": "Plain"})
    assert (plain.phone_normalized, plain.mobile_normalized, plain.email_normalized) == (None, None, None)
