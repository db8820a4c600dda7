"""The ``stage_change`` bench scenario: a stage change that creates five tasks and one approval.

A case of its own (``bench_stage_change``, for opportunities named "Bench
process ...") moves from a stage without steps to one with five task steps and
an approval; each measured run moves one fresh opportunity through the records
service (checks, change log, hooks, the engine's runs and activities, commit).
The floor is what the database must do at least: bare Core inserts of the six
rows (five activities, one approval run) and the record's update, in one
transaction.
"""
from __future__ import annotations

import sqlalchemy as sa

from core.bench.stats import DEFAULT_REPEAT, WARMUP_RUNS
from core.db import utcnow
from core.extensions import db

CASE_CODE = "bench_stage_change"
#: Opportunities made ready per batch: the default runs and the warm-up take one batch, so no measured
#: run pays for a refill.
POOL_BATCH = DEFAULT_REPEAT + WARMUP_RUNS


def _setup_case(records, stage_ids) -> None:
    from core.process.models import ProcessCase

    if db.session.scalar(sa.select(ProcessCase.id).where(ProcessCase.code == CASE_CODE)) is not None:
        return
    with records.transaction():
        case = records.create("process_case", {
            "code": CASE_CODE, "name": "Bench stage change", "section": "opportunity", "priority": 0,
            "condition": {"field": "name", "op": "startswith", "value": "Bench process"}})
        records.create("process_stage", {"case_id": case.id, "stage_id": stage_ids[0], "sequence": 10})
        target = records.create("process_stage", {"case_id": case.id, "stage_id": stage_ids[1], "sequence": 20})
        for i in range(5):
            records.create("process_step", {"stage_config_id": target.id, "name": f"Task {i + 1}", "kind": "task",
                                            "sequence": i, "params": {"title": f"Bench task {i + 1}", "due_days": 2}})
        records.create("process_step", {"stage_config_id": target.id, "name": "Visa", "kind": "approval",
                                        "sequence": 9, "params": {"approver": "owner_manager"}})


def stage_change_scenario(ctx, scenario_class, table):
    """The scenario, or why it is not available."""
    name, title = "stage_change", "Stage change creating five tasks and an approval"
    opportunity, stage, activity = table("sales_opportunity"), table("sales_stage"), table("crm_activity")
    run_table = table("core_process_step_run")
    if opportunity is None or activity is None or run_table is None or "opportunity" not in ctx.state.sections:
        return scenario_class(name, title, unavailable="needs the crm and sales add-ons and the process engine")
    stage_ids = db.session.scalars(sa.select(stage.c.id).where(stage.c.stage_set == "corporate_sale")
                                   .order_by(stage.c.sequence).limit(2)).all()
    if len(stage_ids) < 2:
        return scenario_class(name, title, unavailable="the corporate sale stages are not seeded")
    records = ctx.state.records(sudo=True)
    _setup_case(records, stage_ids)
    from core.models import User

    # Plain ids: the session is removed after every run, which detaches ORM objects.
    owner_id = db.session.scalar(sa.select(User.id).where(User.manager_id.is_not(None)).order_by(User.id)) or ctx.user.id
    visa_step_id = db.session.scalar(sa.text("SELECT max(id) FROM core_process_step"))
    pool: list[int] = []

    def refill():
        with records.transaction():
            for _ in range(POOL_BATCH):
                pool.append(records.create("opportunity", {
                    "name": f"Bench process {utcnow().isoformat()}", "stage_id": stage_ids[0],
                    "owner_id": owner_id}).id)

    refill()
    checked: list = []

    def run():
        if not pool:
            refill()
        record_id = pool.pop()
        with records.transaction():
            records.set_stage("opportunity", record_id, stage_ids[1])
        if not checked:  # once: the engine really made the work measured here
            made = db.session.execute(sa.select(run_table.c.kind, sa.func.count()).where(
                run_table.c.section == "opportunity", run_table.c.record_id == record_id).group_by(run_table.c.kind)).all()
            if dict(made) != {"task": 5, "approval": 1}:
                raise RuntimeError(f"the stage change made {dict(made)}, not five tasks and one approval")
            checked.append(True)
        db.session.remove()

    floor_ids = []

    def floor():
        now = utcnow()
        with db.engine.begin() as conn:
            if not floor_ids:
                floor_ids.append(conn.execute(sa.select(sa.func.max(opportunity.c.id))).scalar())
            for i in range(5):
                conn.execute(sa.insert(activity).values(
                    subject=f"Bench task {i + 1}", status="open", priority="normal", owner_id=owner_id,
                    section="opportunity", record_id=floor_ids[0], version=1, custom={}, created_at=now,
                    updated_at=now))
            conn.execute(sa.insert(run_table).values(
                section="opportunity", record_id=floor_ids[0], step_id=visa_step_id, stage_id=stage_ids[1],
                kind="approval",
                state="pending", current=False, version=1, custom={}, created_at=now, updated_at=now))
            conn.execute(sa.update(opportunity).where(opportunity.c.id == floor_ids[0])
                         .values(stage_id=stage_ids[1], updated_at=now, version=opportunity.c.version + 1))

    return scenario_class(name, title, run=run, floor=floor, extra={"tasks": 5, "approvals": 1})
