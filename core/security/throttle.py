"""Login throttling: failed logins counted per login and per client address, in the database.

Kept in a table rather than in memory so that every worker process (and
machine) sees the same count. After :data:`MAX_FAILURES` failures within
:data:`WINDOW` for a login, or from an address, further attempts are refused
(HTTP 429) until the oldest failure leaves the window; a successful login
clears that login's failures.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from core.security.models import LoginAttempt

#: Failures allowed within the window before attempts are refused.
MAX_FAILURES = 5
#: How long a failure counts.
WINDOW = timedelta(minutes=15)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _config(app_config, key, default):
    return app_config.get(key, default) if app_config is not None else default


def is_blocked(session, login: str, ip: str, config=None) -> bool:
    """Whether ``login`` or ``ip`` has used up its failures within the window."""
    limit = _config(config, "FLOWCASE_LOGIN_MAX_FAILURES", MAX_FAILURES)
    since = _now() - _config(config, "FLOWCASE_LOGIN_WINDOW", WINDOW)
    login = login.strip().lower()
    for column, value in ((LoginAttempt.login, login), (LoginAttempt.ip, ip)):
        count = session.scalar(
            sa.select(sa.func.count()).select_from(
                sa.select(LoginAttempt.id).where(column == value, LoginAttempt.at >= since).limit(limit).subquery()))
        if count >= limit:
            return True
    return False


def record_failure(session, login: str, ip: str) -> None:
    """Count a failed attempt (committed at once: the attempt must count even if the request fails later)."""
    session.add(LoginAttempt(login=login.strip().lower()[:80], ip=ip[:64], at=_now()))
    # Old rows are useless: drop them as we go, so the table stays small without a timer.
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < _now() - 2 * WINDOW))
    session.commit()


def clear_failures(session, login: str) -> None:
    """Forget the failures of ``login`` after it logged in successfully."""
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.login == login.strip().lower()))
    session.commit()
