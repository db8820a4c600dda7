"""ALTIS-LIFT (CASES.md case 3) as configuration: stages, a process case, a project template, a dashboard, demo data.

Everything here is data loaded through the records service; the behaviour comes
from the platform (process engine, dashboards, named filters) and from the
sales and projects add-ons (``projects.create_from_template``).
"""
