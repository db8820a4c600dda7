"""Issuing, checking and revoking API keys.

A key is ``fc_`` + 8 public characters + ``_`` + 43 secret ones (256 random
bits). Only its SHA-256 is stored. A fast hash is right here, unlike for
passwords: a slow hash (scrypt) defends low-entropy secrets against guessing,
while a 256-bit random token cannot be guessed however fast the hash is, and
checking a key on every API request must stay cheap. The hash is the lookup
key, so finding a key is one indexed query and no key is compared by hand.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from core.api.key_user import USER_COLUMNS, KeyUser
from core.db import utcnow
from core.errors import FlowcaseError
from core.extensions import db
from core.models import ApiKey, User

KEY_PREFIX = "fc_"
#: ``last_used_at`` is written at most this often per key, so reads do not become writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(token: str) -> str:
    """The stored form of a key: hex SHA-256 of the whole token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_key(user: User, name: str = "") -> tuple[ApiKey, str]:
    """Make a key for ``user`` and commit it; returns ``(row, token)``: the token exists nowhere else."""
    public = secrets.token_hex(4)
    token = f"{KEY_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    key = ApiKey(user_id=user.id, name=name or "", prefix=f"{KEY_PREFIX}{public}", key_hash=hash_key(token))
    db.session.add(key)
    db.session.commit()
    return key, token


def revoke_key(key_id: int) -> ApiKey:
    """Revoke a key by id (idempotent); the next request with it gets 401."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise FlowcaseError(f"no API key with id {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        db.session.commit()
    return key


def user_for_token(token: str) -> KeyUser | None:
    """The active user a valid, unrevoked key belongs to (as a :class:`~core.api.key_user.KeyUser`), or None;
    notes the key's use."""
    if not token or not token.startswith(KEY_PREFIX) or len(token) > 200:
        return None
    table = ApiKey.__table__
    now = utcnow()
    session = db.session
    row = session.execute(_key_statement(session), {"key_hash": hash_key(token)}).first()
    if row is None:
        return None
    from core.config_cache import prime

    user_end = 2 + len(USER_COLUMNS)
    prime(session, row[user_end:])
    user = KeyUser(dict(zip(USER_COLUMNS, row[2:user_end])))
    last = row[1]
    if last is not None and last.tzinfo is None:  # SQLite returns naive UTC
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        # Committed at once, before the request's own work: through the request's
        # session, since on SQLite a second connection's commit would make this
        # session's older read snapshot unable to write later in the request.
        # Best effort: a concurrent request with the same key may be writing it
        # right now (SQLite then refuses this one); either stamp is good enough.
        try:
            session.execute(sa.update(table).where(
                table.c.id == row[0],
                sa.or_(table.c.last_used_at.is_(None), table.c.last_used_at < now - LAST_USED_RESOLUTION),
            ).values(last_used_at=now))
            session.commit()
        except OperationalError:
            session.rollback()
    return user if user.active else None


def _key_statement(session) -> sa.Select:
    """The key's id, last use and user's columns, and the configuration generation, in one statement.

    The user comes with the key (a request's session starts empty, so a separate
    ``session.get`` would be a second round trip on every call), as plain columns
    (see :mod:`core.api.key_user`), and so does the
    generation every request then needs (:func:`core.config_cache.prime`). Built
    once: building and hashing a statement per request costs as much as running it.
    """
    from core.config_cache import columns

    generation = columns(session)
    found = _KEY_STATEMENTS.get(id(generation))
    if found is None:
        table = ApiKey.__table__
        users = User.__table__
        found = (sa.select(table.c.id, table.c.last_used_at, *(users.c[name] for name in USER_COLUMNS), *generation)
                 .join(users, users.c.id == table.c.user_id)
                 .where(table.c.key_hash == sa.bindparam("key_hash"), table.c.revoked_at.is_(None)))
        _KEY_STATEMENTS[id(generation)] = found
    return found


#: Key statements by the generation columns they carry (those are built once per database kind).
_KEY_STATEMENTS: dict[int, sa.Select] = {}


def keys_of(user_id: int | None = None) -> list[ApiKey]:
    """Keys (newest first), all or one user's."""
    stmt = sa.select(ApiKey).order_by(ApiKey.id.desc())
    if user_id is not None:
        stmt = stmt.where(ApiKey.user_id == user_id)
    return list(db.session.scalars(stmt))
