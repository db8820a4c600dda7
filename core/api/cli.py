"""``flowcase apikey create|revoke|list``."""
from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

#: The group's commands run inside an app context (``AppGroup``).
apikey_group = AppGroup("apikey", help="Create, list and revoke API keys.")


@apikey_group.command("create")
@click.argument("login")
@click.option("--name", default="", help="What the key is for (\"website\", \"1C sync\").")
def apikey_create(login, name):
    """Make an API key for user LOGIN and print it once: only its hash is kept."""
    from core.api.keys import create_key
    from core.extensions import db
    from core.models import User

    user = db.session.scalars(sa.select(User).where(User.login == login)).first()
    if user is None:
        click.secho(f"Error: no user '{login}'", fg="red", err=True)
        sys.exit(1)
    key, token = create_key(user, name)
    click.echo(f"API key #{key.id} for '{login}' (shown once, store it now):")
    click.echo(token)


@apikey_group.command("revoke")
@click.argument("key_id", type=int)
def apikey_revoke(key_id):
    """Revoke key KEY_ID: requests with it are refused from now on."""
    from core.api.keys import revoke_key
    from core.errors import FlowcaseError

    try:
        key = revoke_key(key_id)
    except FlowcaseError as exc:
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(1)
    click.echo(f"API key #{key.id} ({key.prefix}…) revoked.")


@apikey_group.command("list")
@click.option("--user", "login", default=None, help="Only this user's keys.")
def apikey_list(login):
    """Every key: id, user, name, prefix, created, last used, revoked."""
    from core.api.keys import keys_of
    from core.extensions import db
    from core.models import User

    user_id = None
    if login:
        user = db.session.scalars(sa.select(User).where(User.login == login)).first()
        user_id = user.id if user is not None else -1
    click.echo(f"{'id':>5} {'user':<16} {'name':<20} {'prefix':<12} {'created':<20} {'last used':<20} revoked")
    for key in keys_of(user_id):
        stamp = lambda moment: moment.strftime("%Y-%m-%d %H:%M") if moment else "-"  # noqa: E731
        click.echo(f"{key.id:>5} {key.user.login:<16} {key.name[:20]:<20} {key.prefix:<12} "
                   f"{stamp(key.created_at):<20} {stamp(key.last_used_at):<20} {stamp(key.revoked_at)}")
