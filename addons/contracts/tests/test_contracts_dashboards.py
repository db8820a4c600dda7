"""The budget dashboard's widgets count what hand-written SQL counts, for a salesperson (own contracts only)
and for the sales manager (all of them)."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.addons.data import ref
from core.dashboards import periods
from core.dashboards.buckets import bucket_end
from core.dashboards.compute import compute
from core.dashboards.models import DashboardWidget

from .conftest import login

pytestmark = pytest.mark.addons("contracts")

TODAY = date.today()
START, END = TODAY - timedelta(days=120), TODAY + timedelta(days=120)
PAYMENTS = "contracts_payment p JOIN contracts_contract c ON c.id = p.contract_id"
PLANNED = "contracts_planned_payment p JOIN contracts_contract c ON c.id = p.contract_id"


@pytest.fixture
def budget(app_ctx, records, users):
    """Income and expense contracts of alice and bob with planned payments over eight months, some paid."""
    with records.transaction():
        customer = records.create("account", {"name": "ТЕХНАБ"})
        supplier = records.create("account", {"name": "ЛифтКомплект"})
        for n, (login_name, direction) in enumerate((("alice", "income"), ("alice", "expense"),
                                                      ("bob", "income"), ("bob", "expense"))):
            contract = records.create("contract", {
                "name": f"Договор {n}", "account_id": (customer if direction == "income" else supplier).id,
                "direction": direction, "amount": "900000", "owner_id": users[login_name].id})
            for k in range(4):
                planned = TODAY + timedelta(days=-100 + 45 * k + n * 3)
                plan = records.create("contract_payment", {"contract_id": contract.id, "planned_date": planned,
                                                           "amount": Decimal(100000 + 1000 * n + 10 * k)})
                if k < 2:  # the first two are paid (the second only in part), later ones not yet
                    amount = plan.amount if k == 0 else Decimal("33333.33")
                    records.create("contract_paid", {"contract_id": contract.id, "planned_payment_id": plan.id,
                                                     "date": planned + timedelta(days=2), "amount": amount})
    return users


def money(value) -> Decimal:
    """SQLite sums NUMERIC as float: compare both sides to the cent."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def widget(session, key) -> DashboardWidget:
    return session.get(DashboardWidget, ref(session, key, "contracts"))


def _mine(login_name):
    return "AND c.owner_id = :me" if login_name != "manager" else ""


@pytest.mark.parametrize("login_name", ["alice", "manager"])
def test_income_and_expense_per_month_equal_sql(app_ctx, records, budget, login_name):
    viewer = budget[login_name]
    result = compute(app_ctx.extensions["flowcase"].records(viewer),
                     widget(records.session, "widget_income_expense_per_month"),
                     periods.resolve("custom", TODAY, START.isoformat(), END.isoformat()), TODAY)
    assert result.error is None and len(result.points) >= 4
    assert {key for key, _ in result.series} == {"income", "expense"}
    for point in result.points:
        start = date.fromisoformat(point.category)
        expected = records.session.scalar(sa.text(
            f"SELECT sum(p.amount) FROM {PAYMENTS} WHERE p.direction = :d AND p.date >= :s AND p.date < :e "
            f"AND p.date >= :ps AND p.date < :pe {_mine(login_name)}"),
            {"d": point.series, "s": start, "e": bucket_end(start, "month"), "ps": START,
             "pe": END + timedelta(days=1), "me": viewer.id})
        assert money(point.value) == money(expected), point
    total = records.session.scalar(sa.text(f"SELECT sum(p.amount) FROM {PAYMENTS} WHERE 1 = 1 {_mine(login_name)}"),
                                   {"me": viewer.id})
    assert money(sum(p.value for p in result.points)) == money(total)


@pytest.mark.parametrize("login_name", ["alice", "manager"])
def test_planned_by_state_and_overdue_equal_sql(app_ctx, records, budget, login_name):
    viewer = budget[login_name]
    viewer_records = app_ctx.extensions["flowcase"].records(viewer)
    chart = compute(viewer_records, widget(records.session, "widget_planned_per_month_by_state"),
                    periods.resolve("custom", TODAY, START.isoformat(), END.isoformat()), TODAY)
    per_state = {}
    for point in chart.points:
        per_state[point.series] = money(per_state.get(point.series, 0) + point.value)
    rows = records.session.execute(sa.text(
        f"SELECT p.state, sum(p.amount) FROM {PLANNED} WHERE 1 = 1 {_mine(login_name)} GROUP BY p.state"),
        {"me": viewer.id}).all()
    assert per_state == {state: money(value) for state, value in rows}
    assert set(per_state) == {"paid", "overdue", "planned"}

    overdue = compute(viewer_records, widget(records.session, "widget_overdue_amount"), None, TODAY)
    expected = records.session.scalar(sa.text(
        f"SELECT sum(p.amount - p.paid_amount) FROM {PLANNED} WHERE p.planned_date < :today "
        f"AND p.state <> 'paid' {_mine(login_name)}"), {"today": TODAY, "me": viewer.id})
    assert money(overdue.value) == money(expected) and overdue.value > 0


def test_what_is_still_expected_per_month_equals_sql(app_ctx, records, budget):
    viewer = budget["alice"]
    result = compute(app_ctx.extensions["flowcase"].records(viewer),
                     widget(records.session, "widget_expected_per_month"), None, TODAY)
    assert result.error is None and result.points
    for point in result.points:
        start = date.fromisoformat(point.category)
        expected = records.session.scalar(sa.text(
            f"SELECT sum(p.amount - p.paid_amount) FROM {PLANNED} WHERE p.state <> 'paid' AND p.direction = :d "
            "AND p.planned_date >= :s AND p.planned_date < :e AND c.owner_id = :me"),
            {"d": point.series, "s": start, "e": bucket_end(start, "month"), "me": viewer.id})
        assert money(point.value) == money(expected), point
    assert money(sum(p.value for p in result.points)) == money(records.session.scalar(sa.text(
        f"SELECT sum(p.remaining) FROM {PLANNED} WHERE p.state <> 'paid' AND c.owner_id = :me"), {"me": viewer.id}))


def test_the_budget_page_shows_the_widgets_with_links_to_what_they_count(client, budget):
    login(client, "alice")
    page = client.get("/dashboards/contracts_budget").get_data(as_text=True)
    for title in ("Income and expense per month", "Planned payments per month by state", "Overdue payments",
                  "Still expected per month"):
        assert title in page
    link = re.search(r'href="(/contract_payment/\?filter=[^"]*named[^"]*)"', page).group(1).replace("&amp;", "&")
    listing = client.get(link).get_data(as_text=True)
    assert "data-fc-count" in listing
