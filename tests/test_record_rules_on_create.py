"""Record rules apply to creates: a user cannot create a record that falls outside their rule."""
import pytest
import sqlalchemy as sa

from core.errors import AccessDenied
from core.extensions import db
from core.security.models import RecordRule, Role, SectionRight
from core.users import create_user

pytestmark = pytest.mark.addons("fx_base")


@pytest.fixture
def people(app):
    """alice and bob may create any thing (right "all"); alice's role has a rule "owner is me" for creates."""
    with app.app_context():
        alice, bob = create_user("alice", "pw"), create_user("bob", "pw")
        role = Role(code="makers", name="Makers")
        db.session.add(role)
        db.session.flush()
        db.session.add_all([
            SectionRight(role_id=role.id, section="fx_thing", read="all", create="all", update="all", delete="all"),
            RecordRule(name="Create own things only", section="fx_thing", role_id=role.id,
                       domain={"field": "owner_id", "op": "eq", "value": "$me"},
                       apply_read=False, apply_update=False, apply_delete=False, apply_create=True),
        ])
        alice.roles.append(role)
        bob.roles.append(role)
        db.session.commit()
        return {"alice": alice.id, "bob": bob.id}


def names(app):
    with app.app_context():
        model = app.extensions["flowcase"].sections.get("fx_thing").model
        return set(db.session.scalars(sa.select(model.name)))


def test_a_create_outside_the_rule_is_refused_and_writes_nothing(app, people):
    from core.models import User

    with app.app_context():
        records = app.extensions["flowcase"].records(db.session.get(User, people["alice"]))
        with pytest.raises(AccessDenied):
            records.create("fx_thing", {"name": "For bob", "owner_id": people["bob"]})
        with pytest.raises(AccessDenied):
            records.create("fx_thing", {"name": "Nobody's", "owner_id": None})  # no owner: not "owner is me" either
        # Naming no owner at all makes the creator the owner, inside the rule.
        assert records.create("fx_thing", {"name": "Unnamed"}).owner_id == people["alice"]
        assert records.create("fx_thing", {"name": "Mine", "owner_id": people["alice"]}).id
        # the rule is about creates: reading and changing are not limited by it
        theirs = app.extensions["flowcase"].records(sudo=True).create("fx_thing", {"name": "Bob's", "owner_id": people["bob"]})
        records.update("fx_thing", theirs.id, {"name": "Bob's, renamed by alice"})
    found = names(app)
    assert {"Mine", "Bob's, renamed by alice"} <= found and not {"For bob", "Nobody's"} & found


def test_a_rule_that_does_not_apply_to_creates_leaves_them_alone(app, people):
    from core.models import User

    with app.app_context():
        rule = db.session.scalars(sa.select(RecordRule)).one()
        rule.apply_create = False
        db.session.commit()
        records = app.extensions["flowcase"].records(db.session.get(User, people["alice"]))
        assert records.create("fx_thing", {"name": "For bob", "owner_id": people["bob"]}).id
    assert "For bob" in names(app)


def test_the_form_page_refuses_with_403(app, client, people):
    assert client.post("/login", data={"login": "alice", "password": "pw"}).status_code == 302
    response = client.post("/fx_thing/new", data={"name": "Page for bob", "stage": "new", "owner_id": people["bob"]})
    assert response.status_code == 403
    assert client.post("/fx_thing/new", data={"name": "Page mine", "stage": "new",
                                              "owner_id": people["alice"]}).status_code == 303
    assert "Page for bob" not in names(app) and "Page mine" in names(app)


def test_batched_creates_apply_the_rule_per_row(app, people):
    """An import's batch writes alice's rows and reports the one she may not create, writing nothing of it."""
    from core.models import User

    refused = []
    with app.app_context():
        records = app.extensions["flowcase"].records(db.session.get(User, people["alice"]))
        with records.transaction(), records.batch(size=10) as batch:
            batch.create("fx_thing", {"name": "Batch mine"})
            batch.create("fx_thing", {"name": "Batch nobody's", "owner_id": None}, on_failed=refused.append)
            batch.create("fx_thing", {"name": "Batch mine too", "owner_id": people["alice"]})
    assert [type(error) for error in refused] == [AccessDenied]
    found = names(app)
    assert {"Batch mine", "Batch mine too"} <= found and "Batch nobody's" not in found
