"""What every section page shares: the blueprint, section lookup by URL, templates per section."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from core.records import Records, records_for
from core.sections import Section
from core.state import get_state

bp = Blueprint("sections", __name__)


def section_or_404(name: str) -> Section:
    """The section named in the URL; an unknown name is a plain 404, not an error page."""
    sections = get_state().sections
    if name not in sections:
        abort(404)
    return sections.get(name)


def current_records() -> Records:
    """The records service acting as the signed-in user: every page read and write goes through it."""
    return records_for()


def render_section(kind: str, section: Section, status: int = 200, **context):
    """Render ``sections/<section>/<kind>.html`` when a theme or add-on provides it, else the generic one."""
    names = [f"sections/{section.name}/{kind}.html", f"sections/{kind}.html"]
    return render_template(names, section=section, **context), status
