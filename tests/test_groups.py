"""Record groups: dynamic ones follow their filter, static ones their members; both filter lists within the user's rights."""
import pytest
import sqlalchemy as sa

from core.errors import AccessDenied, ValidationError
from core.extensions import db
from core.filters import compile_filter
from core.groups.models import RecordGroup
from core.groups.service import add_members, create_group, group_records, remove_members
from core.users import create_user

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def world(app_ctx):
    state = app_ctx.extensions["flowcase"]
    admin = create_user("admin", "pw", superuser=True)
    alice = create_user("alice", "pw")
    bob = create_user("bob", "pw")
    sudo = state.records(sudo=True)
    with sudo.transaction():
        ids = {name: sudo.create("contact", {"last_name": name, "city": city, "owner_id": owner.id}).id
               for name, city, owner in (("Иванов", "Москва", alice), ("Петров", "Казань", alice),
                                         ("Сидоров", "Москва", bob))}
    from core.security.models import Role

    seller = db.session.scalars(sa.select(Role).where(Role.code == "sales_user")).one()  # reads every contact
    alice.roles.append(seller)
    bob.roles.append(seller)
    db.session.commit()
    return {"state": state, "admin": admin, "alice": alice, "bob": bob, "ids": ids}


def _members(records, group):
    section = records.section(group.section)
    return set(records.session.scalars(group_records(records, group).with_only_columns(section.table.c.id)))


def test_a_contact_joins_and_leaves_a_dynamic_group_as_its_fields_change(world):
    records = world["state"].records(world["alice"])
    section = records.section("contact")
    moscow = create_group(records, section, "Москва", "dynamic", {"field": "city", "op": "eq", "value": "Москва"})
    ids = world["ids"]
    assert _members(records, moscow) == {ids["Иванов"], ids["Сидоров"]}
    with records.transaction():
        records.update("contact", ids["Петров"], {"city": "Москва"})
    assert ids["Петров"] in _members(records, moscow)
    with records.transaction():
        records.update("contact", ids["Иванов"], {"city": "Тверь"})
    assert _members(records, moscow) == {ids["Петров"], ids["Сидоров"]}
    # the same group as a node of any filter tree
    clause = compile_filter(section, {"all": [{"group": moscow.id}, {"field": "owner_id", "op": "eq", "value": "$me"}]},
                            world["alice"], records=records)
    assert set(db.session.scalars(sa.select(section.table.c.id).where(clause))) == {ids["Петров"]}


def test_static_groups_hold_the_records_added_until_removed(world):
    records = world["state"].records(world["alice"])
    section = records.section("contact")
    ids = world["ids"]
    picked = create_group(records, section, "VIP", "static")
    assert add_members(records, picked.id, [ids["Иванов"], ids["Сидоров"]]) == 2
    assert add_members(records, picked.id, [ids["Иванов"]]) == 0  # already in
    with records.transaction():
        records.update("contact", ids["Иванов"], {"city": "Тверь"})  # fields do not matter to a static group
    assert _members(records, picked) == {ids["Иванов"], ids["Сидоров"]}
    assert remove_members(records, picked.id, [ids["Сидоров"]]) == 1
    assert _members(records, picked) == {ids["Иванов"]}


def test_groups_are_their_owners_unless_shared(world):
    alice_records = world["state"].records(world["alice"])
    bob_records = world["state"].records(world["bob"])
    section = alice_records.section("contact")
    private = create_group(alice_records, section, "Mine", "static")
    shared = create_group(alice_records, section, "Ours", "static", shared=True)
    with pytest.raises(ValidationError):
        compile_filter(section, {"group": private.id}, world["bob"], records=bob_records)
    compile_filter(section, {"group": shared.id}, world["bob"], records=bob_records)
    with pytest.raises(AccessDenied):
        add_members(bob_records, shared.id, [world["ids"]["Иванов"]])


def test_bad_groups_are_refused_with_a_message(world):
    records = world["state"].records(world["alice"])
    section = records.section("contact")
    with pytest.raises(ValidationError) as caught:
        create_group(records, section, "Broken", "dynamic", {"field": "nope", "op": "eq", "value": 1})
    assert "nope" in caught.value.errors
    group = create_group(records, section, "Loop", "dynamic", {})
    sudo = world["state"].records(sudo=True)
    db.session.execute(sa.update(RecordGroup).where(RecordGroup.id == group.id).values(filter={"group": group.id}))
    db.session.commit()
    with pytest.raises(ValidationError) as caught:
        compile_filter(section, {"group": group.id}, world["alice"], records=sudo)
    assert "refers to itself" in str(caught.value.errors["group"][0])


def test_list_page_group_filter_honours_rights(world, app, client):
    from core.security.models import Role

    sudo = world["state"].records(sudo=True)
    ids = world["ids"]
    with sudo.transaction():
        role = sudo.create("role", {"code": "own_contacts", "name": "Own contacts"})
        sudo.create("section_right", {"role_id": role.id, "section": "contact", "read": "own", "create": "all",
                                      "update": "own", "delete": "none"})
    world["bob"].roles[:] = [db.session.get(Role, role.id)]
    db.session.commit()
    alice_records = world["state"].records(world["alice"])
    moscow = create_group(alice_records, alice_records.section("contact"), "Москва", "dynamic",
                          {"field": "city", "op": "eq", "value": "Москва"}, shared=True)
    assert client.post("/login", data={"login": "bob", "password": "pw"}).status_code == 302
    page = client.get(f"/contact/?group={moscow.id}").get_data(as_text=True)
    assert f'data-id="{ids["Сидоров"]}"' in page and f'data-id="{ids["Иванов"]}"' not in page  # Иванов is alice's
    assert client.get("/contact/?group=abc").status_code == 400
    assert client.get("/contact/?group=99999").status_code == 400


def test_list_page_saves_a_filter_as_a_group_and_adds_selected_records(world, client):
    ids = world["ids"]
    assert client.post("/login", data={"login": "alice", "password": "pw"}).status_code == 302
    response = client.post("/contact/groups", data={"name": "Казань", "kind": "dynamic", "query": "q=Петров"})
    assert response.status_code == 303
    group = db.session.scalars(sa.select(RecordGroup).where(RecordGroup.name == "Казань")).one()
    page = client.get(f"/contact/?group={group.id}").get_data(as_text=True)
    assert "data-fc-groups" in page and f'data-id="{ids["Петров"]}"' in page and f'data-id="{ids["Сидоров"]}"' not in page
    client.post("/contact/groups", data={"name": "Picked", "kind": "static", "query": ""})
    picked = db.session.scalars(sa.select(RecordGroup).where(RecordGroup.name == "Picked")).one()
    assert "data-fc-group-members" in client.get("/contact/").get_data(as_text=True)
    client.post("/contact/groups/members", data={"group_id": picked.id, "action": "add", "ids": [ids["Сидоров"]]})
    page = client.get(f"/contact/?group={picked.id}").get_data(as_text=True)
    assert f'data-id="{ids["Сидоров"]}"' in page and f'data-id="{ids["Петров"]}"' not in page
    client.post("/contact/groups/members", data={"group_id": picked.id, "action": "remove", "ids": [ids["Сидоров"]]})
    assert f'data-id="{ids["Сидоров"]}"' not in client.get(f"/contact/?group={picked.id}").get_data(as_text=True)


def test_sidebar_shows_each_user_own_and_shared_groups_only(world, client):
    """The rights clause is kept per user: one viewer's "own or shared" is never another's."""
    alice_records = world["state"].records(world["alice"])
    bob_records = world["state"].records(world["bob"])
    section = alice_records.section("contact")
    create_group(alice_records, section, "Alice private", "static")
    create_group(alice_records, section, "Alice shared", "dynamic", {}, shared=True)
    create_group(bob_records, section, "Bob private", "dynamic", {})
    seen = {}
    for login in ("alice", "bob", "alice", "bob"):
        client.post("/logout")
        assert client.post("/login", data={"login": login, "password": "pw"}).status_code == 302
        page = client.get("/contact/").get_data(as_text=True)
        seen[login] = {name for name in ("Alice private", "Alice shared", "Bob private") if f">{name}</a>" in page}
        # Only the owner may delete: alice's shared group has her delete button, not bob's.
        assert ('aria-label="Delete Alice shared"' in page) is (login == "alice")
    assert seen == {"alice": {"Alice private", "Alice shared"}, "bob": {"Alice shared", "Bob private"}}


def test_sidebar_reads_a_group_added_but_not_yet_written(world):
    """The sidebar's statement runs on the session's connection: what the session holds is flushed first."""
    from core.groups.service import sidebar_groups

    records = world["state"].records(world["alice"])
    db.session.add(RecordGroup(section="contact", name="Pending", kind="dynamic", filter={},
                               owner_id=world["alice"].id, shared=False))
    assert [row.name for row in sidebar_groups(records, records.section("contact"))] == ["Pending"]
    db.session.rollback()
