"""``flowcase mail fetch``: poll the mailboxes now (cron-driven setups, and trying a new mailbox)."""
from __future__ import annotations

import click
from flask import current_app


@click.group("mail")
def mail_group():
    """Incoming email."""


@mail_group.command("fetch")
@click.option("--mailbox", "name", default=None, help="Only the mailbox with this name (even if inactive).")
def mail_fetch(name):
    """Take in the new messages of every active mailbox; exits 1 when a mailbox or message failed."""
    from core.mail.incoming.poll import fetch_all

    reports = fetch_all(current_app, name=name)
    if name and not reports:
        raise click.ClickException(f"There is no mailbox named '{name}'.")
    for report in reports:
        click.echo(report.summary())
        for failure in report.failures:
            click.echo(f"  {failure}", err=True)
    if any(report.error or report.failed for report in reports):
        raise SystemExit(1)
