"""The Print menus come from the per-process configuration cache: an admin's change shows on the very next page.

Two app instances share one database, as two workers do: the forms are changed
through one of them (or through a session of its own, as another process or a
CLI command), and the other's next card and list must show the change, never the
forms it cached before.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.extensions import db
from core.printing.models import PrintForm
from core.users import create_user

pytestmark = pytest.mark.addons("sales")

_PROPOSAL = "Коммерческое предложение"


@pytest.fixture
def deal(app, client):
    """A superuser signed in on the first app, and an opportunity to open."""
    with app.app_context():
        create_user("admin", "pw", superuser=True)
        sudo = app.extensions["flowcase"].records(sudo=True)
        with sudo.transaction():
            deal_id = sudo.create("opportunity", {"name": "Lifts"}).id
    assert client.post("/login", data={"login": "admin", "password": "pw"}).status_code == 302
    return deal_id


def _card(client, deal_id) -> str:
    response = client.get(f"/opportunity/{deal_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _list(client) -> str:
    response = client.get("/opportunity/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_form_changed_in_another_worker_shows_on_the_next_card_and_list(app, second_app, client, deal):
    assert _PROPOSAL in _card(client, deal) and _PROPOSAL in _list(client)  # cached now
    with second_app.app_context():
        sudo = second_app.extensions["flowcase"].records(sudo=True)
        with sudo.transaction():
            form = db.session.scalars(sa.select(PrintForm).where(PrintForm.code == "commercial_proposal")).one()
            sudo.update("print_form", form, {"name": "Offer letter"})
            sudo.create("print_form", {"section": "opportunity", "code": "invoice", "name": "Invoice",
                                       "template": "<p>{{ record.name }}</p>", "language": "en"})
    card, page = _card(client, deal), _list(client)
    for html in (card, page):
        assert _PROPOSAL not in html and "Offer letter" in html and "Invoice" in html
    assert card.index("Invoice") < card.index("Offer letter")  # by name, as before the cache
    assert 'data-fc-print-form="invoice"' in card


def test_a_form_switched_off_by_another_process_leaves_the_menu(app, database, client, deal):
    assert 'data-fc-print' in _card(client, deal)
    engine = sa.create_engine(database.url)
    try:
        with Session(engine) as session:
            # A bare session, as a CLI command or a script would write: no records service, no flush events here.
            session.execute(sa.update(PrintForm).where(PrintForm.code == "commercial_proposal")
                            .values(active=False, version=PrintForm.version + 1))
            session.commit()
    finally:
        engine.dispose()
    assert 'data-fc-print' not in _card(client, deal)
    assert 'data-fc-print-selection' not in _list(client)


def test_a_form_flushed_inside_a_transaction_is_seen_there_and_not_kept_after_a_rollback(app, deal):
    from core.printing.service import menu_forms

    with app.test_request_context():
        state = app.extensions["flowcase"]
        sudo = state.records(sudo=True)
        section = state.sections.get("opportunity")
        assert [f.code for f in menu_forms(sudo, section)] == ["commercial_proposal"]
        db.session.add(PrintForm(section="opportunity", code="draft", name="Draft", template="<p></p>", language="en"))
        db.session.flush()
        assert "draft" in [f.code for f in menu_forms(sudo, section)]  # its own change, at once
        db.session.rollback()
        assert [f.code for f in menu_forms(sudo, section)] == ["commercial_proposal"]
