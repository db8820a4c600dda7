"""The marketing add-on's hook implementations: the lead's campaign field."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.plugins import hookimpl
from core.sections import SectionExtension

from .models import MarketingLead


@hookimpl
def flowcase_register_section_extensions(app):
    """``marketing.campaign_id`` on leads: web forms set it as a hidden default, campaign cards count it."""
    return [SectionExtension(section="lead", model=MarketingLead, prefix="marketing",
                             labels={"campaign_id": _l("Campaign")})]


@hookimpl
def flowcase_timeline_items(section, record, records, limit):
    """A contact's history lists the mailings sent to them."""
    from .timeline import mailing_items

    return mailing_items(section, record, records, limit)
