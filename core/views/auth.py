"""Log in and out."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired

from core.extensions import db
from core.models import User
from core.security import throttle

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    login = StringField(_l("Login"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after login is a phishing gift."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        ip = request.remote_addr or "?"
        login_name = form.login.data.strip()
        # Refused before the password is even checked: a blocked guesser learns nothing.
        if throttle.is_blocked(db.session, login_name, ip, current_app.config):
            flash(_l("Too many failed logins. Wait 15 minutes and try again."), "danger")
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalars(sa.select(User).where(User.login == login_name)).first()
        if user is not None and user.active and user.check_password(form.password.data):
            throttle.clear_failures(db.session, login_name)
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        throttle.record_failure(db.session, login_name, ip)
        flash(_l("Wrong login or password."), "danger")
    return render_template("auth/login.html", form=form), (200 if request.method == "GET" or form.errors else 401)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
