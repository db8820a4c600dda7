"""Dashboards: widgets (numbers, charts, lists) computed with one aggregate query each.

- :mod:`.models`: the ``core_dashboard`` and ``core_dashboard_widget`` tables.
- :mod:`.sections`: both as settings lookups, so add-ons seed them in data files
  and /admin edits them (superusers only, through the records service).
- :mod:`.periods`, :mod:`.buckets`: the period selector and portable date buckets.
- :mod:`.compute`: a widget's numbers, starting from ``Records.select`` (rights apply).
- :mod:`.charts`: server-rendered SVG (pygal) whose bars and slices link to the filtered list.
- :mod:`.views`: ``/dashboards`` and ``/dashboards/<code>``; the home page slot.
"""
