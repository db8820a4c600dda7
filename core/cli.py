"""The ``flowcase`` command line (also ``flask --app wsgi flowcase``)."""
from __future__ import annotations

import secrets
import sys

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup

from core.api.cli import apikey_group
from core.bench.command import bench_command
from core.dataio.cli import import_command
from core.dedup.cli import dedup_group
from core.mail.incoming.cli import mail_group
from core.errors import FlowcaseError

flowcase_cli = AppGroup("flowcase", help="Flowcase administration: database, add-ons, users, jobs.")


def _manager():
    from core.addons.manager import AddonManager
    from core.state import get_state

    return AddonManager(get_state())


def _fail(exc: Exception):
    click.secho(f"Error: {exc}", fg="red", err=True)
    sys.exit(1)


def _ensure_core():
    manager = _manager()
    manager.init_core()
    return manager


@flowcase_cli.command("init")
@click.option("--addons", "addon_names", default=None, help="Comma-separated add-ons to install (default: FLOWCASE_DEFAULT_ADDONS).")
def init_command(addon_names):
    """Create the database schema, install the default add-ons and a superuser."""
    from core.users import create_user, superuser_exists

    try:
        manager = _ensure_core()
        names = addon_names.split(",") if addon_names else current_app.config["FLOWCASE_DEFAULT_ADDONS"]
        installed = manager.install([n.strip() for n in names if n.strip()])
        click.echo(f"Installed: {', '.join(installed) or 'nothing new'}")
        if not superuser_exists():
            password = secrets.token_urlsafe(12)
            create_user("admin", password, name="Administrator", superuser=True)
            click.echo(f"Superuser 'admin' created with password: {password}  (shown once; change it after logging in)")
    except FlowcaseError as exc:
        _fail(exc)


@flowcase_cli.command("demo")
@click.option("--scale", default=0, show_default=True, help="Generated accounts (with proportional contacts, leads, activities).")
@click.option("--addons", "addon_names", default=None, help="Comma-separated add-ons to install (default: FLOWCASE_DEMO_ADDONS).")
def demo_command(scale, addon_names):
    """Set up the database if needed, install the demo add-ons, create the demo users and load demo data."""
    from core.demo_users import ensure_demo_users

    try:
        manager = _ensure_core()
        names = addon_names.split(",") if addon_names else current_app.config["FLOWCASE_DEMO_ADDONS"]
        manager.install([n.strip() for n in names if n.strip()])
        ensure_demo_users()
        for problem in manager.load_demo(scale=scale):
            click.secho(problem, fg="yellow", err=True)
        click.echo("Demo ready: log in as admin / admin (also manager, alice, bob with their own names as passwords).")
    except FlowcaseError as exc:
        _fail(exc)


@flowcase_cli.group("addons")
def addons_group():
    """List, install, upgrade and uninstall add-ons."""


@addons_group.command("list")
def addons_list():
    """Every add-on found, in dependency order, with its state and versions."""
    try:
        rows = _ensure_core().list()
    except FlowcaseError as exc:
        _fail(exc)
    click.echo(f"{'name':<24} {'state':<12} {'installed':<10} {'available':<10} depends")
    for info in rows:
        click.echo(f"{info.name:<24} {info.state:<12} {info.installed_version or '-':<10} {info.version:<10} {', '.join(info.depends)}")


@addons_group.command("install")
@click.argument("names", nargs=-1, required=True)
def addons_install(names):
    """Install add-ons and their dependencies (dependencies first)."""
    try:
        done = _ensure_core().install(list(names))
    except FlowcaseError as exc:
        _fail(exc)
    click.echo(f"Installed: {', '.join(done) or 'nothing new'}")


@addons_group.command("upgrade")
@click.argument("names", nargs=-1)
def addons_upgrade(names):
    """Run new migrations and reload data of installed add-ons (all if none named)."""
    try:
        done = _ensure_core().upgrade(list(names) or None)
    except FlowcaseError as exc:
        _fail(exc)
    click.echo(f"Upgraded: {', '.join(done) or 'nothing'}")


@addons_group.command("uninstall")
@click.argument("name")
@click.option("--drop-data", is_flag=True, help="Also drop the add-on's tables and their data.")
def addons_uninstall(name, drop_data):
    """Uninstall an add-on (refused while an installed add-on depends on it)."""
    try:
        _ensure_core().uninstall(name, drop_data=drop_data)
    except FlowcaseError as exc:
        _fail(exc)
    click.echo(f"Uninstalled: {name}{' (tables dropped)' if drop_data else ''}")


@flowcase_cli.group("user")
def user_group():
    """Manage users."""


@user_group.command("create")
@click.argument("login")
@click.option("--name", default="", help="Full name.")
@click.option("--email", default=None)
@click.option("--superuser", is_flag=True, help="Give every right.")
@click.option("--password", default=None, help="Password; asked for when omitted.")
def user_create(login, name, email, superuser, password):
    """Create a user who can log in."""
    from core.users import create_user

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        _ensure_core()
        create_user(login, password, name=name or login, email=email, superuser=superuser)
    except FlowcaseError as exc:
        _fail(exc)
    click.echo(f"User '{login}' created.")


@flowcase_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@click.option("--no-periodic", is_flag=True, help="Do not run periodic jobs in this consumer.")
def worker_command(workers, no_periodic):
    """Run the huey consumer: queued jobs and periodic jobs."""
    from core.state import get_state

    huey = get_state().huey
    click.echo(f"Worker on {type(huey.storage).__name__} queue '{huey.name}' with {workers} thread(s)")
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=not no_periodic)
    consumer.run()


@flowcase_cli.group("jobs")
def jobs_group():
    """Inspect and run jobs."""


@jobs_group.command("run-periodic")
def jobs_run_periodic():
    """Run the periodic jobs due this minute in this process (for cron-driven setups)."""
    from core.jobs import run_periodic_now

    ran = run_periodic_now(current_app)
    click.echo(f"Ran: {', '.join(ran) or 'nothing due'}")


flowcase_cli.add_command(bench_command)
flowcase_cli.add_command(import_command)
flowcase_cli.add_command(dedup_group)
flowcase_cli.add_command(apikey_group)
flowcase_cli.add_command(mail_group)


def main() -> None:
    """Console-script entry point: ``flowcase COMMAND`` with the app built from wsgi settings."""
    from core import create_app

    group = FlaskGroup(create_app=lambda: create_app(), add_version_option=False, load_dotenv=False,
                       help="Flowcase: CRM and business-process platform.")
    for name, command in flowcase_cli.commands.items():
        group.add_command(command, name)
    group.main(prog_name="flowcase")



if __name__ == "__main__":
    main()
