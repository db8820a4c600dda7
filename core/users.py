"""Creating users from the CLI, demo and tests."""
from __future__ import annotations

import sqlalchemy as sa

from core.errors import ValidationError
from core.extensions import db
from core.models import User


def create_user(login: str, password: str, name: str = "", email: str | None = None,
                superuser: bool = False, manager: User | None = None, language: str | None = None) -> User:
    """Create and commit a user; a taken login or an empty password is a :class:`ValidationError`."""
    login = login.strip()
    if not login:
        raise ValidationError({"login": ["is required"]})
    if not password:
        raise ValidationError({"password": ["is required"]})
    if db.session.scalars(sa.select(User).where(User.login == login)).first() is not None:
        raise ValidationError({"login": [f"'{login}' is taken"]})
    user = User(login=login, name=name or login, email=email, is_superuser=superuser,
                manager_id=manager.id if manager else None, language=language)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def superuser_exists() -> bool:
    return db.session.scalars(sa.select(User.id).where(User.is_superuser.is_(True))).first() is not None
