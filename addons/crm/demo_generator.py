"""Benchmark-sized demo data: ``flowcase demo --scale N`` makes N accounts, 3N contacts, 10N activities.

Why this bypasses the records service: it exists to fill a database with a
million rows in minutes so lists, filters and dashboards can be measured at
realistic size. One records-service call per row (coercion, hooks, change log,
an ORM flush) would take hours. The rows are written with SQLAlchemy Core
``executemany`` in chunks of :data:`CHUNK_ROWS` through the same session and
transaction the demo loader runs in, so a failure still rolls everything back.
To stay equal to what the records service would write, the generator fills
the derived columns itself exactly as ``hooks.py`` does (full name, phone and
e-mail matching keys, activity links and due dates); ``tests/test_crm_demo.py``
checks that. Generated rows get no change-log entries and no external ids:
they are not seeded data, and an uninstall with ``--drop-data`` removes them
with the tables.

Owners are spread over generated salespeople (:func:`ensure_salespeople`,
one per :data:`ACCOUNTS_PER_SALESPERSON` accounts, in the demo manager's team)
besides the demo users, so "per owner" lists and dashboards see realistic
portfolios. Counts are exact, not just on average: accounts come in pairs
whose contacts and activities add up to 6 and 20 (2+4, 3+3, ...), so the
numbers vary per account but the totals are 3N and 10N.
"""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from core.db import utcnow
from core.models import User

from . import demo_names as names
from .models import (
    Account, Activity, ActivityPriority, ActivityStatus, Contact, CrmAccountType, CrmActivityResult,
    CrmActivityType, CrmIndustry,
)
from .normalize import full_name

#: Rows per ``executemany`` call: large enough to amortise the call, small enough for memory.
CHUNK_ROWS = 5000
#: Accounts generated per batch (their contacts and 10x activities follow in the same batch); even, see ``run``.
ACCOUNTS_PER_BATCH = 500
#: One generated salesperson per this many accounts (at least 2, at most :data:`MAX_SALESPEOPLE`).
ACCOUNTS_PER_SALESPERSON = 500
MAX_SALESPEOPLE = 200
#: Login prefix of generated salespeople (``demo_sales001``); they cannot sign in (no password).
SALESPERSON_LOGIN = "demo_sales"
#: Per-account (contacts, activities) of a pair of accounts: each pair sums to (6, 20).
_PAIRS = [((2, 4), (5, 15)), ((3, 3), (10, 10)), ((4, 2), (12, 8)), ((3, 3), (7, 13)), ((2, 4), (9, 11))]


def ensure_salespeople(session, scale: int, rng: random.Random) -> list[int]:
    """Ids of the generated salespeople for ``scale`` accounts, creating the missing ones.

    Users are core rows without a section, so they are added like the demo
    users (:mod:`core.demo_users`): plain ORM rows. They get the seeded
    ``sales_user`` role and the demo ``manager`` as their manager when those exist.
    """
    from core.security.models import Role

    wanted = max(2, min(MAX_SALESPEOPLE, scale // ACCOUNTS_PER_SALESPERSON))
    existing = {login: user for login, user in session.execute(
        sa.select(User.login, User).where(User.login.like(f"{SALESPERSON_LOGIN}%")))}
    role = session.scalar(sa.select(Role).where(Role.code == "sales_user"))
    manager_id = session.scalar(sa.select(User.id).where(User.login == "manager"))
    people = []
    for number in range(1, wanted + 1):
        login = f"{SALESPERSON_LOGIN}{number:03d}"
        user = existing.get(login)
        if user is None:
            if rng.random() < 0.6:
                first, _ = rng.choice(names.RU_MALE + names.RU_FEMALE)
                display = f"{first} {rng.choice(names.RU_SURNAMES)}"
            else:
                display = f"{rng.choice(names.EN_FIRST)} {rng.choice(names.EN_LAST)}"
            user = User(login=login, name=display, email=f"{login}@example.com", active=True, manager_id=manager_id)
            if role is not None:
                user.roles.append(role)
            session.add(user)
        people.append(user)
    session.flush()
    return [user.id for user in people]


class _Generator:
    def __init__(self, records, scale: int, seed: int | None):
        self.session = records.session
        self.scale = scale
        self.rng = random.Random(scale if seed is None else seed)
        self.now = utcnow().replace(microsecond=0)
        self.today = self.now.date()
        session = self.session
        salespeople = ensure_salespeople(session, scale, self.rng) if scale > 0 else []
        self.users = list(session.scalars(sa.select(User.id).where(User.active.is_(True)).order_by(User.id))) or [None]
        # Salespeople carry most of the portfolio; demo users (admin, manager, alice, bob) keep some.
        self.users += salespeople * 3
        self.industries = list(session.scalars(sa.select(CrmIndustry.id))) or [None]
        self.account_types = list(session.scalars(sa.select(CrmAccountType.id))) or [None]
        self.results = list(session.scalars(sa.select(CrmActivityResult.id))) or [None]
        types = dict(session.execute(sa.select(CrmActivityType.code, CrmActivityType.id)).all())
        # (code, weight): calls dominate a salesperson's day.
        self.type_pool = [(code, types.get(code)) for code, weight in
                          (("call", 8), ("task", 5), ("meeting", 4), ("email", 3)) for _ in range(weight)]
        self.next_id = {model: (session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
                        for model in (Account, Contact, Activity)}
        # Creation stamps spread over three years, so "client base growth" charts have a shape.
        self.stamps = [self.now - timedelta(days=self.rng.randint(0, 3 * 365), seconds=self.rng.randint(0, 86399))
                       for _ in range(997)]

    def _id(self, model) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def _system(self, model) -> dict:
        stamp = self.rng.choice(self.stamps)
        return {"id": self._id(model), "version": 1, "created_at": stamp, "updated_at": stamp, "custom": {},
                "created_by_id": None, "updated_by_id": None}

    # -- rows ------------------------------------------------------------------------------------
    def account(self) -> tuple[dict, bool]:
        rng = self.rng
        russian = rng.random() < 0.6
        if russian:
            root = rng.choice(names.RU_COMPANY_ROOTS) + rng.choice(names.RU_COMPANY_SUFFIXES)
            name = f"{rng.choice(names.RU_COMPANY_FORMS)} «{root}»"
            country, region, city, prefix = rng.choice(names.RU_PLACES)
            street = f"{rng.choice(names.RU_STREETS)}, {rng.randint(1, 150)}"
            domain = names.latin(root) + rng.choice((".ru", ".ru", ".com", ".su"))
        else:
            root = f"{rng.choice(names.EN_COMPANY_ROOTS)} {rng.choice(names.EN_COMPANY_KINDS)}"
            name = f"{root} {rng.choice(names.EN_COMPANY_FORMS)}"
            country, region, city, prefix = rng.choice(names.EN_PLACES)
            street = f"{rng.randint(1, 300)} {rng.choice(names.EN_STREETS)}"
            domain = names.latin(root) + rng.choice((".com", ".co.uk", ".de", ".eu"))
        row = self._system(Account)
        row.update({
            "name": name, "account_type_id": rng.choice(self.account_types), "industry_id": rng.choice(self.industries),
            "owner_id": rng.choice(self.users), "phone": f"{prefix} {rng.randint(200, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            "email": f"info@{domain}", "web": domain, "country": country, "region": region, "city": city,
            "street": street, "zip": f"{rng.randint(10000, 999999)}", "parent_id": None, "notes": None,
        })
        return row, russian

    def _mobile(self, russian: bool) -> tuple[str, str]:
        """A mobile number as people type it, and its matching key (as :func:`normalize_phone` gives)."""
        rng = self.rng
        if russian:
            code, a, b, c = rng.randint(900, 999), rng.randint(100, 999), rng.randint(10, 99), rng.randint(10, 99)
            return rng.choice((f"+7 {code} {a}-{b}-{c}", f"8 ({code}) {a}-{b}-{c}")), f"+7{code}{a}{b}{c}"
        code, rest = rng.randint(151, 179), rng.randint(1000000, 9999999)
        return f"+49 {code} {rest}", f"+49{code}{rest}"

    def contact(self, account: dict, russian: bool) -> dict:
        rng = self.rng
        if russian:
            female = rng.random() < 0.45
            first, middle = rng.choice(names.RU_FEMALE if female else names.RU_MALE)
            last = rng.choice(names.RU_SURNAMES) + ("а" if female else "")
            title = rng.choice(names.RU_TITLES)
        else:
            first, middle, last = rng.choice(names.EN_FIRST), None, rng.choice(names.EN_LAST)
            title = rng.choice(names.EN_TITLES)
        email = f"{names.latin(first)[:1]}.{names.latin(last)}@{account['web']}"
        mobile, mobile_key = self._mobile(russian)
        phone = account["phone"][:-2] + f"{rng.randint(10, 99)}"
        phone_key = "+" + "".join(ch for ch in phone if ch.isdigit())
        row = self._system(Contact)
        row.update({
            "first_name": first, "last_name": last, "middle_name": middle, "name": full_name(first, middle, last),
            "account_id": account["id"], "job_title": title, "phone": phone, "mobile": mobile, "email": email,
            "phone_normalized": phone_key, "mobile_normalized": mobile_key, "email_normalized": email.lower(),
            "country": account["country"], "region": account["region"], "city": account["city"],
            "street": account["street"], "zip": account["zip"],
            "owner_id": account["owner_id"] if rng.random() < 0.9 else rng.choice(self.users),
        })
        return row

    def activity(self, account: dict, contacts: list[dict], russian: bool) -> dict:
        rng = self.rng
        code, type_id = rng.choice(self.type_pool)
        # Mostly history, some of it planned: a year back, two months ahead.
        offset = rng.randint(-365, 60) if rng.random() < 0.8 else rng.randint(0, 60)
        due = self.today + timedelta(days=offset)
        start = end = None
        if code in ("call", "meeting", "email"):
            start = datetime.combine(due, time(rng.randint(7, 16), rng.choice((0, 15, 30, 45))), tzinfo=timezone.utc)
            end = start + timedelta(minutes=60 if code == "meeting" else 15)
        status, result_id, actual_start, actual_end = ActivityStatus.OPEN, None, None, None
        if offset < 0:
            roll = rng.random()
            if roll < 0.85:
                status, result_id = ActivityStatus.DONE, rng.choice(self.results)
                actual_start = start or datetime.combine(due, time(10, 0), tzinfo=timezone.utc)
                actual_end = end or actual_start + timedelta(minutes=rng.choice((30, 60, 120)))
            elif roll < 0.9:
                status = ActivityStatus.CANCELLED
            # else: left open, so overdue
        contact = rng.choice(contacts) if contacts and rng.random() < 0.6 else None
        subjects = (names.RU_SUBJECTS if russian else names.EN_SUBJECTS)[code]
        row = self._system(Activity)
        row.update({
            "activity_type_id": type_id, "subject": rng.choice(subjects), "description": None,
            "owner_id": account["owner_id"] if rng.random() < 0.8 else rng.choice(self.users),
            "status": status,
            "priority": rng.choice((ActivityPriority.NORMAL,) * 7 + (ActivityPriority.HIGH,) * 2 + (ActivityPriority.LOW,)),
            "start_at": start, "end_at": end, "due_date": due, "result_id": result_id,
            "actual_start_at": actual_start, "actual_end_at": actual_end,
            # The same links hooks.py derives: the contact when there is one, else the account.
            "section": "contact" if contact else "account",
            "record_id": contact["id"] if contact else account["id"],
            "account_id": account["id"], "contact_id": contact["id"] if contact else None,
        })
        return row

    # -- writing -------------------------------------------------------------------------------
    def _insert(self, model, rows: list[dict]) -> None:
        table = model.__table__
        for start in range(0, len(rows), CHUNK_ROWS):
            self.session.execute(table.insert(), rows[start:start + CHUNK_ROWS])

    def run(self) -> dict:
        rng, counts = self.rng, {"account": 0, "contact": 0, "activity": 0}
        remaining = self.scale
        while remaining > 0:
            batch = min(ACCOUNTS_PER_BATCH, remaining)
            remaining -= batch
            accounts, contacts, activities = [], [], []
            for index in range(batch):
                if index % 2 == 0:
                    (contacts_a, contacts_b), (activities_a, activities_b) = rng.choice(_PAIRS)
                    pair = [(contacts_a, activities_a), (contacts_b, activities_b)]
                    rng.shuffle(pair)
                # An odd last account (odd scale) gets the average, so totals stay exactly 3N and 10N.
                own_contacts, own_activities = pair[index % 2] if index + 1 < batch or index % 2 else (3, 10)
                account, russian = self.account()
                own = [self.contact(account, russian) for _ in range(own_contacts)]
                accounts.append(account)
                contacts.extend(own)
                activities.extend(self.activity(account, own, russian) for _ in range(own_activities))
            self._insert(Account, accounts)
            self._insert(Contact, contacts)
            self._insert(Activity, activities)
            counts["account"] += len(accounts)
            counts["contact"] += len(contacts)
            counts["activity"] += len(activities)
        self._advance_sequences()
        return counts

    def _advance_sequences(self) -> None:
        """Explicit ids bypass PostgreSQL's sequences; move them past the new rows."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for model in (Account, Contact, Activity):
            table = model.__table__.name
            self.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))


def generate(records, scale: int, seed: int | None = None) -> dict:
    """Write ``scale`` accounts with 3 contacts and 10 activities each on average (exactly 3N and 10N).

    Owners are drawn from the active users and the generated salespeople; the data is the same for the same
    ``scale`` (or ``seed``). Ids are given explicitly (no RETURNING round trip),
    so concurrent writers must wait until the demo transaction commits.
    """
    return _Generator(records, scale, seed).run()
