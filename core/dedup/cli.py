"""``flowcase dedup scan SECTION`` and ``flowcase dedup merge SECTION KEEP OTHER``."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from core.errors import FlowcaseError


def _records(login: str | None):
    import sqlalchemy as sa

    from core.extensions import db
    from core.models import User
    from core.state import get_state

    state = get_state()
    if not login:
        return state.records(sudo=True)
    user = db.session.scalars(sa.select(User).where(User.login == login)).first()
    if user is None:
        raise click.ClickException(f"no user '{login}'")
    return state.records(user)


@click.group("dedup")
def dedup_group():
    """Duplicate rules: scan a section for duplicate groups, merge two records."""


@dedup_group.command("scan")
@click.argument("section")
@click.option("--user", "login", default=None, help="Scan as this user (default: every record).")
@with_appcontext
def dedup_scan(section, login):
    """List groups of records of SECTION matching each other under an active rule."""
    from core.dedup.scan import duplicate_groups

    try:
        records = _records(login)
        groups = duplicate_groups(records, records.section(section))
    except FlowcaseError as exc:
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(1)
    for group in groups:
        members = ", ".join(f"#{record_id} {name}" for record_id, name in group.records)
        click.echo(f"[{group.rule}] {members}")
    click.echo(f"{len(groups)} duplicate group(s)")


@dedup_group.command("merge")
@click.argument("section")
@click.argument("keep", type=int)
@click.argument("other", type=int)
@click.option("--user", "login", default=None)
@with_appcontext
def dedup_merge(section, keep, other, login):
    """Merge record OTHER into KEEP (references move to KEEP, OTHER is archived or deleted)."""
    from core.dedup.merge import merge_records

    try:
        merge_records(_records(login), section, keep, other)
    except FlowcaseError as exc:
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(1)
    click.echo(f"Merged #{other} into #{keep}")
