"""Benchmark-sized sales data: ``flowcase demo --scale N`` adds 2N leads and N/2 opportunities.

It runs after crm's generator (add-ons in dependency order) and works on the
N newest accounts, which that generator just wrote: each account gets two
leads on average and every second account an opportunity, so the totals are
exactly 2N and N // 2. Half of the leads are still raw registration data (a
company and a person from a web form, a call, an email) not yet linked to an
account; the others came from existing contacts or were qualified. Stages are
spread over both stage sets with fields that agree with them: a disqualified
lead has its reason, a transferred one is converted and has its opportunity, a
lost opportunity its lost reason, closed deals close in the past and open
ones in the future, probabilities are the stage's.

Why this bypasses the records service, like crm's generator
(:mod:`addons.crm.demo_generator`): a million rows in minutes. Rows go in with
SQLAlchemy Core ``executemany`` in chunks inside the demo transaction, with
the derived values the hooks would set (a lead's name from company and
person, the opportunity's probability from its stage, default owners). No
change-log entries and no external ids are written for generated rows.
"""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from core.db import utcnow

from .models import Lead, LeadSource, Opportunity, Qualification, ReasonKind, SalesReason, SalesStage
from .stages import LEAD_SET, OPPORTUNITY_SET

#: Rows per ``executemany`` call.
CHUNK_ROWS = 5000
#: Accounts read (with their contacts) per batch.
ACCOUNTS_PER_BATCH = 1000

#: Lead stages by code with their weight and the qualification status a lead there has.
_LEAD_STAGES = [
    ("lead_new", 25, Qualification.NEW),
    ("lead_qualification", 20, Qualification.NEW),
    ("lead_awaiting_sale", 10, Qualification.QUALIFIED),
    ("lead_nurturing", 10, Qualification.NURTURING),
    ("lead_transferred", 20, Qualification.CONVERTED),
    ("lead_disqualified", 15, Qualification.DISQUALIFIED),
]
#: Opportunity stages by code with their weight: most deals are open, a third closed.
_OPPORTUNITY_STAGES = [
    ("opportunity_qualification", 20), ("opportunity_presentation", 15), ("opportunity_proposal", 15),
    ("opportunity_contracting", 15), ("opportunity_won", 20), ("opportunity_lost", 15),
]
_SOURCES = [(LeadSource.WEB_FORM, 4), (LeadSource.CALL, 3), (LeadSource.EMAIL, 3), (LeadSource.MANUAL, 1),
            (LeadSource.IMPORT, 1)]

RU_NEEDS = ["Поставка лифтового оборудования для ЖК", "Модернизация двух пассажирских лифтов",
            "Сервисное обслуживание на год", "Запрос КП на эскалаторы", "Комплектующие для ремонта",
            "Тендер на поставку оборудования", "Расширение склада, нужен грузовой подъёмник"]
EN_NEEDS = ["Equipment for a new warehouse", "Yearly maintenance contract", "Quote for two passenger lifts",
            "Replacement parts for the line", "Pilot project for the head office", "Upgrade of the existing fleet"]
RU_DEALS = ["Поставка оборудования", "Модернизация", "Сервисный договор", "Комплексный проект", "Пилотный проект"]
EN_DEALS = ["Equipment supply", "Modernisation", "Service contract", "Turnkey project", "Pilot project"]
RU_PROSPECT_FIRST = ["Андрей", "Ирина", "Павел", "Светлана", "Олег", "Татьяна", "Никита", "Юлия"]
RU_PROSPECT_LAST = ["Орлов", "Зайцева", "Морозов", "Волкова", "Лебедев", "Новикова", "Козлов", "Егорова"]
RU_PROSPECT_COMPANIES = ["ООО «Стройинвест»", "АО «Северный двор»", "ООО «ТехноПарк»", "ГК «Самолёт-Регион»",
                         "ООО «ЖилКомфорт»", "ООО «Лифтмаркет»", "АО «УралДевелопмент»"]
EN_PROSPECT_FIRST = ["Liam", "Sophia", "Noah", "Mia", "Lucas", "Grace", "Henry", "Chloe"]
EN_PROSPECT_LAST = ["Walker", "Hughes", "Green", "Clarke", "Hall", "Wright", "Baker", "Turner"]
EN_PROSPECT_COMPANIES = ["Riverside Homes Ltd", "Northgate Developments", "Clearview Properties", "Apex Facilities",
                         "Maple Estates LLC", "Union Square Retail", "Bayview Hospital Trust"]


def _weighted(pairs):
    return [value for value, weight in pairs for _ in range(weight)]


class _Generator:
    def __init__(self, records, scale: int, seed: int | None):
        self.session = records.session
        self.scale = scale
        self.rng = random.Random((scale if seed is None else seed) + 7919)
        self.now = utcnow().replace(microsecond=0)
        self.today = self.now.date()
        session = self.session
        stages = {row.code: row for row in session.execute(
            sa.select(SalesStage.code, SalesStage.id, SalesStage.stage_set, SalesStage.probability))}
        self.lead_stages = _weighted([((stages[code].id if code in stages else None, status), weight)
                                      for code, weight, status in _LEAD_STAGES])
        self.opportunity_stages = _weighted([(stages[code], weight) for code, weight in _OPPORTUNITY_STAGES
                                             if code in stages]) or [None]
        self.won_ids = {row.id for code, row in stages.items() if code == "opportunity_won"}
        self.lost_ids = {row.id for code, row in stages.items() if code == "opportunity_lost"}
        reasons = session.execute(sa.select(SalesReason.kind, SalesReason.id)).all()
        self.disqualify_reasons = [rid for kind, rid in reasons if kind == ReasonKind.DISQUALIFY] or [None]
        self.lost_reasons = [rid for kind, rid in reasons if kind == ReasonKind.LOST] or [None]
        self.sources = _weighted(_SOURCES)
        self.next_id = {model: (session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
                        for model in (Lead, Opportunity)}
        self.stamps = [self.now - timedelta(days=self.rng.randint(0, 2 * 365), seconds=self.rng.randint(0, 86399))
                       for _ in range(997)]
        self.counts = {"lead": 0, "opportunity": 0}
        self.total = 0

    def _system(self, model) -> dict:
        row_id = self.next_id[model]
        self.next_id[model] = row_id + 1
        stamp = self.rng.choice(self.stamps)
        return {"id": row_id, "version": 1, "created_at": stamp, "updated_at": stamp, "custom": {},
                "created_by_id": None, "updated_by_id": None}

    # -- rows ------------------------------------------------------------------------------------
    def lead(self, account, contacts) -> dict:
        rng = self.rng
        russian = "«" in account.name
        (stage_id, status) = rng.choice(self.lead_stages)
        row = self._system(Lead)
        # Converted and awaiting leads are qualified: linked to the account and one of its people.
        linked = status in (Qualification.CONVERTED, Qualification.QUALIFIED) or rng.random() < 0.3
        contact = rng.choice(contacts) if linked and contacts else None
        if linked:
            company, person = account.name, contact.name if contact else None
            email = contact.email if contact else None
            phone = contact.mobile if contact else None
            source = LeadSource.EXISTING_CONTACT if rng.random() < 0.4 else rng.choice(self.sources)
        else:
            if russian:
                company = rng.choice(RU_PROSPECT_COMPANIES)
                last = rng.choice(RU_PROSPECT_LAST)
                person = f"{rng.choice(RU_PROSPECT_FIRST)} {last}"
                email = f"lead{row['id']}@mail.example.ru"
                phone = f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
            else:
                company = rng.choice(EN_PROSPECT_COMPANIES)
                person = f"{rng.choice(EN_PROSPECT_FIRST)} {rng.choice(EN_PROSPECT_LAST)}"
                email = f"lead{row['id']}@example.com"
                phone = f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
            source = rng.choice(self.sources)
        row.update({
            # The same name the hooks make from company and person.
            "name": " / ".join(p for p in (company, person) if p),
            "source": source, "need": rng.choice(RU_NEEDS if russian else EN_NEEDS),
            "company_name": company, "person_name": person, "email": email, "phone": phone, "tax_id": None,
            "account_id": account.id if linked else None, "contact_id": contact.id if contact else None,
            "qualification_status": status, "stage_id": stage_id,
            "owner_id": account.owner_id if rng.random() < 0.85 else None,
            "disqualify_reason_id": rng.choice(self.disqualify_reasons) if status == Qualification.DISQUALIFIED else None,
            "nurture_until": self.today + timedelta(days=rng.randint(14, 120)) if status == Qualification.NURTURING else None,
            "nurture_note": None,
        })
        if row["owner_id"] is None:
            row["owner_id"] = account.owner_id
        return row

    def opportunity(self, account, contacts, leads: list[dict]) -> dict:
        rng = self.rng
        russian = "«" in account.name
        stage = rng.choice(self.opportunity_stages)
        stage_id = stage.id if stage is not None else None
        closed = stage_id in self.won_ids or stage_id in self.lost_ids
        converted = [lead for lead in leads if lead["qualification_status"] == Qualification.CONVERTED]
        lead = converted[0] if converted else None
        contact_id = lead["contact_id"] if lead and lead["contact_id"] else (rng.choice(contacts).id if contacts else None)
        amount = Decimal(rng.randint(5, 2000) * 10_000 if russian else rng.randint(2, 800) * 500).quantize(Decimal("0.01"))
        offset = -rng.randint(1, 365) if closed else rng.randint(-20, 180)
        row = self._system(Opportunity)
        row.update({
            "name": f"{rng.choice(RU_DEALS if russian else EN_DEALS)}: {account.name}",
            "account_id": account.id, "contact_id": contact_id, "lead_id": lead["id"] if lead else None,
            "amount": amount, "currency": "RUB" if russian else rng.choice(("EUR", "USD", "GBP")),
            "stage_id": stage_id, "probability": stage.probability if stage is not None else None,
            "expected_close_date": self.today + timedelta(days=offset),
            "owner_id": lead["owner_id"] if lead else account.owner_id,
            "lost_reason_id": rng.choice(self.lost_reasons) if stage_id in self.lost_ids else None,
        })
        return row

    # -- writing -------------------------------------------------------------------------------
    def _insert(self, model, rows: list[dict]) -> None:
        for start in range(0, len(rows), CHUNK_ROWS):
            self.session.execute(model.__table__.insert(), rows[start:start + CHUNK_ROWS])

    def _accounts(self):
        """The newest ``scale`` accounts with their contacts, in batches of :data:`ACCOUNTS_PER_BATCH`."""
        account = sa.table("crm_account", sa.column("id"), sa.column("name"), sa.column("owner_id"))
        contact = sa.table("crm_contact", sa.column("id"), sa.column("account_id"), sa.column("name"),
                           sa.column("email"), sa.column("mobile"))
        first_id = self.session.scalar(
            sa.select(sa.func.min(sa.literal_column("id"))).select_from(
                sa.select(account.c.id).order_by(account.c.id.desc()).limit(self.scale).subquery()))
        if first_id is None:
            return
        self.total = self.session.scalar(sa.select(sa.func.count()).select_from(account).where(account.c.id >= first_id))
        last_seen = first_id - 1
        while True:
            batch = self.session.execute(
                sa.select(account.c.id, account.c.name, account.c.owner_id).where(account.c.id > last_seen)
                .order_by(account.c.id).limit(ACCOUNTS_PER_BATCH)).all()
            if not batch:
                return
            last_seen = batch[-1].id
            people: dict[int, list] = {}
            for row in self.session.execute(
                    sa.select(contact.c.id, contact.c.account_id, contact.c.name, contact.c.email, contact.c.mobile)
                    .where(contact.c.account_id.between(batch[0].id, last_seen)).order_by(contact.c.id)):
                people.setdefault(row.account_id, []).append(row)
            yield [(row, people.get(row.id, [])) for row in batch]

    def run(self) -> dict:
        position = 0
        for batch in self._accounts():
            leads, opportunities = [], []
            for account, contacts in batch:
                # Pairs of accounts share four leads (1+3, 2+2, 3+1) and one opportunity.
                if position % 2 == 0:
                    # An odd last account gets the average, so the total is exactly 2N.
                    split = self.rng.choice(((1, 3), (2, 2), (3, 1), (2, 2))) if position + 1 < self.total else (2, 2)
                own_leads = [self.lead(account, contacts) for _ in range(split[position % 2])]
                leads.extend(own_leads)
                if position % 2 == 1:
                    opportunities.append(self.opportunity(account, contacts, own_leads))
                position += 1
            self._insert(Lead, leads)
            self._insert(Opportunity, opportunities)
            self.counts["lead"] += len(leads)
            self.counts["opportunity"] += len(opportunities)
        self._advance_sequences()
        return self.counts

    def _advance_sequences(self) -> None:
        """Explicit ids bypass PostgreSQL's sequences; move them past the new rows."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for model in (Lead, Opportunity):
            table = model.__table__.name
            self.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))


def generate(records, scale: int, seed: int | None = None) -> dict:
    """Write 2 × ``scale`` leads and ``scale`` // 2 opportunities on the newest ``scale`` accounts; the counts.

    Meant to run right after crm's generator made those accounts; with fewer
    accounts in the database it covers the ones there are (2 leads each).
    """
    if scale <= 0:
        return {"lead": 0, "opportunity": 0}
    return _Generator(records, scale, seed).run()
