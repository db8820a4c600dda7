"""API keys: made by the CLI and shown once, stored as a hash, revocable, last use noted at most once a minute."""
import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from core.db import utcnow
from core.extensions import db
from core.models import ApiKey, User
from core.users import create_user

pytestmark = pytest.mark.addons("crm")


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["flowcase", *args])


def create_reader(login: str, password: str) -> User:
    """A user holding crm's seeded "sales_user" role, so a key of theirs lists contacts (200, not 403)."""
    from core.security.models import Role

    user = create_user(login, password)
    user.roles.append(db.session.scalars(sa.select(Role).where(Role.code == "sales_user")).one())
    db.session.commit()
    return user


def test_cli_creates_a_key_shown_once_and_stores_only_its_hash(app, client):
    with app.app_context():
        create_reader("alice", "alice-pw")
    result = _cli(app, "apikey", "create", "alice", "--name", "website")
    assert result.exit_code == 0, result.output
    token = re.search(r"^(fc_\S+)$", result.output, re.M).group(1)
    with app.app_context():
        key = db.session.scalars(sa.select(ApiKey)).one()
        assert key.name == "website" and token.startswith(key.prefix)
        assert key.key_hash == hashlib.sha256(token.encode()).hexdigest()
        stored = [str(v) for v in db.session.execute(sa.select(ApiKey.__table__)).one()]
        assert not any(token in value for value in stored)  # the token itself is nowhere in the row
    listing = _cli(app, "apikey", "list")
    assert key.prefix in listing.output and token not in listing.output

    assert client.get("/api/v1/contact", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert _cli(app, "apikey", "create", "nobody").exit_code == 1


@pytest.mark.parametrize("header", [None, "Bearer fc_wrong_key", "Basic YWxpY2U6YWxpY2U=", "Bearer "])
def test_requests_without_a_valid_key_get_401_problem(app, client, header):
    response = client.get("/api/v1/contact", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401 and "Bearer" in response.headers["WWW-Authenticate"]


def test_a_logged_in_session_cookie_is_not_an_api_credential(app, client):
    with app.app_context():
        create_user("admin", "admin-pw", superuser=True)
    assert client.post("/login", data={"login": "admin", "password": "admin-pw"}).status_code == 302
    assert client.get("/api/v1/contact").status_code == 401


def test_an_api_call_neither_reads_nor_rewrites_the_page_login_cookie(app, client):
    with app.app_context():
        create_user("admin", "admin-pw", superuser=True)
    token = _cli(app, "apikey", "create", "admin").output.split()[-1]
    assert client.post("/login", data={"login": "admin", "password": "admin-pw"}).status_code == 302
    cookie = client.get_cookie("session").value
    response = client.get("/api/v1/contact", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert client.get_cookie("session").value == cookie
    assert client.get("/").status_code == 200  # the page login is untouched
    headers = {"Cookie": f"session={cookie}"}
    with app.test_request_context("/", headers=headers) as ctx:
        assert "_user_id" in app.session_interface.open_session(app, ctx.request)
    for path in ("/api/v1/contact", "/odata/contact"):
        with app.test_request_context(path, headers=headers) as ctx:  # the signed cookie is not even decoded
            assert dict(app.session_interface.open_session(app, ctx.request)) == {}


def test_revoked_key_and_deactivated_user_get_401(app, client):
    with app.app_context():
        alice_id = create_reader("alice", "alice-pw").id
        bob_id = create_reader("bob", "bob-pw").id
    token_a = _cli(app, "apikey", "create", "alice").output.split()[-1]
    token_b = _cli(app, "apikey", "create", "bob").output.split()[-1]
    auth = lambda token: {"Authorization": f"Bearer {token}"}  # noqa: E731
    assert client.get("/api/v1/contact", headers=auth(token_a)).status_code == 200
    with app.app_context():
        key_id = db.session.scalars(sa.select(ApiKey.id).where(ApiKey.user_id == alice_id)).one()
    result = _cli(app, "apikey", "revoke", str(key_id))
    assert result.exit_code == 0 and "revoked" in result.output
    assert client.get("/api/v1/contact", headers=auth(token_a)).status_code == 401
    assert _cli(app, "apikey", "revoke", "9999").exit_code == 1
    with app.app_context():
        db.session.get(User, bob_id).active = False
        db.session.commit()
    assert client.get("/api/v1/contact", headers=auth(token_b)).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(app, client):
    from core.api.keys import create_key

    with app.app_context():
        user = create_reader("alice", "alice-pw")
        key, token = create_key(user)
        key_id = key.id

    def last_used():
        with app.app_context():
            return db.session.get(ApiKey, key_id).last_used_at

    headers = {"Authorization": f"Bearer {token}"}
    start = utcnow().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        assert last_used() is None
        client.get("/api/v1/contact", headers=headers)
        first = last_used()
        assert first is not None
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get("/api/v1/contact", headers=headers)
        assert last_used() == first  # no write within the minute
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get("/api/v1/contact", headers=headers)
        assert last_used() != first


def test_admin_page_lists_keys_without_secrets_and_revokes(app, client):
    from core.api.keys import create_key

    with app.app_context():
        create_user("admin", "admin-pw", superuser=True)
        alice = create_reader("alice", "alice-pw")
        key, token = create_key(alice, "accounting sync")
        key_id, prefix, key_hash = key.id, key.prefix, key.key_hash
    client.post("/login", data={"login": "admin", "password": "admin-pw"})
    page = client.get("/admin/api_keys/").get_data(as_text=True)
    assert "accounting sync" in page and prefix in page and "alice" in page
    assert token not in page and key_hash not in page
    response = client.post("/admin/api_keys/action/", data={"action": "revoke", "rowid": [str(key_id)]})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ApiKey, key_id).revoked_at is not None


def test_a_key_revoked_or_a_user_deactivated_in_another_worker_fails_here_at_once(app, second_app):
    """The key's user is read with the key on every request: nothing about it is kept between requests."""
    from core.api.keys import create_key, revoke_key

    with app.app_context():
        alice, alice_token = create_key(create_reader("alice", "alice-pw"))
        alice_key_id = alice.id
        bob_id = create_reader("bob", "bob-pw").id
        _, bob_token = create_key(db.session.get(User, bob_id))
    client = app.test_client()
    auth = lambda token: {"Authorization": f"Bearer {token}"}  # noqa: E731
    for token in (alice_token, bob_token):
        assert client.get("/api/v1/contact", headers=auth(token)).status_code == 200
    with second_app.app_context():
        revoke_key(alice_key_id)
        db.session.get(User, bob_id).active = False
        db.session.commit()
    assert client.get("/api/v1/contact", headers=auth(alice_token)).status_code == 401
    assert client.get("/api/v1/contact", headers=auth(bob_token)).status_code == 401


def test_the_key_user_reads_as_a_user_without_loading_one(app):
    """Columns come with the key; relationships and methods are the ORM user's, loaded only when asked for."""
    from flask import g

    from core.api.keys import create_key
    from core.security.models import Role

    with app.app_context():
        user = create_user("carol", "carol-pw")
        user.roles.append(db.session.scalars(sa.select(Role).where(Role.code == "sales_user")).one())
        db.session.commit()
        _, token = create_key(user)
        user_id = user.id
    with app.test_request_context("/api/v1/contact", headers={"Authorization": f"Bearer {token}"}):
        from core.api import authenticate

        authenticate()
        key_user = g.api_user
        assert "_orm_user" not in vars(key_user)  # nothing loaded for the columns
        assert (key_user.id, key_user.login, key_user.is_active, key_user.is_superuser) == (user_id, "carol", True, False)
        assert db.session.get(User, user_id) == key_user and key_user.get_id() == str(user_id)
        assert [role.code for role in key_user.roles] == ["sales_user"]  # through the ORM user
        assert key_user.check_password("carol-pw")
