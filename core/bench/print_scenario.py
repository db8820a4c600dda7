"""The ``print_form`` bench scenario: a one-page account document as PDF, beside the bare Jinja + xhtml2pdf work.

The bench seeds its own form (code ``bench_print``) through the records service;
the floor renders the same template with plain Jinja over a bare query and
converts it with xhtml2pdf and the same font, without the app, rights or sandbox.
"""
from __future__ import annotations

import io

import sqlalchemy as sa
from jinja2 import Environment
from xhtml2pdf import pisa

from core.extensions import db
from core.request_session import read_connection

CODE = "bench_print"
TEMPLATE = """<html><body>
<h1>Карточка клиента № {{ record.id }}</h1>
<table>
<tr><td>Наименование</td><td>{{ record.name }}</td></tr>
<tr><td>Город</td><td>{{ record.city or "" }}</td></tr>
<tr><td>Телефон</td><td>{{ record.phone or "" }}</td></tr>
<tr><td>Эл. почта</td><td>{{ record.email or "" }}</td></tr>
</table>
<p>Сумма: {{ 123456.78|money }} ({{ 123456.78|amount_in_words("ru", "RUB") }})</p>
</body></html>"""


def print_scenario(ctx, scenario_class, table):
    """A one-page print of an account through ``GET /account/<id>/print/bench_print``."""
    name, title = "print_form", "One-page print form PDF"
    account = table("crm_account")
    if account is None or "account" not in ctx.state.sections or not ctx.has_route("/<section_name>/<int:record_id>/print"):
        return scenario_class(name, title, unavailable="needs the crm add-on and print forms")
    from core.printing.models import PrintForm
    from core.printing.render import font_css, _policy
    from core.printing.words import amount_in_words, format_money

    if not db.session.scalar(sa.select(PrintForm.id).where(PrintForm.section == "account", PrintForm.code == CODE)):
        records = ctx.state.records(sudo=True)
        with records.transaction():
            records.create("print_form", {"section": "account", "code": CODE, "name": "Bench", "language": "ru",
                                          "template": TEMPLATE, "owner": "admin"})
    account_id = db.session.scalar(sa.select(account.c.id).order_by(account.c.id).limit(1))
    url = f"/account/{account_id}/print/{CODE}"
    env = Environment(autoescape=True)
    env.filters["money"] = lambda value: format_money(value, "ru")
    env.filters["amount_in_words"] = lambda value, lang, currency: amount_in_words(value, lang, currency)
    template = env.from_string(TEMPLATE)

    def floor():
        with read_connection(db.engine) as conn:
            row = conn.execute(sa.select(account).where(account.c.id == account_id)).mappings().first()
        out = io.BytesIO()
        pisa.CreatePDF(font_css() + template.render(record=dict(row)), dest=out, encoding="utf-8",
                       resource_policy=_policy())
        return out.getvalue()

    return scenario_class(name, title, run=lambda: ctx.get(url), floor=floor, extra={"url": url})
