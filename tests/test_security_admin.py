"""The security screens in Flask-Admin: users with hashed passwords and roles; rights checked against sections."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.models import User
from core.security.models import ColumnRight, Role, SectionRight
from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")


@pytest.fixture
def admin_client(app, client):
    with app.app_context():
        create_user("admin", "pw", superuser=True)
        db.session.add(Role(code="clerk", name="Clerk"))
        db.session.commit()
    assert client.post("/login", data={"login": "admin", "password": "pw"}).status_code == 302
    return client


def test_a_superuser_creates_a_user_with_a_hashed_password_a_role_and_a_manager(app, admin_client):
    with app.app_context():
        role_id = db.session.scalar(sa.select(Role.id))
        admin_id = db.session.scalar(sa.select(User.id).where(User.login == "admin"))
    response = admin_client.post("/admin/user/new/", data={
        "login": "carol", "name": "Carol", "active": "y", "language": "ru", "roles": [str(role_id)],
        "manager": str(admin_id), "new_password": "s3cret"})
    assert response.status_code == 302
    with app.app_context():
        carol = db.session.scalars(sa.select(User).where(User.login == "carol")).one()
        assert carol.check_password("s3cret") and "s3cret" not in carol.password_hash
        assert [r.code for r in carol.roles] == ["clerk"] and carol.manager_id == admin_id and carol.language == "ru"
        carol_id = carol.id
    page = admin_client.get(f"/admin/user/edit/?id={carol_id}").get_data(as_text=True)
    assert "password_hash" not in page and "scrypt" not in page
    assert admin_client.post("/login", data={"login": "carol", "password": "s3cret"}).status_code == 302


def test_rights_must_name_real_sections_and_fields(app, admin_client):
    with app.app_context():
        role_id = db.session.scalar(sa.select(Role.id))
    bad = admin_client.post("/admin/section_right/new/", data={
        "role": str(role_id), "section": "nosuch", "read": "all", "create": "none", "update": "none", "delete": "none"})
    assert bad.status_code == 200 and "no section named" in bad.get_data(as_text=True)
    good = admin_client.post("/admin/section_right/new/", data={
        "role": str(role_id), "section": "fx_thing", "read": "all", "create": "none", "update": "own", "delete": "none"})
    assert good.status_code == 302
    bad_field = admin_client.post("/admin/column_right/new/", data={
        "role": str(role_id), "section": "fx_thing", "field": "nosuch", "access": "hidden"})
    assert "no field" in bad_field.get_data(as_text=True)
    ext_field = admin_client.post("/admin/column_right/new/", data={
        "role": str(role_id), "section": "fx_thing", "field": "fx_ext.colour", "access": "hidden"})
    assert ext_field.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SectionRight)) == 1
        assert db.session.scalars(sa.select(ColumnRight.field)).all() == ["fx_ext.colour"]


def test_rights_records_written_through_the_records_service_are_checked_too(app_ctx):
    from core.errors import ValidationError

    records = app_ctx.extensions["flowcase"].records(sudo=True)
    role = records.create("role", {"code": "x", "name": "X"})
    with pytest.raises(ValidationError, match="must be one of"):
        records.create("section_right", {"role_id": role.id, "section": "fx_thing", "read": "everything",
                                         "create": "none", "update": "none", "delete": "none"})
    with pytest.raises(ValidationError, match="unknown field"):
        records.create("record_rule", {"name": "r", "section": "fx_thing", "domain": {"field": "nope", "op": "eq", "value": 1}})
