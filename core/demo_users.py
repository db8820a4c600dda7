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
#: Roles the demo people get when an installed add-on seeded them (looked up by code: the core imports no add-on).
DEMO_ROLES = {"manager": "sales_manager", "alice": "sales_user", "bob": "sales_user"}


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
    _grant_demo_roles(users)
    db.session.commit()
    return users


def _grant_demo_roles(users: dict[str, User]) -> None:
    """Give the demo people their roles (:data:`DEMO_ROLES`) where those roles exist."""
    from core.security.models import Role

    roles = {role.code: role for role in db.session.scalars(sa.select(Role).where(Role.code.in_(set(DEMO_ROLES.values()))))}
    for login, code in DEMO_ROLES.items():
        role = roles.get(code)
        if role is not None and login in users and role not in users[login].roles:
            users[login].roles.append(role)
