"""The ``flowcase bench`` command."""
from __future__ import annotations

import json
import os
import platform
from pathlib import Path

import click
from flask.cli import with_appcontext

from core.bench.stats import DEFAULT_REPEAT, WARMUP_RUNS, measure_side_by_side, peak_rss_mb


@click.command("bench")
@click.option("--scale", default=100_000, show_default=True,
              help="Accounts to generate (contacts x3, activities x10 come with them).")
@click.option("--database", "database_url", default=None,
              help="Database URL (default: SQLite instance/bench-<scale>.sqlite3); reused when it has data.")
@click.option("--repeat", default=DEFAULT_REPEAT, show_default=True, help="Measured runs per scenario.")
@click.option("--only", default=None, help="Comma-separated scenario names.")
@click.option("--json", "json_path", default=None, type=click.Path(dir_okay=False), help="Write the results here.")
@with_appcontext
def bench_command(scale, database_url, repeat, only, json_path):
    """Measure the scenarios on generated data, each beside its floor.

    The floor is the bare SQLAlchemy Core query (plus a plain Jinja table for
    pages, openpyxl read + bulk insert for the import). Pages also print a
    second floor, floor_page: the same rows rendered through the site layout
    (menus, signed-in user) with plain loops, i.e. the least a whole page costs;
    its ratio shows what the section machinery adds. Slow scenarios (the
    import) run at most a few times whatever --repeat says.
    """
    from core import create_app
    from core.bench.dataset import ensure_dataset
    from core.bench.scenarios import BenchContext, all_scenarios, scenario_names
    from core.extensions import db
    from flask import current_app

    if database_url is None:
        database_url = f"sqlite:///{Path(current_app.instance_path) / f'bench-{scale}.sqlite3'}"
    inherited = ("SECRET_KEY", "FLOWCASE_ADDONS_PATH", "FLOWCASE_USE_BUNDLED_ADDONS", "FLOWCASE_USE_ENTRY_POINTS")
    config = {key: current_app.config[key] for key in inherited}
    config.update(FLOWCASE_DATABASE_URL=database_url, FLOWCASE_INSTANCE_PATH=current_app.instance_path,
                  SESSION_COOKIE_SECURE=False, WTF_CSRF_ENABLED=False, FLOWCASE_JOBS_IMMEDIATE=True)
    setup_app = create_app(config)
    with setup_app.app_context():
        counts = ensure_dataset(setup_app, scale, echo=click.echo)
        db.session.remove()
    app = create_app(config)  # a fresh app has the installed add-ons' pages
    results = {"database": app.config["FLOWCASE_DATABASE_URL"].split("@")[-1], "scale": scale,
               "rows": counts, "python": platform.python_version(), "cpus": os.cpu_count(), "scenarios": []}
    click.echo(f"rows: {', '.join(f'{k}={v:,}' for k, v in counts.items())}")
    click.echo(f"{'scenario':<22} {'median':>9} {'p95':>9} {'max':>9} {'floor':>9} {'ratio':>6}")
    with app.app_context():
        ctx = BenchContext(app)
        wanted = _wanted_scenarios(only, scenario_names(ctx))
        for scenario in all_scenarios(ctx, wanted):
            entry = {"name": scenario.name, "title": scenario.title, **scenario.extra}
            if scenario.unavailable:
                entry["status"] = "not available"
                entry["why"] = scenario.unavailable
                click.echo(f"{scenario.name:<22} not available: {scenario.unavailable}")
            else:
                runs = min(repeat, scenario.max_repeat or repeat)
                warmup = 1 if scenario.max_repeat else WARMUP_RUNS
                calls = [(call, scenario.prepare, scenario.cleanup) for call in (scenario.run, scenario.floor)]
                if scenario.page_floor is not None:
                    calls.append((scenario.page_floor, None))
                timing, floor, *page = measure_side_by_side(calls, runs, warmup)
                ratio = timing.median_ms / floor.median_ms if floor.median_ms else float("inf")
                entry.update(scenario.extra)  # what the runs found out (a server's worker memory)
                entry.update(status="ok", timing=timing.as_dict(), floor=floor.as_dict(), ratio=round(ratio, 2))
                if page:
                    page = page[0]
                    entry.update(floor_page=page.as_dict(), ratio_page=round(timing.median_ms / page.median_ms, 2))
                click.echo(f"{scenario.name:<22} {timing.median_ms:>7.1f}ms {timing.p95_ms:>7.1f}ms "
                           f"{timing.max_ms:>7.1f}ms {floor.median_ms:>7.1f}ms {ratio:>5.1f}x")
                if scenario.extra.get("records_per_run") and timing.median_ms:
                    # Throughput scenarios: records per second at the median run, under the scenario's own line.
                    entry["records_per_s"] = round(scenario.extra["records_per_run"] * 1000 / timing.median_ms, 1)
                    entry["floor_records_per_s"] = round(scenario.extra["records_per_run"] * 1000 / floor.median_ms, 1)
                    click.echo(f"{'':<22} {entry['records_per_s']:.0f} records/s (floor {entry['floor_records_per_s']:.0f})")
                if entry.get("worker_peak_rss_mb"):
                    click.echo(f"{'':<22} web worker peak RSS {entry['worker_peak_rss_mb']} MB")
                if scenario.page_floor is not None:
                    click.echo(f"{'':<22} {'':>9} {'':>9} {'floor_page':>10}{page.median_ms:>7.1f}ms "
                               f"{entry['ratio_page']:>5.1f}x")
            results["scenarios"].append(entry)
            db.session.remove()
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    click.echo(f"peak RSS: {results['peak_rss_mb']} MB")
    if json_path:
        Path(json_path).write_text(json.dumps(results, indent=2), encoding="utf-8")
        click.echo(f"results written to {json_path}")


def _wanted_scenarios(only: str | None, known: list[str]) -> set | None:
    """The names ``--only`` asks for; a name that is no scenario stops the command (a typo would measure nothing).

    ``none`` measures nothing on purpose: it builds or upgrades the dataset only.
    """
    if not only:
        return None
    wanted = {name.strip() for name in only.split(",") if name.strip()}
    unknown = sorted(wanted - set(known) - {"none"})
    if unknown:
        raise click.BadParameter(f"no such scenario: {', '.join(unknown)}; the scenarios are: {', '.join(known)}",
                                 param_hint="--only")
    return wanted
