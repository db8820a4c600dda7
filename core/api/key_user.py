"""The user an API key acts as: its columns, read with the key, without an ORM object per request.

Building a ``User`` from the key's row cost some 0.15 ms of CPU per request
(the ORM's entity loading, identity map, instance state; a few per cent of a
REST create, the whole key check being about a sixth), while the rights,
the hooks and the change log read only its columns (``id``, ``is_superuser``,
``active``, ``manager_id``, ``language``, ...). Those come from the key's own
statement on every request, so a revoked key or a deactivated user fails at
once on every worker, as before. Anything that is not a column (``roles``,
``manager``, ``User`` methods) is served by the ORM user, loaded from the
request's session on first use: the object behaves as a ``User`` for reads.
"""
from __future__ import annotations

from core.models import User

#: The user columns the key statement reads (every column of ``core_user``).
USER_COLUMNS = tuple(column.key for column in User.__table__.c)


class KeyUser:
    """A ``User``'s column values; other attributes and writes go to the ORM ``User`` (loaded once)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, values: dict):
        self.__dict__.update(values)

    @property
    def is_active(self) -> bool:
        """What flask-login and the default policy read: the ``active`` column."""
        return self.active

    def get_id(self) -> str:
        """flask-login's identifier of the user."""
        return str(self.id)

    def orm_user(self) -> User:
        """The ORM ``User`` with this id, from the current session (read once)."""
        user = self.__dict__.get("_orm_user")
        if user is None:
            from core.extensions import db

            user = self.__dict__["_orm_user"] = db.session.get(User, self.id)
        return user

    def __getattr__(self, name: str):
        # Only reached for what is not a column read with the key (relationships, methods).
        if name.startswith("__") or name == "_orm_user":
            raise AttributeError(name)
        return getattr(self.orm_user(), name)

    def __setattr__(self, name: str, value) -> None:
        # A write is the ORM user's (it is what gets flushed); the copy here follows it.
        setattr(self.orm_user(), name, value)
        if name in USER_COLUMNS:
            self.__dict__[name] = value

    def __eq__(self, other) -> bool:
        if isinstance(other, (KeyUser, User)):
            return other.id == self.id
        return NotImplemented

    def __hash__(self) -> int:
        return hash((User, self.id))

    def __repr__(self) -> str:
        return f"<User {self.login} (API key)>"
