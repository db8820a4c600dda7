"""What every section page shares: the blueprint, section lookup by URL, templates per section."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from core.records import Records, records_for
from core.sections import Section
from core.state import get_state
from core.ui.display import detail_body, grid_body
from core.ui.labels import template_gettext

bp = Blueprint("sections", __name__)
bp.add_app_template_global(grid_body, "fc_grid_body")
bp.add_app_template_global(detail_body, "fc_detail_body")
# Section pages translate their templates' texts with the request's catalogue fetched once per render.
bp.context_processor(template_gettext)


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
    return render_template(_template_names(kind, section.name), section=section, **context), status


def _template_names(kind: str, section_name: str) -> list[str]:
    """The names to try; once resolved, just the one found (unless templates reload, as in development).

    Jinja remembers templates it found, not the ones it did not: the section's own
    name would be looked for in every template folder on every page view.
    """
    names = [f"sections/{section_name}/{kind}.html", f"sections/{kind}.html"]
    env = current_app.jinja_env
    if env.auto_reload:
        return names
    resolved = env.__dict__.setdefault("_flowcase_section_templates", {})
    folders = current_app.jinja_loader
    hit = resolved.get((section_name, kind))
    if hit is None or hit[0] is not folders:  # other template folders (add-ons installed): look again
        hit = resolved[(section_name, kind)] = (folders, env.select_template(names).name)
    return [hit[1]]
