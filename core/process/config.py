"""Reading the process configuration: which case a record follows, a case's stages and steps.

Which cases are active is kept per process while the configuration generation
holds (:mod:`core.config_cache`); the rest is read on demand. Either way an
admin's edit in /admin applies to the next write, in every worker.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core.filters import compile_filter
from core.process.models import ProcessCase, ProcessRecord, ProcessStage, ProcessStep
from core.sections import Section


def has_stage_lookup(section: Section) -> bool:
    """Whether the section's stage field is a lookup (a foreign key to a stage table): only those follow cases."""
    if not section.stage_field or section.stage_field not in section.table.c:
        return False
    return bool(section.table.c[section.stage_field].foreign_keys)


def stage_model(records, section: Section):
    """The model of the section's stage table (``SalesStage``), found through its section."""
    column = section.table.c[section.stage_field]
    table = next(iter(column.foreign_keys)).column.table.name
    target = records.state.sections.for_table(table)
    return target.model if target is not None else None


def stage_row(records, section: Section, stage_id):
    """The stage table's row with this id, or None."""
    model = stage_model(records, section)
    return records.session.get(model, stage_id) if model is not None and stage_id is not None else None


def stage_label(records, section: Section, stage_id) -> str:
    row = stage_row(records, section, stage_id)
    return str(getattr(row, "name", None) or f"#{stage_id}")


def matches(entry, stage_id: int, code: str | None) -> bool:
    """Whether a configured stage reference (an id or a code) names this stage."""
    return entry == stage_id or (code is not None and entry == code) or str(entry) == str(stage_id)


def process_of(session, section: Section, record) -> ProcessRecord | None:
    """The record's process row (which case it follows), or None."""
    return session.scalar(sa.select(ProcessRecord).where(
        ProcessRecord.section == section.name, ProcessRecord.record_id == record.id))


def case_for(records, section: Section, record) -> ProcessCase | None:
    """The first active case of the section (by priority) whose condition the record meets."""
    session = records.session
    for case_id, condition in _active_cases(session).get(section.name, ()):
        if condition:
            clause = compile_filter(section, condition, records.user, sections=records.state.sections)
            model = section.model
            if not session.scalar(sa.select(sa.literal(1)).select_from(model).where(model.id == record.id, clause)):
                continue
        return session.get(ProcessCase, case_id)
    return None


def _active_cases(session) -> dict:
    """``{section: [(case id, condition)]}`` of the active cases by priority, kept per process while the
    configuration generation holds (:mod:`core.config_cache`): most creates follow no case and pay nothing."""
    from core.config_cache import cached

    return cached(session, "process_cases", _load_cases)


def _load_cases(session) -> dict:
    cases: dict = {}
    with session.no_autoflush:
        rows = session.execute(sa.select(ProcessCase.section, ProcessCase.id, ProcessCase.condition)
                               .where(ProcessCase.active.is_(True)).order_by(ProcessCase.priority, ProcessCase.id))
        for row in rows:
            cases.setdefault(row.section, []).append((row.id, row.condition))
    return cases


@dataclass
class CaseMap:
    """A case with its stage configs (in order) and their steps, read in two queries."""

    case: ProcessCase
    stages: list[ProcessStage]
    steps: dict[int, list[ProcessStep]]

    def stage(self, stage_id) -> ProcessStage | None:
        """The config of a stage id in this case, or None when the case does not walk it."""
        for config in self.stages:
            if config.stage_id == stage_id:
                return config
        return None

    def steps_of(self, config: ProcessStage) -> list[ProcessStep]:
        return self.steps.get(config.id, [])

    def next_after(self, config: ProcessStage) -> ProcessStage | None:
        """The following stage by order that is not a failure stage."""
        later = [s for s in self.stages if (s.sequence, s.id) > (config.sequence, config.id) and s.kind != "failure"]
        return later[0] if later else None


def load_case(session, case_id: int) -> CaseMap:
    """The case, its stages and steps."""
    case = session.get(ProcessCase, case_id)
    stages = list(session.scalars(sa.select(ProcessStage).where(ProcessStage.case_id == case_id)
                                  .order_by(ProcessStage.sequence, ProcessStage.id)))
    steps: dict[int, list[ProcessStep]] = {}
    if stages:
        for step in session.scalars(sa.select(ProcessStep).where(
                ProcessStep.stage_config_id.in_([s.id for s in stages])).order_by(ProcessStep.sequence, ProcessStep.id)):
            steps.setdefault(step.stage_config_id, []).append(step)
    return CaseMap(case, stages, steps)
