"""The home page: installed add-ons and their sections."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from core.addons.manager import AddonManager
from core.state import get_state

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    state = get_state()
    installed = [info for info in AddonManager(state).list() if info.state == "installed"]
    sections = {info.name: state.sections.by_addon(info.name) for info in installed}
    return render_template("home.html", addons=installed, sections=sections)
