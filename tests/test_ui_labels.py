"""Pages translate their labels through :class:`core.ui.labels.Labels` (the request's catalogue fetched once)."""
from __future__ import annotations

import re

import pytest
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.demo_users import ensure_demo_users
from core.ui.labels import Labels

pytestmark = pytest.mark.addons("crm")


def test_labels_give_what_str_gives_in_the_request_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        labels = Labels()
        for value in (_l("Parent account"), _l("Postal code"), _l("No such message here"),
                      _l("%(section)s #%(id)s does not exist", section="X", id=3)):
            assert labels(value) == str(value)
        assert labels(_l("Parent account")) == "Головной контрагент"
        assert labels(None) is None and labels("plain") == "plain" and labels(7) == "7"
        assert labels(Markup("<b>x</b>")).__class__ is Markup  # markup stays markup (not escaped later)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert Labels()(_l("Parent account")) == "Parent account"


def test_card_and_list_labels_follow_the_language(app, client):
    with app.app_context():
        ensure_demo_users()
        records = app.extensions["flowcase"].records(sudo=True)
        account = records.create("account", {"name": "Альтис-Лифт"})
        records.create("contact", {"last_name": "Кузнецов", "account_id": account.id})
        records.session.commit()
        account_id = account.id
    assert client.post("/login", data={"login": "admin", "password": "admin"}).status_code == 302
    ru = {"Accept-Language": "ru"}
    card = client.get(f"/account/{account_id}", headers=ru).get_data(as_text=True)
    labels = re.findall(r'<dt class="col-sm-4 fw-normal text-muted">([^<]+)</dt>', card)
    assert "Головной контрагент" in labels and "Отрасль" in labels, labels
    grid = card.split("data-fc-detail-grid", 1)[1].split("</thead>", 1)[0]
    assert "Фамилия" in grid or "ФИО" in grid or "Полное имя" in grid, grid
    listing = client.get("/account/", headers=ru).get_data(as_text=True)
    header = listing.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert "Ответственный" in header or "Отрасль" in header, header
    english = client.get(f"/account/{account_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Parent account" in english and "Головной контрагент" not in english


_TEXTS = (
    '{{ _("Export") }}|{{ _("Page %(page)s of %(pages)s", page=2, pages="3+") }}|'
    '{{ _("Delete the saved filter “%(name)s”?", name="<b>&") }}|{{ _("No such message <here>") }}|'
    '{{ ngettext("%(num)d record", "%(num)d records", 1) }}|{{ ngettext("%(num)d record", "%(num)d records", 5) }}|'
    '{{ _("%(n)s+ records", n="10,000") }}'
)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_section_pages_translate_their_templates_as_flask_babel_does(app, language):
    from flask import render_template_string

    from core.ui.labels import template_gettext

    with app.test_request_context("/", headers={"Accept-Language": language}):
        expected = render_template_string(_TEXTS)  # Flask-Babel's own gettext and ngettext
        fast = app.jinja_env.from_string(_TEXTS).render(**template_gettext())
    assert fast == expected
    assert ("Экспорт" in fast) == (language == "ru") and "&lt;b&gt;&amp;" in fast


def test_a_list_page_in_russian_uses_the_fast_texts(app, client):
    with app.app_context():
        ensure_demo_users()
    assert client.post("/login", data={"login": "admin", "password": "admin"}).status_code == 302
    page = client.get("/account/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Экспорт" in page and "Export" not in page
