"""Configuration: documented defaults, then instance/config.py, then the environment.

Every key is a typed attribute of :class:`DefaultConfig` with a ``#:`` line that
says what it does. Keys owned by Flowcase are prefixed ``FLOWCASE_``; the few
Flask keys we set (``SECRET_KEY``, session cookie flags) keep Flask's names.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

#: The project folder (the one holding core/, addons/, instance/, themes/).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DefaultConfig:
    #: Signs session cookies and CSRF tokens. ``flowcase init`` writes a random
    #: one into instance/config.py; the default only serves development.
    SECRET_KEY: str = "dev-only-change-me"
    #: SQLAlchemy URL of the database; empty means SQLite in the instance folder.
    FLOWCASE_DATABASE_URL: str = ""
    #: Redis URL for the job queue; empty means SqliteHuey in the instance folder.
    FLOWCASE_REDIS_URL: str = ""
    #: Extra add-on folders, separated by the OS path separator (``:``).
    FLOWCASE_ADDONS_PATH: str = ""
    #: Whether the repository's own addons/ folder is searched.
    FLOWCASE_USE_BUNDLED_ADDONS: bool = True
    #: Whether add-ons from the ``flowcase.addons`` entry-point group are discovered.
    FLOWCASE_USE_ENTRY_POINTS: bool = True
    #: Add-ons ``flowcase init`` installs (with their dependencies).
    FLOWCASE_DEFAULT_ADDONS: list[str] = ["crm"]
    #: Add-ons ``flowcase demo`` (and so ``make run``) installs: every bundled business add-on, so the demo tells
    #: the cases' whole story (leads to tenders, contracts, projects, mailings).
    FLOWCASE_DEMO_ADDONS: list[str] = ["crm", "sales", "marketing", "contracts", "projects", "tenders", "lift_sales"]
    #: Run jobs inline instead of queueing them (tests, single-process demos).
    FLOWCASE_JOBS_IMMEDIATE: bool = False
    #: Name of the theme folder under themes/ whose templates win over add-ons'.
    FLOWCASE_THEME: str = "default"
    #: Languages offered in the UI.
    FLOWCASE_LANGUAGES: list[str] = ["en", "ru"]
    #: Language used when neither the user nor the browser chooses one.
    BABEL_DEFAULT_LOCALE: str = "en"
    #: Time zone used to display dates.
    BABEL_DEFAULT_TIMEZONE: str = "UTC"
    #: Send the session cookie over HTTPS only. ``make run`` turns it off to
    #: serve plain http://127.0.0.1:5000; keep it on in every real deployment.
    SESSION_COOKIE_SECURE: bool = True
    REMEMBER_COOKIE_SECURE: bool = True
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    REMEMBER_COOKIE_HTTPONLY: bool = True
    #: Largest request body accepted, in bytes.
    MAX_CONTENT_LENGTH: int = 32 * 1024 * 1024
    SQLALCHEMY_TRACK_MODIFICATIONS: bool = False
    #: Bootstrap's CSS and JS come from this server, never a CDN (offline deployments).
    BOOTSTRAP_SERVE_LOCAL: bool = True
    #: How often (seconds) a web process checks for add-ons installed by another process.
    FLOWCASE_ADDON_CHECK_SECONDS: float = 2.0
    #: How many of a dashboard's aggregate queries one request runs at once on PostgreSQL, each on its own
    #: pooled connection (1: one after another on the request's session, as always on SQLite).
    FLOWCASE_DASHBOARD_PARALLEL_QUERIES: int = 3
    #: Most data rows an import accepts; a bigger file is refused before anything is written.
    FLOWCASE_IMPORT_MAX_ROWS: int = 200_000
    #: Longest cell (characters) an import accepts.
    FLOWCASE_IMPORT_MAX_CELL: int = 32_767
    #: Country whose numbering national phone numbers follow (dedup's E.164 normalisation).
    FLOWCASE_PHONE_REGION: str = "RU"
    #: Queue name in Redis or the SQLite job file; tests give each run its own.
    FLOWCASE_QUEUE_NAME: str = "flowcase"
    #: Largest web form submission body accepted, in bytes (``/forms/<slug>/submit``).
    FLOWCASE_WEBFORM_MAX_BODY: int = 16 * 1024
    #: Longest value of one web form field, in characters.
    FLOWCASE_WEBFORM_MAX_FIELD: int = 2000
    #: Web form submissions one address may make within the window (all forms together).
    FLOWCASE_WEBFORM_RATE_LIMIT: int = 20
    #: The rate-limit window, in seconds.
    FLOWCASE_WEBFORM_RATE_WINDOW: int = 3600
    #: Telephony connectors' settings by connector name (a dict, or JSON in the environment), e.g.
    #: ``{"mango": {"api_key": ..., "api_salt": ..., "api_url": ..., "extensions": {"101": "alice"}},
    #: "webhook": {"secret": ..., "extensions": {...}}}``; see :mod:`core.telephony.connectors`.
    FLOWCASE_TELEPHONY: dict = {}
    #: SMTP server outgoing email is handed to (``core.mail``).
    FLOWCASE_MAIL_SERVER: str = "localhost"
    #: Its port (25, 587 with STARTTLS).
    FLOWCASE_MAIL_PORT: int = 25
    #: Say STARTTLS before sending.
    FLOWCASE_MAIL_USE_TLS: bool = False
    #: Login on the SMTP server; empty means no authentication.
    FLOWCASE_MAIL_USERNAME: str = ""
    #: Password for ``FLOWCASE_MAIL_USERNAME``.
    FLOWCASE_MAIL_PASSWORD: str = ""
    #: The From address of every outgoing email.
    FLOWCASE_MAIL_FROM: str = "flowcase@localhost"
    #: Seconds to wait for the SMTP server before the attempt is recorded as failed.
    FLOWCASE_MAIL_TIMEOUT: float = 30.0
    #: Mailings send at most this many messages per minute (batches are spaced to keep to it).
    FLOWCASE_MAILING_RATE: int = 60
    #: Messages one run of the ``core.mailing_send`` job sends at most (one SMTP connection).
    FLOWCASE_MAILING_BATCH: int = 20
    #: The address people reach this server at, for links in emails (unsubscribe): ``https://crm.example.com``.
    FLOWCASE_PUBLIC_URL: str = "http://127.0.0.1:5000"
    #: Seconds to wait for an IMAP server before the mailbox's poll is recorded as failed (incoming email).
    FLOWCASE_MAIL_IN_TIMEOUT: float = 30.0
    #: Most messages one poll takes from one mailbox; the rest wait for the next poll.
    FLOWCASE_MAIL_IN_BATCH: int = 200
    #: Largest attachment kept, in bytes; a bigger one is recorded by name and size only.
    FLOWCASE_MAIL_IN_MAX_ATTACHMENT: int = 10 * 1024 * 1024
    #: Largest message downloaded, in bytes; a bigger one stays on the server, reported as failed.
    FLOWCASE_MAIL_IN_MAX_MESSAGE: int = 50 * 1024 * 1024
    #: A PEM file of certificate authorities trusted for IMAP servers besides the system's (a company CA).
    FLOWCASE_MAIL_IN_CA_FILE: str = ""


def _coerce(raw: str, default):
    """Turn an environment string into the type of the default it replaces."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, list):
        raw = raw.strip()
        if raw.startswith("["):
            return json.loads(raw)
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def load_config(app, overrides: dict | None = None) -> None:
    """Fill ``app.config``: defaults, instance/config.py, environment, then ``overrides``."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    for key in dir(DefaultConfig):
        if key.isupper() and key in os.environ:
            app.config[key] = _coerce(os.environ[key], getattr(DefaultConfig, key))
    if overrides:
        app.config.update(overrides)
    if not app.config["FLOWCASE_DATABASE_URL"]:
        db_path = Path(app.instance_path) / "flowcase.sqlite3"
        app.config["FLOWCASE_DATABASE_URL"] = f"sqlite:///{db_path}"
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["FLOWCASE_DATABASE_URL"]
    # What instance/config.py sets wins; ours only fills what it leaves out.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**engine_options(app.config["FLOWCASE_DATABASE_URL"]),
                                               **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}


def engine_options(url: str) -> dict:
    """SQLAlchemy engine options Flowcase wants for ``url``.

    ``pool_use_lifo``: the pool hands out the connection returned last. The
    default (first in, first out) rotates every request through every pooled
    connection, and each is cold in turn: psycopg prepares a statement only
    after its fifth run on that connection, and every PostgreSQL backend (or
    SQLite connection) keeps its own caches. With five connections in the pool
    an account card took 8.0 ms first in, first out and 5.4-6.0 ms last in,
    first out. The idle connections at the bottom also age out of the pool.
    An in-memory SQLite database has no such pool, so it gets nothing.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    in_memory = parsed.get_backend_name() == "sqlite" and (
        parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory")
    return {} if in_memory else {"pool_use_lifo": True}
