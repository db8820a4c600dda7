"""A records batch checks each row as a one-by-one create does, with what it looked up once for the section.

Column rights, required custom fields and unknown fields refuse the row they
concern, with the same messages as ``Records.create``; the others are written.
"""
import pytest
import sqlalchemy as sa

from core.errors import ValidationError
from core.extensions import db
from core.security.models import ColumnRight, Role
from core.sections import Section
from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")


@pytest.fixture
def clerk(app_ctx):
    """A clerk who may not change the colour (read-only), and a required custom field ``rooms``."""
    state = app_ctx.extensions["flowcase"]
    state.records(sudo=True).create("custom_field", {"section": "fx_thing", "name": "rooms", "label": "Rooms",
                                                     "type": "integer", "required": True})
    role = Role(code="clerk", name="clerk")
    db.session.add(role)
    db.session.flush()
    db.session.add(ColumnRight(role_id=role.id, section="fx_thing", field="fx_ext.colour", access="readonly"))
    user = create_user("clerk", "clerk")
    user.roles = [role]
    db.session.commit()
    return state.records(user)


def rows(n, tag="Thing"):
    """Every fourth row misses its rooms, every fourth sets the read-only colour, every fourth names no field."""
    made = []
    for i in range(n):
        values = {"name": f"{tag} {i}", "custom.rooms": i + 1}
        if i % 4 == 1:
            del values["custom.rooms"]
        elif i % 4 == 2:
            values["fx_ext.colour"] = "blue"
        elif i % 4 == 3:
            values["no_such_field"] = 1
        made.append(values)
    return made


def refusal(records, values):
    try:
        records.create("fx_thing", values)
    except ValidationError as error:
        return {path: [str(message) for message in messages] for path, messages in error.errors.items()}
    return None


def test_a_batch_refuses_the_rows_a_create_refuses_and_looks_the_section_up_once(clerk, monkeypatch):
    expected = [refusal(clerk, values) for values in rows(4, "Single")]
    assert [sorted(errors or {}) for errors in expected] == [[], ["custom.rooms"], ["fx_ext.colour"], ["no_such_field"]]

    lookups = []
    custom_fields = Section.custom_fields
    monkeypatch.setattr(Section, "custom_fields", lambda section: lookups.append(section.name) or custom_fields(section))
    refused, written = [], []
    with clerk.transaction(), clerk.batch(size=10) as batch:
        for number, values in enumerate(rows(40)):
            try:
                batch.create("fx_thing", values, on_written=lambda record: written.append(record.name))
            except ValidationError as error:
                refused.append((number, {path: [str(m) for m in messages] for path, messages in error.errors.items()}))
    assert refused == [(number, expected[number % 4]) for number in range(40) if number % 4]
    assert written == [f"Thing {i}" for i in range(0, 40, 4)]
    model = clerk.section("fx_thing").model
    stored = db.session.execute(sa.select(model.name, model.custom).where(model.name.like("Thing %"))).all()
    assert sorted(stored) == sorted((f"Thing {i}", {"rooms": i + 1}) for i in range(0, 40, 4))
    # Once for the section's plan, not once per row (custom values are mapped from it too).
    assert lookups.count("fx_thing") == 1
