"""Qualifying a lead: find the contact and account it may already be, or create them, and link them.

Matching looks for contacts by normalized email and phone (the keys the crm
add-on keeps on every contact) and for accounts by name and tax id, through
the acting user's rights-limited selects. When matches exist and the user has
not said what to do, nothing is written and the candidates are returned, so
the page can offer "link to this one" instead of making a duplicate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError
from core.filters import compile_filter

from flowcase_addons.crm.models import Account, Contact
from flowcase_addons.crm.normalize import normalize_email, normalize_phone

from .models import Qualification
from .stages import LEAD_AWAITING_SALE, stage_by_code

#: "Create a new one" as the user's choice, instead of an id of an existing record.
NEW = "new"
#: Candidates shown per kind; more would not be read anyway.
MATCH_LIMIT = 20
_CYRILLIC = range(0x0400, 0x0500)


@dataclass
class Matches:
    """Existing contacts and accounts a lead may be."""

    contacts: list = field(default_factory=list)
    accounts: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.contacts or self.accounts)


@dataclass
class QualifyResult:
    """What ``sales.qualify_lead`` did: ``matches`` to choose from (nothing written), or the linked records."""

    matches: Matches | None = None
    contact: Contact | None = None
    account: Account | None = None

    @property
    def needs_choice(self) -> bool:
        return self.matches is not None


def split_person_name(text: str | None) -> dict:
    """A full name as contact name parts: Cyrillic names read "Last First Middle", others "First [Middle] Last"."""
    parts = (text or "").split()
    if not parts:
        return {}
    if any(ord(ch) in _CYRILLIC for ch in parts[0]):
        keys = ("last_name", "first_name", "middle_name")
        return {key: " ".join(parts[i:]) if i == 2 else parts[i] for i, key in enumerate(keys) if i < len(parts)}
    if len(parts) == 1:
        return {"last_name": parts[0]}
    result = {"first_name": parts[0], "last_name": parts[-1]}
    if len(parts) > 2:
        result["middle_name"] = " ".join(parts[1:-1])
    return result


def find_matches(records, lead) -> Matches:
    """Contacts with the lead's email or phone, accounts with its company name or tax id, that the user may read."""
    matches = Matches()
    email, phone = normalize_email(lead.email), normalize_phone(lead.phone)
    keys = []
    if email:
        keys.append(Contact.email_normalized == email)
    if phone:
        keys.extend([Contact.phone_normalized == phone, Contact.mobile_normalized == phone])
    if keys:
        stmt = records.select("contact").where(sa.or_(*keys)).order_by(Contact.id).limit(MATCH_LIMIT)
        matches.contacts = list(records.session.scalars(stmt))
    keys = []
    company = (lead.company_name or "").strip()
    if company:
        # lower() folds only ASCII on SQLite: an exact match keeps Cyrillic names found there too.
        keys.extend([Account.name == company, sa.func.lower(Account.name) == company.lower()])
    if (lead.tax_id or "").strip():
        account = records.section("account")
        if account.field("sales.tax_id") is not None:
            keys.append(compile_filter(account, {"field": "sales.tax_id", "op": "eq", "value": lead.tax_id.strip()}))
    # A matching contact's account is a candidate too: the person already works somewhere.
    known = {c.account_id for c in matches.contacts if c.account_id is not None}
    if known:
        keys.append(Account.id.in_(known))
    if keys:
        stmt = records.select("account").where(sa.or_(*keys)).order_by(Account.id).limit(MATCH_LIMIT)
        matches.accounts = list(records.session.scalars(stmt))
    return matches


def _choice(value):
    """The user's choice: None (not chosen), NEW, or a record id."""
    if value in (None, ""):
        return None
    if str(value) == NEW:
        return NEW
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(_l("Choose an existing record or “create new”.")) from None


def _account_values(lead) -> dict:
    values = {"name": lead.company_name.strip(), "phone": lead.phone or None, "email": lead.email or None,
              "owner_id": lead.owner_id}
    if lead.tax_id:
        values["sales.tax_id"] = lead.tax_id.strip()
    return values


def qualify_lead(records, section, lead, contact=None, account=None, **params) -> QualifyResult:
    """Action ``sales.qualify_lead``: link the lead to an existing or new contact and account.

    :param contact: an id of an existing contact to link, ``"new"`` to create
        one from the registration data, or None to let matching decide.
    :param account: the same for the account.
    :return: a :class:`QualifyResult`; with ``needs_choice`` nothing was written.
    :raises ValidationError: when the lead is closed or has neither a person nor a company.
    """
    if lead.qualification_status in (Qualification.CONVERTED, Qualification.DISQUALIFIED):
        raise ValidationError(_l("This lead is closed; it cannot be qualified again."))
    has_person = bool((lead.person_name or "").strip())
    has_company = bool((lead.company_name or "").strip())
    if not (has_person or has_company or lead.contact_id or lead.account_id):
        raise ValidationError({"person_name": [_l("Fill in the contact person or the company name to qualify the lead.")]})
    contact_choice, account_choice = _choice(contact), _choice(account)
    matches = find_matches(records, lead)
    undecided_contact = contact_choice is None and lead.contact_id is None and has_person and matches.contacts
    undecided_account = account_choice is None and lead.account_id is None and has_company and matches.accounts
    if undecided_contact or undecided_account:
        return QualifyResult(matches=matches)
    with records.transaction():
        account_id = lead.account_id
        if isinstance(account_choice, int):
            account_id = records.get("account", account_choice).id
        elif account_id is None and has_company:
            account_id = records.create("account", _account_values(lead)).id
        contact_id = lead.contact_id
        if isinstance(contact_choice, int):
            chosen = records.get("contact", contact_choice)
            contact_id = chosen.id
            if account_id is None:
                account_id = chosen.account_id
            elif chosen.account_id is None:
                records.update("contact", chosen, {"account_id": account_id})
        elif contact_id is None and has_person:
            values = {**split_person_name(lead.person_name), "account_id": account_id, "owner_id": lead.owner_id,
                      "email": lead.email or None}
            values["phone"] = lead.phone or None
            contact_id = records.create("contact", values).id
        records.update(section, lead, {
            "contact_id": contact_id,
            "account_id": account_id,
            "qualification_status": Qualification.QUALIFIED,
            "stage_id": stage_by_code(records.session, LEAD_AWAITING_SALE).id,
        })
    return QualifyResult(
        contact=records.session.get(Contact, contact_id) if contact_id else None,
        account=records.session.get(Account, account_id) if account_id else None,
    )
