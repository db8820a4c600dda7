"""Helpers shared by the CRM's page tests: signing in and counting SQL statements."""
from __future__ import annotations

from datetime import datetime, timezone

from core.testing import counting_statements as counting  # noqa: F401 - the CRM tests import it from here


def today():
    """The date the pages call today (UTC)."""
    return datetime.now(timezone.utc).date()


def login(client, name: str) -> None:
    """Sign in as a demo user (password = login)."""
    response = client.post("/login", data={"login": name, "password": name})
    assert response.status_code == 302, response.get_data(as_text=True)
