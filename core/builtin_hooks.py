"""The core's own behaviour, registered through the same hooks add-ons use."""
from __future__ import annotations

from core.plugins import hookimpl


@hookimpl
def flowcase_register_blueprints(app):
    from core.views.auth import bp as auth_bp
    from core.views.home import bp as home_bp
    from core.ui import bp as sections_bp

    return [auth_bp, home_bp, sections_bp]


@hookimpl
def flowcase_register_jobs(app):
    from core.jobs import ping_job

    return {"core.ping": ping_job}


@hookimpl
def flowcase_record_validate(event):
    """Cascading lookups (``Section.cascades``): a child must belong to the chosen parent."""
    if not event.section.cascades:
        return None
    from core.cascades import check

    return check(event)


# The security model (roles, rights, record rules) registers as part of the core.
from core.security.hooks import (  # noqa: E402,F401
    flowcase_record_access, flowcase_record_before_create, flowcase_record_before_update, flowcase_record_filter,
    flowcase_register_admin_views, flowcase_register_sections, register_profile_blueprint,
)

# Custom fields (the section wizard): their section and the rules on definitions.
from core.custom_field_hooks import (  # noqa: E402,F401
    custom_fields_are_for_superusers, custom_fields_hidden_from_users, forget_definitions_after_create,
    forget_definitions_after_delete, forget_definitions_after_update, register_custom_field_section,
    validate_custom_field,
)

# The REST API at /api/v1 and its API keys page.
from core.api.hooks import register_api_admin_views, register_api_blueprint  # noqa: E402,F401
# OData v4 at /odata (same API keys).
from core.odata.hooks import register_odata_blueprint  # noqa: E402,F401

# Import, export, duplicate rules and merge.
from core.dataio.hooks import register_dataio_blueprints, register_import_job  # noqa: E402,F401
from core.dedup.hooks import (  # noqa: E402,F401
    check_duplicates_on_save, drop_dedup_keys_after_delete, register_dedup_rule_admin, store_dedup_keys_after_create,
    store_dedup_keys_after_update,
)

# Outgoing email: templates, the queue and the sending job.
from core.mail.hooks import (  # noqa: E402,F401
    mail_hidden_from_users, mail_is_for_superusers, register_mail_admin_views, register_mail_sections,
    register_send_email_job, validate_email_template,
)

# Incoming email: mailboxes polled over IMAP, messages threaded to records or turned into new ones.
from core.mail.incoming.hooks import (  # noqa: E402,F401
    email_attachments_on_activity_cards, mailboxes_are_for_superusers, mailboxes_hidden_from_users,
    register_fetch_mail_job, register_fetch_mail_schedule, register_incoming_mail_admin_views,
    register_incoming_mail_blueprint, register_incoming_mail_sections, validate_mailbox,
)

# Mailings and campaigns, unsubscribe links, "Send email" from any card.
from core.mailings.hooks import (  # noqa: E402,F401
    mailing_card_slots, mailing_defaults, recipients_are_written_by_the_system, recipients_of_readable_mailings,
    register_mailing_blueprints, register_mailing_jobs, register_mailing_sections, register_mailing_tick,
    validate_mailing,
)

# Automations: event triggers inside the write, timed ones from a periodic job.
from core.automation.hooks import (  # noqa: E402,F401
    automations_are_for_superusers, automations_hidden_from_users, forget_automations_after_delete,
    register_automation_admin_views, register_automation_section, register_timed_automations_job,
    run_automations_after_create, run_automations_after_stage_change, run_automations_after_update,
    validate_automation,
)

# Web forms (/forms) and telephony (/telephony): the public doors of issue 7.
from core.webforms.hooks import (  # noqa: E402,F401
    register_web_form_admin, register_web_form_blueprint, register_web_form_section, validate_web_form,
    web_forms_are_for_superusers, web_forms_hidden_from_users,
)

# Dashboards: their sections, rights, widget checks, pages and the home page's dashboard.
from core.dashboards.hooks import (  # noqa: E402,F401
    dashboards_are_for_superusers, dashboards_hidden_from_users, home_dashboard_slot, register_dashboard_blueprint,
    register_dashboard_menu, register_dashboard_sections, validate_dashboard_widget,
)

# Print forms (PDF from the card and the list) and record groups (dynamic and static).
from core.printing.hooks import (  # noqa: E402,F401
    print_forms_are_for_superusers, print_forms_hidden_from_users, print_menus, register_print_form_section,
    register_printing_blueprint, validate_print_form,
)
from core.groups.hooks import (  # noqa: E402,F401
    group_controls, group_owner_defaults_to_creator, groups_changed_by_owner, groups_own_or_shared,
    register_groups_blueprint, register_record_group_section, validate_group,
)

# The process engine: cases, stages with steps, approvals (core/process/).
from core.process.hooks import (  # noqa: E402,F401
    check_process_move, finish_task_steps_and_offer_case_switch, follow_process_move, forget_process_of_deleted_record,
    process_stage_bar,
    process_tables_are_for_superusers, process_tables_hidden_from_users, register_process_blueprint,
    register_process_menu, register_process_sections, start_process_on_create,
)

# Telephony: connectors, PBX events as call activities, click-to-call on cards.
from core.telephony.hooks import (  # noqa: E402,F401
    click_to_call_buttons, register_builtin_connectors, register_telephony_blueprints,
)
