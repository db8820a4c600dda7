"""Login throttling (per login and per address, in the database) and the /profile page."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from core.extensions import db
from core.models import User
from core.users import create_user


@pytest.fixture
def alice(app):
    with app.app_context():
        create_user("alice", "right-pw")
        create_user("bob", "bob-pw")


def attempt(client, login, password, ip="10.0.0.1"):
    return client.post("/login", data={"login": login, "password": password}, environ_base={"REMOTE_ADDR": ip})


def test_five_failures_block_the_login_until_the_window_passes(client, alice):
    with time_machine.travel("2030-01-01 10:00Z", tick=False) as clock:
        for _ in range(5):
            assert attempt(client, "alice", "wrong").status_code == 401
        blocked = attempt(client, "alice", "right-pw")  # even the right password waits
        assert blocked.status_code == 429
        assert "Too many failed logins" in blocked.get_data(as_text=True)
        assert attempt(client, "alice", "right-pw", ip="10.9.9.9").status_code == 429  # per login, any address
        clock.shift(timedelta(minutes=16))
        assert attempt(client, "alice", "right-pw").status_code == 302


def test_failures_from_one_address_block_that_address(client, alice):
    with time_machine.travel("2030-01-01 10:00Z", tick=False):
        for number in range(5):
            attempt(client, f"guess{number}", "x", ip="10.6.6.6")
        assert attempt(client, "bob", "bob-pw", ip="10.6.6.6").status_code == 429
        assert attempt(client, "bob", "bob-pw", ip="10.1.1.1").status_code == 302


def test_a_success_clears_the_logins_count(client, alice):
    with time_machine.travel("2030-01-01 10:00Z", tick=False):
        for _ in range(4):
            attempt(client, "alice", "wrong")
        assert attempt(client, "alice", "right-pw").status_code == 302
        client.post("/logout")
        for _ in range(4):
            assert attempt(client, "alice", "wrong", ip="10.0.0.2").status_code == 401
        assert attempt(client, "alice", "right-pw", ip="10.0.0.3").status_code == 302


def test_the_block_message_is_translated(app, client, alice):
    for _ in range(5):
        attempt(client, "alice", "wrong")
    response = client.post("/login", data={"login": "alice", "password": "x"}, headers={"Accept-Language": "ru"})
    assert response.status_code == 429 and "Слишком много" in response.get_data(as_text=True)


def test_profile_sets_language_and_changes_password_with_the_old_one(app, client, alice):
    assert client.post("/login", data={"login": "alice", "password": "right-pw"}).status_code == 302
    assert client.get("/profile").status_code == 200
    wrong = client.post("/profile", data={"language": "ru", "old_password": "nope", "new_password": "new-pw",
                                          "confirm": "new-pw"})
    assert wrong.status_code == 422 and "current password" in wrong.get_data(as_text=True).lower()
    ok = client.post("/profile", data={"language": "ru", "old_password": "right-pw", "new_password": "new-pw",
                                       "confirm": "new-pw"})
    assert ok.status_code == 303
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.login == "alice")).one()
        assert user.language == "ru" and user.check_password("new-pw")
    assert "Профиль" in client.get("/profile").get_data(as_text=True)  # the page now speaks Russian
    client.post("/logout")
    assert client.post("/login", data={"login": "alice", "password": "right-pw"}).status_code == 401
    assert client.post("/login", data={"login": "alice", "password": "new-pw"}).status_code == 302


def test_profile_form_needs_its_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user("carol", "pw")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert client.post("/login", data={"login": "carol", "password": "pw", "csrf_token": token}).status_code == 302
    assert client.post("/profile", data={"language": "ru"}).status_code == 400 or \
        "csrf" in client.post("/profile", data={"language": "ru"}).get_data(as_text=True).lower()
    with app.app_context():
        assert db.session.scalars(sa.select(User.language).where(User.login == "carol")).one() is None
