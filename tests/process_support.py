"""Helpers of the process tests: a small case built through the records service, leads, tasks, users."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.demo_users import ensure_demo_users


def stage_id(records, code: str) -> int:
    model = records.section("sales_stage").model
    return records.session.scalar(sa.select(model.id).where(model.code == code))


def make_case(records, code: str, stages: list[dict], section: str = "lead") -> dict:
    """A case for ``section`` records named like ``code``; ``stages``: dicts with ``code`` and ``steps`` lists."""
    case = records.create("process_case", {"code": code, "name": code.title(), "section": section, "priority": 1,
                                            "condition": {"field": "name", "op": "icontains", "value": code}})
    steps = {}
    for i, stage in enumerate(stages):
        config = records.create("process_stage", {
            "case_id": case.id, "stage_id": stage_id(records, stage["code"]), "sequence": i * 10,
            **{k: v for k, v in stage.items() if k not in ("code", "steps")}})
        for j, step in enumerate(stage.get("steps", [])):
            after = steps[step["after"]].id if step.get("after") else None
            steps[step["name"]] = records.create("process_step", {
                "stage_config_id": config.id, "name": step["name"], "kind": step.get("kind", "task"),
                "required": step.get("required", True), "sequence": j, "after_step_id": after,
                "params": step.get("params", {})})
    records.session.commit()
    return steps


@pytest.fixture
def records(app_ctx):
    return app_ctx.extensions["flowcase"].records(sudo=True)


@pytest.fixture
def users(app_ctx):
    return ensure_demo_users()


@pytest.fixture
def bob(app_ctx, client, users):
    assert client.post("/login", data={"login": "bob", "password": "bob"}).status_code == 302
    return app_ctx.extensions["flowcase"].records(users["bob"])


def tasks(records, record_id, status="open") -> list:
    model = records.section("activity").model
    return list(records.session.scalars(sa.select(model).where(
        model.section == "lead", model.record_id == record_id, model.status == status).order_by(model.id)))


def new_lead(client, name: str, **values) -> int:
    response = client.post("/lead/new", data={"name": name, "source": "manual", "qualification_status": "",
                                              "stage_id": "", **values})
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    return int(re.search(r"/lead/(\d+)$", response.headers["Location"]).group(1))
