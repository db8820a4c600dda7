"""The CRM's sections: accounts, contacts, activities, and their lookups.

The generic list, card, form, API, import and export machinery works from
these; field names are the models' attribute names.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.sections import Section

from .models import (PRIORITY_LABELS, STATUS_LABELS, Account, Activity, Contact, CrmAccountType, CrmActivityResult,
                     CrmActivityType, CrmIndustry)
from .named_filters import account_named_filters, activity_named_filters

ADDRESS_LABELS = {
    "country": _l("Country"),
    "region": _l("Region"),
    "city": _l("City"),
    "street": _l("Street"),
    "zip": _l("Postal code"),
}
ADDRESS_FIELDS = ["country", "region", "city", "street", "zip"]

ACCOUNT_LABELS = {
    "name": _l("Name"),
    "account_type_id": _l("Type"),
    "industry_id": _l("Industry"),
    "owner_id": _l("Owner"),
    "phone": _l("Phone"),
    "email": _l("Email"),
    "web": _l("Web"),
    "parent_id": _l("Parent account"),
    "notes": _l("Notes"),
    **ADDRESS_LABELS,
}

CONTACT_LABELS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "middle_name": _l("Middle name"),
    "name": _l("Full name"),
    "account_id": _l("Account"),
    "job_title": _l("Job title"),
    "phone": _l("Business phone"),
    "mobile": _l("Mobile phone"),
    "email": _l("Email"),
    "phone_normalized": _l("Business phone (for matching)"),
    "mobile_normalized": _l("Mobile phone (for matching)"),
    "email_normalized": _l("Email (for matching)"),
    "owner_id": _l("Owner"),
    **ADDRESS_LABELS,
}

ACTIVITY_LABELS = {
    "activity_type_id": _l("Type"),
    "subject": _l("Subject"),
    "description": _l("Description"),
    "owner_id": _l("Owner"),
    "status": _l("Status"),
    "priority": _l("Priority"),
    "start_at": _l("Start"),
    "end_at": _l("End"),
    "due_date": _l("Due date"),
    "result_id": _l("Result"),
    "actual_start_at": _l("Actual start"),
    "actual_end_at": _l("Actual end"),
    "section": _l("Regarding section"),
    "record_id": _l("Regarding record"),
    "account_id": _l("Account"),
    "contact_id": _l("Contact"),
}

LOOKUP_LABELS = {"name": _l("Name"), "code": _l("Code")}


def account_section() -> Section:
    return Section(
        name="account",
        model=Account,
        title=_l("Account"),
        title_plural=_l("Accounts"),
        area="sales",
        list_columns=["name", "account_type_id", "industry_id", "city", "phone", "owner_id"],
        search_fields=["name", "phone", "email", "web", "city"],
        filter_fields=["account_type_id", "industry_id", "owner_id", "country", "region", "city", "parent_id"],
        layout=[
            {"tab": _l("General"), "groups": [
                {"title": _l("Account"), "fields": ["name", "account_type_id", "industry_id", "parent_id", "owner_id"]},
                {"title": _l("Communication"), "fields": ["phone", "email", "web"]},
            ]},
            {"tab": _l("Address"), "groups": [{"title": _l("Address"), "fields": ADDRESS_FIELDS}]},
            {"tab": _l("Notes"), "groups": [{"title": _l("Notes"), "fields": ["notes"]}]},
        ],
        details=[
            {"section": "contact", "field": "account_id", "title": _l("Contacts")},
            {"section": "activity", "field": "account_id", "title": _l("Activities")},
            {"section": "account", "field": "parent_id", "title": _l("Subsidiaries")},
        ],
        owner_field="owner_id",
        labels=ACCOUNT_LABELS,
        named_filters=account_named_filters(),
    )


def contact_section() -> Section:
    return Section(
        name="contact",
        model=Contact,
        title=_l("Contact"),
        title_plural=_l("Contacts"),
        area="sales",
        list_columns=["name", "account_id", "job_title", "phone", "mobile", "email", "owner_id"],
        # The normalised columns let a search for "89123456789" find "+7 (912) 345-67-89".
        search_fields=["name", "email_normalized", "phone_normalized", "mobile_normalized", "job_title"],
        filter_fields=["account_id", "owner_id", "job_title", "country", "city"],
        layout=[
            {"tab": _l("General"), "groups": [
                {"title": _l("Name"), "fields": ["last_name", "first_name", "middle_name"]},
                {"title": _l("Work"), "fields": ["account_id", "job_title", "owner_id"]},
                {"title": _l("Communication"), "fields": ["phone", "mobile", "email"]},
            ]},
            {"tab": _l("Address"), "groups": [{"title": _l("Address"), "fields": ADDRESS_FIELDS}]},
        ],
        details=[{"section": "activity", "field": "contact_id", "title": _l("Activities")}],
        owner_field="owner_id",
        labels=CONTACT_LABELS,
    )


def activity_section() -> Section:
    return Section(
        name="activity",
        model=Activity,
        title=_l("Activity"),
        title_plural=_l("Activities"),
        area="sales",
        title_field="subject",
        list_columns=["subject", "activity_type_id", "status", "priority", "due_date", "account_id", "contact_id", "owner_id"],
        search_fields=["subject", "description"],
        filter_fields=["activity_type_id", "status", "priority", "owner_id", "due_date", "account_id", "contact_id", "result_id"],
        layout=[
            {"tab": _l("General"), "groups": [
                {"title": _l("Activity"), "fields": ["subject", "activity_type_id", "status", "priority", "owner_id"]},
                {"title": _l("Dates"), "fields": ["start_at", "end_at", "due_date"]},
                {"title": _l("Regarding"), "fields": ["account_id", "contact_id", "section", "record_id"]},
                {"title": _l("Description"), "fields": ["description"]},
            ]},
            {"tab": _l("Result"), "groups": [
                {"title": _l("Result"), "fields": ["result_id", "actual_start_at", "actual_end_at"]},
            ]},
        ],
        owner_field="owner_id",
        labels=ACTIVITY_LABELS,
        named_filters=activity_named_filters(),
        choices={"status": STATUS_LABELS, "priority": PRIORITY_LABELS},
    )


def _lookup(name: str, model, title, title_plural) -> Section:
    return Section(
        name=name,
        model=model,
        title=title,
        title_plural=title_plural,
        area="settings",
        list_columns=["name", "code"],
        search_fields=["name", "code"],
        layout=[{"tab": _l("General"), "groups": [{"title": title, "fields": ["name", "code"]}]}],
        labels=LOOKUP_LABELS,
        is_lookup=True,
    )


def crm_sections() -> list[Section]:
    """Fresh Section objects (the registry fills in per-app attributes, so never share them)."""
    return [
        account_section(),
        contact_section(),
        activity_section(),
        _lookup("industry", CrmIndustry, _l("Industry"), _l("Industries")),
        _lookup("account_type", CrmAccountType, _l("Account type"), _l("Account types")),
        _lookup("activity_type", CrmActivityType, _l("Activity type"), _l("Activity types")),
        _lookup("activity_result", CrmActivityResult, _l("Activity result"), _l("Activity results")),
    ]
