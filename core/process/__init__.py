"""The process engine: cases (stage sets chosen by a condition), stages with steps, approvals.

- :mod:`core.process.models` — the tables (migration ``core_0006_process``);
- :mod:`core.process.config` — reading cases, stages and steps;
- :mod:`core.process.engine` — what happens on create, stage change, finished step, decision;
- :mod:`core.process.steps` / :mod:`core.process.rules` — starting a step, resolving who it is for;
- :mod:`core.process.hooks` — the wiring through the record-event hooks;
- :mod:`core.process.views`, :mod:`core.process.stage_bar`, :mod:`core.process.form_view` — the pages.
"""
