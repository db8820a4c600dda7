"""Automations (Odoo's automated actions): trigger + condition + actions on a section, managed in /admin.

- :mod:`.models`: the ``automation`` definitions and the timed-run log;
- :mod:`.engine`: event triggers (on create, on update of watched fields, on
  entering a stage) run inside the write's transaction;
- :mod:`.timers`: timed triggers run by the ``core.timed_automations`` periodic job;
- :mod:`.actions`, :mod:`.assignee`, :mod:`.values`: what an automation does, to whom,
  with which values.

Add-ons seed automations as data (section ``automation``, ``owner: <addon>``).
"""
