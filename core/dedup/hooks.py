"""Duplicate rules registered through the core's own hooks (``core.builtin_hooks`` imports these).

Implementations are named for what they do and bound with ``specname``.
"""
from __future__ import annotations

from core.dedup.check import check_on_save
from core.dedup.keys import store_keys
from core.plugins import hookimpl


# The two below run for every record created (imported once, not per call).
@hookimpl(specname="flowcase_record_validate")
def check_duplicates_on_save(event):
    """Refuse (block) or ask to confirm (warn) a write matching an active duplicate rule."""
    check_on_save(event)
    return None


@hookimpl(specname="flowcase_record_after_create")
def store_dedup_keys_after_create(event):
    store_keys(event.records, event.section, event.record, new=True)


@hookimpl(specname="flowcase_record_after_update")
def store_dedup_keys_after_update(event):
    from core.dedup.keys import store_keys

    store_keys(event.records, event.section, event.record)


@hookimpl(specname="flowcase_record_after_delete")
def drop_dedup_keys_after_delete(event):
    from core.dedup.keys import active_rules, drop_keys

    if active_rules(event.records.session, event.section.name):
        drop_keys(event.records.session, event.section.name, event.values["id"])


@hookimpl(specname="flowcase_register_admin_views")
def register_dedup_rule_admin(admin, app):
    from core.dedup.admin import DedupRuleView
    from core.extensions import db
    from core.models.dedup import DedupRule

    admin.add_view(DedupRuleView(DedupRule, db, name="Duplicate rules", endpoint="dedup_rules"))
