"""The hook specifications: the public contract between the core and add-ons.

An add-on implements hooks in its ``hooks.py`` with ``@hookimpl`` (from
``core.plugins``); only installed add-ons are registered, once per app, in
dependency order (ties by name). pluggy calls implementations
last-registered-first, so whenever order matters the core sorts the results by
the add-ons' dependency order instead of relying on call order.

Hooks are grouped by purpose below. Each says what it receives, when it runs
(at app start, inside the write transaction, or after commit) and what it
returns. Every name is ``flowcase_<noun>_<verb>`` or ``flowcase_register_<plural>``.
The core registers its own built-in behaviour through these same hooks
(``core.builtin_hooks``), and ``tests/test_hookspecs.py`` checks that every hook
here is documented and exercised.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("flowcase")


# ---------------------------------------------------------------------------
# Registration: called once per app, while ``create_app`` builds it.
# ---------------------------------------------------------------------------

@hookspec
def flowcase_register_sections(app):
    """Declare the sections (business record types) this add-on owns.

    :param app: the Flask app being built.
    :return: a list of :class:`core.sections.Section`. Names must be unique
        across installed add-ons; a clash fails app start naming both add-ons.
    """


@hookspec
def flowcase_register_section_extensions(app):
    """Declare 1:1 extension tables this add-on adds to other add-ons' sections.

    :param app: the Flask app being built.
    :return: a list of :class:`core.sections.SectionExtension`. Their fields
        read and write as the extended record's own, under ``<prefix>.<field>``.
    """


@hookspec
def flowcase_register_blueprints(app):
    """Give Flask blueprints (pages, API routes) to register on the app.

    :param app: the Flask app being built.
    :return: a list of :class:`flask.Blueprint`.
    """


@hookspec
def flowcase_register_admin_views(admin, app):
    """Add Flask-Admin views to the app's one ``Admin`` at ``/admin``.

    :param admin: the app's :class:`flask_admin.Admin`.
    :param app: the Flask app being built.
    :return: nothing; call ``admin.add_view(...)``.
    """


@hookspec
def flowcase_register_actions(app):
    """Name the actions stages, automations and the API may run.

    An action is ``callable(records, section, record, **params)`` run inside the
    write transaction that triggered it; raising rolls that write back.

    :return: a dict ``{"addon.action_name": callable}``; a duplicate name fails app start.
    """


@hookspec
def flowcase_register_jobs(app):
    """Name background jobs that code may queue with ``core.jobs.enqueue(name, **payload)``.

    A job is ``callable(app, **payload)`` run by a huey worker inside an app
    context, after the transaction that queued it committed. Jobs must be safe
    to run twice.

    :return: a dict ``{"addon.job_name": callable}``.
    """


@hookspec
def flowcase_register_periodic_jobs(app):
    """Declare jobs run on a schedule by the huey consumer (``flowcase worker``).

    :return: a list of :class:`core.jobs.PeriodicJob` (name, cron fields, callable).
        Periodic jobs must be idempotent: several workers may run them.
    """


@hookspec
def flowcase_register_menus(app):
    """Add entries to the main navigation.

    :return: a list of :class:`core.menus.MenuItem`; the core sorts them by
        area, then ``sequence``, then the add-ons' dependency order.
    """


@hookspec
def flowcase_register_template_folders(app):
    """Add template folders beyond the add-on's own ``templates/`` (found automatically).

    Lookup order is theme, then add-ons (last in dependency order first), then core.

    :return: a list of folder paths.
    """


# ---------------------------------------------------------------------------
# Templates: called while a page renders.
# ---------------------------------------------------------------------------

@hookspec
def flowcase_template_slot(slot, context):
    """Contribute HTML to a named slot of a page (``{{ slot("card_sidebar") }}``).

    :param slot: the slot's name, e.g. ``"home_after_sections"``.
    :param context: the template context (a dict).
    :return: markup (``markupsafe.Markup``) or ``None``; results are joined in
        the add-ons' dependency order.
    """


# ---------------------------------------------------------------------------
# Record pages: called while a record's card or a hand-over page is built.
# ---------------------------------------------------------------------------

@hookspec
def flowcase_timeline_items(section, record, records, limit):
    """Contribute entries to a record's communication timeline (account and contact cards).

    Called while the card renders (no write transaction). Each add-on returns
    its own kind of entry (activities, sales, cases, projects); the core
    (:func:`core.timeline.collect_timeline`) merges them newest first and keeps
    ``limit``. Read through ``records.select(...)`` so rights apply, and in one
    or two queries whatever the number of entries.

    :param section: the :class:`core.sections.Section` of the card.
    :param record: the record whose history is shown.
    :param records: the viewer's :class:`core.records.Records`.
    :param limit: at most this many entries are shown; return no more.
    :return: a list of :class:`core.timeline.TimelineItem` (date, kind, title,
        url, owner, status), or ``None`` when the section is not yours to serve.
    """


@hookspec
def flowcase_owner_handover(section, record, old_owner_id, new_owner_id, records):
    """Name the records that move along when a record's owner changes (an account's new manager).

    Called by the hand-over page, to count the candidates and, once the user
    confirms, to move them (and by the list's bulk "change owner" when the user
    ticks "with related work", once per record changed): each candidate record's ``owner_field`` is set to
    ``new_owner_id`` through ``records.update`` in one transaction.

    :param section: the section of the record whose owner changed.
    :param record: that record.
    :param old_owner_id: the previous owner's user id.
    :param new_owner_id: the new owner's user id.
    :param records: the acting :class:`core.records.Records`.
    :return: a list of :class:`core.handover.HandoverGroup` (a section, a label,
        and a ``records.select(section, "update")`` query of the records to move),
        or ``None``.
    """


# ---------------------------------------------------------------------------
# Records: called by the records service inside the write's transaction.
# ---------------------------------------------------------------------------

@hookspec
def flowcase_record_access(user, section, operation, record):
    """Decide whether ``user`` may do ``operation`` on ``section`` (and ``record``).

    Runs before every read by id, create, update, delete and stage change that
    goes through the records service (superusers and ``sudo()`` skip it).

    :param user: the acting :class:`core.models.User`, or ``None`` (anonymous).
    :param section: the :class:`core.sections.Section`.
    :param operation: ``"read"``, ``"create"``, ``"update"``, ``"delete"`` or ``"stage"``.
    :param record: the record, or ``None`` for create and section-wide checks.
    :return: ``False`` to deny, ``True`` to allow, ``None`` to abstain. Any
        ``False`` denies; with no ``True`` the core's default policy decides.

    The section-wide answer for ``"read"`` (``record`` None) decides whether the
    navigation offers the section, and is kept per process until the
    configuration (rights, roles) or a user's row changes
    (:mod:`core.ui.sections_menu`): answer it from those, not from the time
    of day or the request.
    """


@hookspec
def flowcase_record_filter(user, section, operation):
    """Restrict which records of ``section`` the user reaches, as a SQL condition.

    Applied by ``Records.select`` and ``Records.get`` to every door: lists,
    counts, fetch by id, detail grids, typeahead, export, API, admin. A record
    a filter hides from a list therefore never opens by URL either.

    :param user: the acting user, or ``None``.
    :param section: the :class:`core.sections.Section`.
    :param operation: ``"read"``, ``"update"`` or ``"delete"``.
    :return: a SQLAlchemy boolean clause over ``section.model``, or ``None``.
        All returned clauses are ANDed. Not called for superusers or ``sudo()``.
    """


@hookspec
def flowcase_record_validate(event):
    """Check values before a create or update is flushed.

    :param event: a :class:`core.record_event.RecordEvent` (``values`` holds what is
        being written, ``record`` the record with them applied, ``changes`` the
        ``{field: (old, new)}`` for updates).
    :return: ``{field: [message, ...]}`` or ``None``. All results are merged
        and raised together as one :class:`core.errors.ValidationError`.
    """


@hookspec
def flowcase_record_before_create(event):
    """Runs before a new record is flushed; may adjust ``event.record``.

    Set derived fields with ``event.set(path, value)`` so the change log and
    later hooks see them as written; ``event.written`` lists what the write
    touches. Raising aborts the create and rolls back the whole transaction.
    """


@hookspec
def flowcase_record_after_create(event):
    """Runs after a new record is flushed (it has an id), in the same transaction.

    Typical use: create related records through ``event.records``, queue a job
    with ``event.after_commit(...)``. Raising rolls back everything.
    """


@hookspec
def flowcase_record_before_update(event):
    """Runs before changed values are flushed; ``event.changes`` is ``{field: (old, new)}``.

    ``event.set(path, value)`` adds a derived change (recorded with its first
    old value). Raising aborts the update and rolls back the whole transaction.
    """


@hookspec
def flowcase_record_after_update(event):
    """Runs after an update is flushed, in the same transaction; raising rolls back everything."""


@hookspec
def flowcase_record_before_delete(event):
    """Runs before a record is deleted; raising (e.g. ``ValidationError``) keeps it."""


@hookspec
def flowcase_record_after_delete(event):
    """Runs after a record is deleted, in the same transaction; raising rolls back the delete."""


@hookspec
def flowcase_record_before_stage_change(event):
    """Runs before a record leaves its stage; ``event.changes[stage_field]`` is ``(old, new)``.

    Raise :class:`core.errors.ValidationError` to refuse the move (required
    fields, required steps); nothing is written then.
    """


@hookspec
def flowcase_record_after_stage_change(event):
    """Runs after a stage change is flushed, in the same transaction.

    The process engine creates the new stage's tasks and approvals here;
    raising rolls back the stage change and everything it created.
    """


# ---------------------------------------------------------------------------
# Email: outgoing (the ``core.send_email`` job, :mod:`core.mail`) and incoming
# (the ``core.fetch_mail`` job, :mod:`core.mail.incoming`).
# ---------------------------------------------------------------------------

@hookspec
def flowcase_email_sent(email, records):
    """Runs after a queued email was delivered over SMTP and recorded as sent (after that commit).

    Runs in its own transaction: raising undoes what the hook wrote and is
    logged, but the email stays sent (it is never sent twice). The CRM logs
    the email as an activity of type ``email`` on the record it concerns.

    :param email: the :class:`core.mail.models.Email` row (``section`` and
        ``record_id`` name the record it is about, when any).
    :param records: a superuser :class:`core.records.Records`.
    :return: nothing.
    """


@hookspec
def flowcase_email_received(message, mailbox, records):
    """Create the record a new incoming email asks for (the sales add-on: a lead from the sales mailbox).

    Called by the ``core.fetch_mail`` job (:mod:`core.mail.incoming`) for a
    message that is not a duplicate (same Message-ID), answers no known
    thread (its In-Reply-To / References name no earlier incoming or outgoing
    email) and is not automatic (``Auto-Submitted``: out-of-office replies,
    bounces), inside the transaction that stores the message; raising rolls
    the message back, which is then logged, skipped and left unread on the
    server.
    Implementations are asked from the most dependent add-on to the least (a
    vertical overrides sales), and the first that returns a record wins: the
    others are not called. When none does, the core creates a record of the
    mailbox's section with its default values, if the mailbox names one. The
    core then logs the message as a done ``email`` activity on the record and
    in the sender's contact history.

    :param message: a :class:`core.mail.incoming.parse.IncomingMessage` (subject,
        sender, text, attachments, ``contact`` matched by address or None,
        ``raw`` the parsed :class:`email.message.EmailMessage`).
    :param mailbox: the :class:`core.mail.incoming.models.Mailbox` it came from
        (``section`` and ``defaults`` say what its new records should be).
    :param records: a superuser :class:`core.records.Records`; write through it.
    :return: the record created, or ``None`` to leave the message to others.
    """


# ---------------------------------------------------------------------------
# Add-on lifecycle and data: called by ``core.addons.manager``.
# ---------------------------------------------------------------------------

@hookspec
def flowcase_addon_installed(addon, records):
    """Runs after an add-on's migrations ran and its data files loaded, in the install transaction.

    Only the installed add-on's own implementation is called.

    :param addon: the :class:`core.addons.manifest.Manifest` just installed.
    :param records: a superuser :class:`core.records.Records`.
    """


@hookspec
def flowcase_addon_before_uninstall(addon, records):
    """Runs before an add-on's seeded records and (with ``--drop-data``) tables are removed.

    Only the add-on's own implementation is called; raising cancels the uninstall.
    """


@hookspec
def flowcase_demo_generate(records, scale):
    """Create generated demo records (``flowcase demo --scale N``).

    Runs after every installed add-on's demo files loaded, add-ons in
    dependency order, each in its own savepoint: a failing demo is reported
    and skipped, never failing the install.

    :param records: a superuser :class:`core.records.Records`.
    :param scale: how many top-level records to make (``0`` = the hand-written demo only).
    """


# ---------------------------------------------------------------------------
# Doors to the outside: web forms, telephony (``core.webforms``, ``core.telephony``).
# ---------------------------------------------------------------------------

@hookspec
def flowcase_register_telephony_connectors(app):
    """Name the telephony connectors (PBX integrations) events may arrive from and calls may be placed through.

    Called when an event arrives at ``/telephony/<name>/events/<event>`` or a
    user clicks to call; the core registers ``mango`` and ``webhook``
    (:mod:`core.telephony.connectors`).

    :param app: the running Flask app.
    :return: a dict ``{name: connector class}``; each class subclasses
        :class:`core.telephony.connectors.Connector` and is built with its
        settings from ``FLOWCASE_TELEPHONY[name]``.
    """


@hookspec
def flowcase_contact_match(records, phone, email):
    """Find the contact a phone number or email address belongs to (telephony, web forms, mail).

    Called outside or inside a write transaction; must only read, through
    ``records.select("contact")`` so rights apply.

    :param records: the acting :class:`core.records.Records`.
    :param phone: the number in E.164 (``+74951234567``), or None.
    :param email: the address, stripped and lower-cased, or None.
    :return: the contact record, or None; the first result in the add-ons'
        dependency order wins.
    """
