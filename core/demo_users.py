"""The demo's people: the superuser admin/admin, a sales manager and two salespeople."""
from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db
from core.models import User

DEMO_USERS = [
    # login, name, superuser, manager login
    ("admin", "Administrator", True, None),
    ("manager", "Мария Ковалёва (Sales manager)", False, None),
    ("alice", "Alice Petrova", False, "manager"),
    ("bob", "Bob Ivanov", False, "manager"),
]


def ensure_demo_users() -> dict[str, User]:
    """Create (or reset the passwords of) the demo users; each password equals the login."""
    users = {}
    for login, name, superuser, manager in DEMO_USERS:
        user = db.session.scalars(sa.select(User).where(User.login == login)).first()
        if user is None:
            user = User(login=login, name=name, is_superuser=superuser)
            db.session.add(user)
        user.set_password(login)
        user.active = True
        if manager:
            db.session.flush()
            user.manager_id = users[manager].id
        users[login] = user
    db.session.commit()
    return users
