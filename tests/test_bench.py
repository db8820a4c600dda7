"""`flowcase bench` cannot rot: a tiny dataset, every scenario measured or reported unavailable."""
import json

from core.bench.stats import measure_side_by_side


def test_measure_reports_median_p95_and_max():
    calls = []
    timing, = measure_side_by_side([(lambda: calls.append(1), None)], repeat=5, warmup=2)
    assert len(calls) == 7 and timing.runs == 5
    assert 0 <= timing.median_ms <= timing.p95_ms <= timing.max_ms


def test_measure_prepares_each_call_off_the_clock():
    import time

    prepared, seen = [], []

    def prepare():
        time.sleep(0.05)  # a slow set-up (writing a file) that must not show in the figures
        prepared.append(len(prepared))
        return prepared[-1]

    timing, = measure_side_by_side([(seen.append, prepare)], repeat=3, warmup=1)
    assert seen == [0, 1, 2, 3], "each call gets its own freshly prepared argument"
    assert timing.max_ms < 50, timing


def test_measure_cleans_up_after_each_call_off_the_clock():
    import time

    made, cleaned = [], []

    def prepare():
        made.append(len(made))
        return made[-1]

    def cleanup(argument):
        time.sleep(0.05)  # deleting what the call wrote must not show in the figures either
        cleaned.append(argument)

    timing, = measure_side_by_side([(lambda argument: None, prepare, cleanup)], repeat=2, warmup=1)
    assert cleaned == made == [0, 1, 2], "every call's own argument is cleaned up after it"
    assert timing.max_ms < 50, timing


def test_a_scenario_and_its_floors_take_turns():
    """Measured one after the other, a slow stretch of the machine lands on one of them only and moves the ratio."""
    import time

    order, files = [], []

    def prepare():
        files.append(len(files))
        return files[-1]

    def slow(_file):
        order.append("run")
        time.sleep(0.004)

    run, floor, page = measure_side_by_side(
        [(slow, prepare), (lambda _file: order.append("floor"), prepare), (lambda: order.append("page"), None)],
        repeat=4, warmup=1)
    assert order == ["run", "floor", "page"] * 5
    assert len(files) == 10, "the calls that take an argument each get a fresh one"
    assert run.runs == floor.runs == page.runs == 4
    assert run.median_ms >= 4 > floor.median_ms


def test_bench_refuses_an_unknown_scenario_name(make_app, database):
    result = make_app().test_cli_runner().invoke(args=[
        "flowcase", "bench", "--scale", "30", "--repeat", "1", "--only", "card_account,no_such_page", "--database", database.url])
    assert result.exit_code != 0
    assert "no such scenario: no_such_page" in result.output and "card_account" in result.output


def _row_counts(database, tables_where: dict) -> dict:
    """``{table: rows matching its condition}``, read on an engine of the test's own (as another process)."""
    import sqlalchemy as sa

    engine = sa.create_engine(database.url)
    try:
        with engine.connect() as conn:
            return {table: conn.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE {where}"))
                    for table, where in tables_where.items()}
    finally:
        engine.dispose()


def _bench_on(make_app, database):
    """A CLI runner and the arguments of a quick bench on ``database``, its dataset generated already."""
    runner = make_app().test_cli_runner()
    args = ["flowcase", "bench", "--scale", "30", "--repeat", "1", "--database", database.url]
    assert runner.invoke(args=[*args, "--only", "none"]).exit_code == 0
    return runner, args


def test_the_import_scenario_leaves_the_database_as_it_found_it(make_app, database):
    """Each import (and its floor) wrote 100,000 contacts that stayed: every full run made the next one slower."""
    runner, args = _bench_on(make_app, database)
    # Other scenarios set up their own records (the stage change's opportunities) at each start.
    written = {"crm_contact": "1 = 1", "core_change_log": "section = 'contact'",
               "core_dedup_key": "section = 'contact'", "core_import_row": "1 = 1"}
    before = _row_counts(database, written)
    result = runner.invoke(args=[*args, "--only", "import_xlsx"])
    assert result.exit_code == 0 and "import_xlsx" in result.output, result.output
    assert _row_counts(database, written) == before


def test_only_sets_up_the_scenarios_it_names(make_app, database):
    """Every scenario used to be set up whatever --only said: each run added forty opportunities and an API key."""
    runner, args = _bench_on(make_app, database)
    set_up = {"sales_opportunity": "1 = 1", "core_api_key": "1 = 1", "core_process_case": "1 = 1"}
    before = _row_counts(database, set_up)
    result = runner.invoke(args=[*args, "--only", "card_account,none"])
    assert result.exit_code == 0 and "card_account" in result.output, result.output
    assert "stage_change" not in result.output and "rest_create" not in result.output
    assert _row_counts(database, set_up) == before
    result = runner.invoke(args=[*args, "--only", "stage_change"])
    assert result.exit_code == 0 and "stage_change" in result.output, result.output
    after = _row_counts(database, set_up)
    assert after["sales_opportunity"] > before["sales_opportunity"], "the stage change sets up opportunities of its own"
    # The REST scenarios' set-up commits a key; the card's page floor still signs the bench user in after it.
    result = runner.invoke(args=[*args, "--only", "card_account,rest_create"])
    assert result.exit_code == 0 and "rest_create" in result.output, result.output


def test_bench_generates_data_and_measures_each_scenario_beside_its_floor(make_app, database, tmp_path):
    app = make_app()
    out = tmp_path / "bench.json"
    result = app.test_cli_runner().invoke(args=[
        "flowcase", "bench", "--scale", "30", "--repeat", "2", "--database", database.url, "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["rows"]["crm_account"] == 30 and report["rows"]["crm_activity"] > 200
    by_name = {s["name"]: s for s in report["scenarios"]}
    for name in ("list_activities_p1", "list_activities_p200", "card_account"):
        scenario = by_name[name]
        assert scenario["status"] == "ok", scenario
        assert scenario["timing"]["median_ms"] > 0 and scenario["floor"]["median_ms"] > 0 and scenario["ratio"] > 0
        # Pages also stand beside their rows rendered through the layout (floor_page).
        assert scenario["floor_page"]["median_ms"] > 0 and scenario["ratio_page"] > 0, scenario
    # The import runs a few times whatever --repeat says, and says its rows per second.
    assert by_name["import_xlsx"]["status"] == "ok" and by_name["import_xlsx"]["timing"]["runs"] <= 3
    assert by_name["import_xlsx"]["records_per_s"] > 0, by_name["import_xlsx"]
    lines = result.output.splitlines()
    for name in ("import_xlsx", "rest_create"):  # each throughput under its own scenario's line
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{name} "))
        assert f"{by_name[name]['records_per_s']:.0f} records/s" in lines[index + 1], lines[index:index + 2]
    # The six-widget dashboard beside its six bare aggregate queries.
    assert by_name["dashboard"]["status"] == "ok" and by_name["dashboard"]["floor"]["median_ms"] > 0, by_name["dashboard"]
    for name in ("rest_list", "rest_get", "rest_create"):
        assert by_name[name]["status"] == "ok", by_name[name]
    assert by_name["rest_create"]["records_per_s"] > 0 and by_name["rest_create"]["floor_records_per_s"] > 0
    # OData $filter + $count beside the bare count query.
    assert by_name["odata_filter_count"]["status"] == "ok" and by_name["odata_filter_count"]["floor"]["median_ms"] > 0
    assert by_name["stage_change"]["status"] == "ok", by_name["stage_change"]
    assert by_name["stage_change"]["timing"]["median_ms"] > 0 and by_name["stage_change"]["floor"]["median_ms"] > 0
    # A one-page print form PDF beside plain Jinja + xhtml2pdf of the same HTML.
    assert by_name["print_form"]["status"] == "ok" and by_name["print_form"]["floor"]["median_ms"] > 0, by_name["print_form"]
    assert report["peak_rss_mb"] > 0
    # Through gunicorn, the web workers' own peak memory beside the throughput.
    server = by_name["rest_create_server"]
    if server["status"] == "ok":
        assert server["records_per_s"] > 0 and server["worker_peak_rss_mb"] > 0, server
    # A second run reuses the dataset instead of generating it again.
    again = app.test_cli_runner().invoke(args=[
        "flowcase", "bench", "--scale", "30", "--repeat", "1", "--only", "card_account", "--database", database.url])
    assert again.exit_code == 0 and "generating" not in again.output and "card_account" in again.output
