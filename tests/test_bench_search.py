"""`flowcase bench --only global_search` measures the global search beside its floor on a tiny dataset."""
import json


def test_global_search_scenario_runs_beside_its_floor(make_app, database, tmp_path):
    app = make_app()
    out = tmp_path / "bench.json"
    result = app.test_cli_runner().invoke(args=[
        "flowcase", "bench", "--scale", "30", "--repeat", "2", "--only", "global_search",
        "--database", database.url, "--json", str(out)])
    assert result.exit_code == 0, result.output
    (scenario,) = json.loads(out.read_text())["scenarios"]
    assert scenario["name"] == "global_search" and scenario["status"] == "ok", scenario
    assert scenario["timing"]["median_ms"] > 0 and scenario["floor"]["median_ms"] > 0 and scenario["ratio"] > 0
    assert scenario["url"].startswith("/search?q=") and scenario["sections"] >= 2, scenario
