"""The list page's links (sort headers, pages, quick filters) are what url_for gives for the same arguments."""
from __future__ import annotations

import pytest
from flask import url_for
from werkzeug.datastructures import MultiDict

from core.ui.list_query import parse_args

pytestmark = pytest.mark.addons("crm")

_QUERIES = [
    [],
    [("q", "Альтис лифт & co/ #1?")],
    [("filter", '{"all": [{"field": "owner_id", "op": "eq", "value": "$me"}]}'), ("sort", "-due_date"), ("page", "3")],
    [("f.owner_id", "1"), ("f.status", "open"), ("f.status", "done"), ("named", "overdue"), ("named", "mine"),
     ("group", "12"), ("q", "a+b=c;d'e\"f")],
]


@pytest.mark.parametrize("query", _QUERIES)
def test_href_is_url_for(app, query):
    with app.test_request_context("/activity/"):
        args = parse_args(MultiDict(query))
        base = url_for("sections.list_view", section_name="activity")
        for changes in ({}, {"sort": "-subject"}, {"page": 0}, {"page": 2}, {"named": ["x", "y z"]}, {"named": []}):
            expected = url_for("sections.list_view", section_name="activity", **args.query_args(**changes))
            assert args.href(base, **changes) == expected, (query, changes)
