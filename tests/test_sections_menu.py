"""The "Sections" menu offers only the sections the user may read, and follows changes of rights at once."""
import re

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.security.models import Role, SectionRight
from core.users import create_user

pytestmark = pytest.mark.addons("crm")


def login(client, name):
    client.post("/logout")
    assert client.post("/login", data={"login": name, "password": "pw"}).status_code == 302


def menu(client) -> set[str]:
    """Section names the navigation's "Sections" dropdown links to."""
    text = client.get("/").get_data(as_text=True)
    block = re.search(r"data-fc-sections-menu.*?</ul>", text, re.S)
    return set(re.findall(r'class="dropdown-item" href="/(\w+)/"', block.group(0))) if block else set()


@pytest.fixture
def people(app):
    """An admin; bob, who reads his own accounts only; contacts readable by the "service" role alone."""
    with app.app_context():
        create_user("admin", "pw", superuser=True)
        bob = create_user("bob", "pw")
        sales = Role(code="sales", name="Sales")
        service = Role(code="service", name="Service")
        db.session.add_all([sales, service])
        db.session.flush()
        db.session.add_all([
            SectionRight(role_id=sales.id, section="account", read="own", create="own", update="own", delete="none"),
            SectionRight(role_id=service.id, section="contact", read="all", create="all", update="all", delete="all"),
        ])
        bob.roles.append(sales)
        db.session.commit()
        app.extensions["flowcase"].records(sudo=True).create("contact", {"last_name": "Hidden"})
        return {"sales": sales.id, "service": service.id, "bob": bob.id}


def test_a_user_sees_only_the_sections_he_may_read(client, people):
    login(client, "bob")
    mine = menu(client)
    assert "account" in mine and "contact" not in mine
    assert all(client.get(f"/{name}/").status_code == 200 for name in mine)  # every entry opens
    # What the menu no longer offers, typed as a URL, says why it shows nothing, on the page and in the API.
    refused = client.get("/contact/")
    assert refused.status_code == 403 and "<tr data-id=" not in refused.get_data(as_text=True)
    assert "You have no access to Contacts" in refused.get_data(as_text=True)

    login(client, "admin")
    everything = menu(client)
    assert {"account", "activity", "contact"} <= everything and mine < everything


def test_the_api_refuses_a_list_of_a_section_the_key_may_not_read(app, client, people):
    from core.api.keys import create_key
    from core.models import User

    with app.app_context():
        _, token = create_key(db.session.get(User, people["bob"]), "test")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/account", headers=headers).status_code == 200
    refused = client.get("/api/v1/contact", headers=headers)
    assert refused.status_code == 403 and "You have no access to Contacts" in refused.get_data(as_text=True)


def test_a_right_granted_or_taken_shows_on_the_next_page(app, client, people):
    login(client, "bob")
    assert "contact" not in menu(client)
    with app.app_context():
        db.session.add(SectionRight(role_id=people["sales"], section="contact", read="own", create="none",
                                    update="none", delete="none"))
        db.session.commit()
    assert "contact" in menu(client)

    with app.app_context():
        db.session.execute(sa.delete(SectionRight).where(SectionRight.role_id == people["sales"],
                                                         SectionRight.section == "account"))
        db.session.commit()
    assert "account" not in menu(client)


def test_a_role_taken_from_the_user_shows_on_the_next_page(app, client, people):
    login(client, "bob")
    assert "account" in menu(client)
    with app.app_context():
        from core.models import User

        bob = db.session.get(User, people["bob"])
        bob.roles.clear()
        db.session.commit()
    assert "account" not in menu(client)
