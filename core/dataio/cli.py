"""``flowcase import FILE --section S [--mode ...] [--key FIELD] [--user LOGIN]``."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from core.errors import FlowcaseError


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--section", required=True, help="Section to import into (e.g. contact).")
@click.option("--mode", type=click.Choice(["insert", "update", "upsert"]), default="insert", show_default=True)
@click.option("--key", "key_field", default=None, help="Field that finds existing records (update, upsert).")
@click.option("--on-duplicate", type=click.Choice(["skip", "update", "flag"]), default="skip", show_default=True,
              help="What a row matching a duplicate rule does.")
@click.option("--sheet", default=None, help="Worksheet of an .xlsx (default: the first).")
@click.option("--user", "login", default=None, help="Import as this user (default: superuser rights).")
@with_appcontext
def import_command(file, section, mode, key_field, on_duplicate, sheet, login):
    """Import an .xlsx or .csv FILE into a section and print the summary."""
    import sqlalchemy as sa

    from core.dataio.imports import import_file
    from core.extensions import db
    from core.models import User
    from core.state import get_state

    state = get_state()
    try:
        if login:
            user = db.session.scalars(sa.select(User).where(User.login == login)).first()
            if user is None:
                raise click.ClickException(f"no user '{login}'")
            records = state.records(user)
        else:
            records = state.records(sudo=True)
        run = import_file(records, records.section(section), file, mode=mode, key_field=key_field,
                          on_duplicate=on_duplicate, sheet=sheet)
    except FlowcaseError as exc:
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(1)
    if run.message:
        click.secho(f"Error: {run.message}", fg="red", err=True)
    click.echo(f"rows: {run.processed} of {run.total}; created {run.created}, updated {run.updated}, "
               f"skipped {run.skipped}, flagged {run.flagged}, failed {run.failed}")
    for error in run.errors[:50]:
        field = f" {error['field']}:" if error["field"] else ""
        click.echo(f"  row {error['row']}:{field} {error['message']}")
    if run.message or run.failed:
        sys.exit(1)
