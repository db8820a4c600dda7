"""Demo data: the hand-written records load whole, and the generator writes what the hooks would."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.addons.manager import AddonManager
from core.models import User

pytestmark = pytest.mark.addons("crm")


def _count(records, model) -> int:
    return records.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_hand_written_demo_loads_once(app_ctx, records, crm, users):
    manager = AddonManager(app_ctx.extensions["flowcase"])
    assert manager.load_demo(scale=0) == []
    m = crm.models
    assert (_count(records, m.Account), _count(records, m.Contact), _count(records, m.Activity)) == (12, 15, 16)
    assert manager.load_demo(scale=0) == []  # `make run` loads the demo on every start
    assert _count(records, m.Account) == 12

    technab = records.session.scalars(sa.select(m.Account).where(m.Account.name == "ТЕХНАБ")).one()
    assert technab.owner_id == users["alice"].id
    petrov = records.session.scalars(sa.select(m.Contact).where(m.Contact.last_name == "Петров")).one()
    assert petrov.name == "Петров Сергей Иванович" and petrov.mobile_normalized == "+79165551234"
    # Each demo user owns records, and the three planned-activity states all occur.
    owners = set(records.session.scalars(sa.select(m.Account.owner_id).distinct()))
    assert owners == {users["manager"].id, users["alice"].id, users["bob"].id}
    states = set(records.session.scalars(sa.select(crm.planning.planned_activity_state()).select_from(m.Account)))
    assert states == {"none", "planned", "overdue"}


def test_generator_scales_and_matches_the_hooks(app_ctx, records, crm, users):
    manager = AddonManager(app_ctx.extensions["flowcase"])
    assert manager.load_demo(scale=20) == []
    m, normalize = crm.models, crm.normalize
    accounts, contacts, activities = (_count(records, m.Account) - 12, _count(records, m.Contact) - 15,
                                      _count(records, m.Activity) - 16)
    # Exact totals, though each account has its own number of contacts and activities.
    assert (accounts, contacts, activities) == (20, 60, 200)
    per_account = set(records.session.scalars(
        sa.select(sa.func.count()).select_from(m.Contact).where(m.Contact.id > 15).group_by(m.Contact.account_id)))
    assert len(per_account) > 1

    # Owners: the demo users and the generated salespeople (sales_user role, in the manager's team).
    salespeople = records.session.scalars(sa.select(User).where(User.login.like("demo_sales%"))).all()
    assert len(salespeople) == 2 and all(p.manager_id == users["manager"].id for p in salespeople)
    assert all([role.code for role in p.roles] == ["sales_user"] for p in salespeople)
    owners = {u.id for u in users.values()} | {p.id for p in salespeople}
    used = set(records.session.scalars(sa.select(m.Activity.owner_id).where(m.Activity.id > 16)))
    assert {p.id for p in salespeople} <= used

    generated = records.session.scalars(sa.select(m.Contact).where(m.Contact.id > 15)).all()
    for contact in generated:
        assert contact.name == normalize.full_name(contact.first_name, contact.middle_name, contact.last_name)
        assert contact.phone_normalized == normalize.normalize_phone(contact.phone)
        assert contact.mobile_normalized == normalize.normalize_phone(contact.mobile)
        assert contact.email_normalized == normalize.normalize_email(contact.email)
        assert normalize.is_valid_email(contact.email)
    for activity in records.session.scalars(sa.select(m.Activity).where(m.Activity.id > 16)):
        expected = ("contact", activity.contact_id) if activity.contact_id else ("account", activity.account_id)
        assert (activity.section, activity.record_id) == expected
        assert activity.owner_id in owners
        assert (activity.actual_end_at is not None) == (activity.status == "done")

    # Ids were given explicitly: the next record made the normal way must not collide (PostgreSQL sequences).
    with records.transaction():
        account = records.create("account", {"name": "After the generator"})
        contact = records.create("contact", {"last_name": "Next", "account_id": account.id})
        activity = records.create("activity", {"subject": "Next", "contact_id": contact.id})
    assert account.id == 33 and activity.account_id == account.id


def test_scale_zero_generates_nothing(records, crm):
    assert crm.demo_generator.generate(records, 0) == {"account": 0, "contact": 0, "activity": 0}
