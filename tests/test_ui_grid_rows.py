"""Grid rows print ready HTML; their per-cell ``cells`` are still there for templates that loop over them."""
from __future__ import annotations

import pytest
from markupsafe import Markup

from core.demo_users import ensure_demo_users
from core.ui.display import grid_rows

pytestmark = pytest.mark.addons("crm")


def test_cells_are_built_on_demand_and_match_the_row_html(app):
    with app.test_request_context("/"):
        users = ensure_demo_users()
        records = app.extensions["flowcase"].records(sudo=True)
        section = records.section("account")
        account = records.create("account", {"name": "A <b>&</b> Co", "owner_id": users["alice"].id, "phone": ""})
        columns = [section.field(p) for p in ("name", "owner_id", "phone")]
        (row,) = grid_rows(records, section, columns, [account])
        assert "cells" in row and row.get("cells") is row["cells"]
        cells = row["cells"]
        assert [c["path"] for c in cells] == ["name", "owner_id", "phone"]
        assert cells[0] == {"html": Markup("A &lt;b&gt;&amp;&lt;/b&gt; Co"), "text": "A <b>&</b> Co", "link": None,
                            "path": "name"}
        assert cells[1]["text"] == "Alice Petrova" and cells[1]["html"] == Markup("Alice Petrova")
        assert cells[1]["link"] is None  # users have no card
        assert cells[2]["text"] == "" and cells[2]["html"] == Markup("")
        assert row["html"] == Markup(f'<td><a href="/account/{account.id}">A &lt;b&gt;&amp;&lt;/b&gt; Co</a></td>'
                                     f'<td>{cells[1]["html"]}</td><td></td>')
        with pytest.raises(KeyError):
            row["nothing"]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_date_cells_read_as_format_value_gives_them(app, language):
    from datetime import date, datetime

    from core.ui.display import format_value

    with app.test_request_context("/", headers={"Accept-Language": language}):
        records = app.extensions["flowcase"].records(sudo=True)
        section = records.section("activity")
        activity = records.create("activity", {"subject": "Call", "due_date": date(2027, 3, 9),
                                               "start_at": datetime(2027, 3, 9, 14, 30)})
        columns = [section.field(p) for p in ("subject", "due_date", "start_at")]
        (row,) = grid_rows(records, section, columns, [activity])
        texts = [cell["text"] for cell in row["cells"]]
        assert texts[1:] == [format_value(columns[1], activity.due_date), format_value(columns[2], activity.start_at)]
        assert "2027" in texts[1] and texts[1] != texts[2]
