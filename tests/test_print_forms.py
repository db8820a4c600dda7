"""Print forms: a record printed as PDF through the card and the list, with Cyrillic text, rights and the sandbox."""
import io
import zipfile
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from core.extensions import db
from core.printing.models import PrintForm
from core.printing.render import PrintError, render_html
from core.printing.words import amount_in_words, format_money
from core.users import create_user

pytestmark = pytest.mark.addons("sales")


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def world(app_ctx):
    """alice sees only her opportunities (role with read: own); admin is a superuser; one Cyrillic client each."""
    from core.security.models import Role

    state = app_ctx.extensions["flowcase"]
    admin = create_user("admin", "pw", superuser=True)
    alice = create_user("alice", "pw")
    bob = create_user("bob", "pw")
    sudo = state.records(sudo=True)
    with sudo.transaction():
        role = sudo.create("role", {"code": "seller", "name": "Seller"})
        sudo.create("section_right", {"role_id": role.id, "section": "opportunity", "read": "own", "create": "all",
                                      "update": "own", "delete": "none"})
        sudo.create("section_right", {"role_id": role.id, "section": "account", "read": "all", "create": "none",
                                      "update": "none", "delete": "none"})
        client = sudo.create("account", {"name": "ООО «Ромашка»", "city": "Москва", "sales.tax_id": "7701234567"})
        mine = sudo.create("opportunity", {"name": "Лифты для ЖК «Берёзка»", "account_id": client.id,
                                           "amount": Decimal("123.45"), "currency": "RUB", "owner_id": alice.id})
        theirs = sudo.create("opportunity", {"name": "Чужая сделка", "account_id": client.id,
                                             "amount": Decimal("1000"), "owner_id": bob.id})
    alice.roles.append(db.session.get(Role, role.id))
    db.session.commit()
    return {"admin": admin, "alice": alice, "mine": mine.id, "theirs": theirs.id, "state": state}


def _login(client, login):
    assert client.post("/login", data={"login": login, "password": "pw"}).status_code == 302


def test_sales_ships_a_russian_proposal_loaded_from_a_file(world):
    form = db.session.scalars(sa.select(PrintForm).where(PrintForm.code == "commercial_proposal")).one()
    assert form.section == "opportunity" and form.language == "ru" and form.owner == "sales"
    assert "amount_in_words" in form.template  # the {file: ...} value brought the template text in


def test_card_prints_a_pdf_with_the_cyrillic_client_and_amount_in_words(world, client):
    _login(client, "alice")
    card = client.get(f"/opportunity/{world['mine']}").get_data(as_text=True)
    assert "data-fc-print" in card and "Коммерческое предложение" in card
    response = client.get(f"/opportunity/{world['mine']}/print/commercial_proposal")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    assert "ООО «Ромашка»" in text
    assert "7701234567" in text  # the client's requisites, through the related record
    assert "сто двадцать три рубля 45 копеек" in text.lower()


def test_a_hidden_record_does_not_print(world, client):
    _login(client, "alice")
    assert client.get(f"/opportunity/{world['theirs']}/print/commercial_proposal").status_code == 404
    response = client.post("/opportunity/print", data={"ids": [world["mine"], world["theirs"]],
                                                       "code": "commercial_proposal", "mode": "merge"})
    assert response.status_code == 404


def test_hidden_fields_are_absent_from_the_document(world, client):
    sudo = world["state"].records(sudo=True)
    role_id = world["alice"].roles[0].id
    with sudo.transaction():
        sudo.create("column_right", {"role_id": role_id, "section": "opportunity", "field": "amount", "access": "hidden"})
        sudo.create("print_form", {"section": "opportunity", "code": "probe", "name": "Probe", "language": "en",
                                   "template": "<p>amount=[{{ record.amount }}] has={{ 'amount' in record }}</p>"})
    _login(client, "alice")
    text = _text(client.get(f"/opportunity/{world['mine']}/print/probe").data)
    assert "amount=[] has=False" in text


def test_selection_prints_as_a_zip_or_one_merged_pdf(world, client):
    sudo = world["state"].records(sudo=True)
    ids = [world["mine"], world["theirs"]]
    _login(client, "admin")
    listing = client.get("/opportunity/").get_data(as_text=True)
    assert "data-fc-print-selection" in listing
    zipped = client.post("/opportunity/print", data={"ids": ids, "code": "commercial_proposal", "mode": "zip"})
    assert zipped.status_code == 200 and zipped.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(zipped.data))
    assert sorted(archive.namelist()) == sorted(f"commercial_proposal-{i}.pdf" for i in ids)
    assert "Чужая сделка" in _text(archive.read(f"commercial_proposal-{world['theirs']}.pdf"))
    merged = client.post("/opportunity/print", data={"ids": ids, "code": "commercial_proposal", "mode": "merge"})
    assert merged.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(merged.data))
    assert len(reader.pages) == 2
    assert "Лифты" in reader.pages[0].extract_text() and "Чужая сделка" in reader.pages[1].extract_text()
    assert sudo.get("opportunity", world["mine"]) is not None


def test_nothing_selected_is_a_message_not_an_error(world, client):
    _login(client, "admin")
    response = client.post("/opportunity/print", data={"code": "commercial_proposal"}, follow_redirects=True)
    assert response.status_code == 200 and "Select the records to print first." in response.get_data(as_text=True)


@pytest.mark.parametrize("template", [
    "{{ record.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ record.items.__self__.__init__.__globals__ }}",
    "{% import 'os' as os %}",
    "{% include '/etc/passwd' %}",
])
def test_the_sandbox_refuses_unsafe_template_code(world, template):
    with pytest.raises(PrintError) as caught:
        render_html(template, {"record": {"id": 1}}, "ru")
    assert "print form" in str(caught.value)


def test_unsafe_template_from_the_card_is_a_message(world, client):
    sudo = world["state"].records(sudo=True)
    with sudo.transaction():
        sudo.create("print_form", {"section": "opportunity", "code": "evil", "name": "Evil", "language": "en",
                                   "template": "{{ ''.__class__.__mro__ }}"})
    _login(client, "admin")
    response = client.get(f"/opportunity/{world['mine']}/print/evil", follow_redirects=True)
    assert response.status_code == 200
    assert "Not printed: The print form uses something templates may not" in response.get_data(as_text=True)


def test_a_template_that_does_not_compile_is_refused_on_save(world):
    from core.errors import ValidationError

    sudo = world["state"].records(sudo=True)
    with pytest.raises(ValidationError) as caught:
        with sudo.transaction():
            sudo.create("print_form", {"section": "opportunity", "code": "broken", "name": "Broken", "language": "ru",
                                       "template": "{% if %}"})
    assert "template" in caught.value.errors


def test_users_cannot_reach_print_form_definitions(world, client):
    form_id = db.session.scalars(sa.select(PrintForm.id)).first()
    _login(client, "alice")
    assert "Коммерческое предложение" not in client.get("/print_form/").get_data(as_text=True)
    assert client.get(f"/print_form/{form_id}").status_code == 404


def test_money_and_words_follow_the_language():
    assert format_money(Decimal("1234567.891"), "ru") == "1\xa0234\xa0567,89"
    assert format_money(1234.5, "en", "USD") == "1,234.50 USD"
    assert amount_in_words(Decimal("123.45"), "ru", "RUB") == "сто двадцать три рубля 45 копеек"
    assert amount_in_words(Decimal("1123.45"), "uk", "UAH") == "одна тисяча сто двадцять три гривні 45 копійок"
    assert amount_in_words(Decimal("123.45"), "en", "USD") == "one hundred and twenty-three dollars 45 cents"
