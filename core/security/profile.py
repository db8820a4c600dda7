"""``/profile``: the signed-in user's UI language and password (the old password is required to change it)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField
from wtforms.validators import EqualTo, Length, Optional

from core.extensions import db

bp = Blueprint("profile", __name__)

LANGUAGES = [("en", "English"), ("ru", "Русский")]


class ProfileForm(FlaskForm):
    """Language, and an optional password change (CSRF-protected like every form)."""

    language = SelectField(_l("Language"), choices=LANGUAGES)
    old_password = PasswordField(_l("Current password"), validators=[Optional()])
    new_password = PasswordField(_l("New password"), validators=[Optional(), Length(min=4, max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[EqualTo("new_password", message=_l("The passwords do not match."))])

    def validate_old_password(self, field):
        """A new password needs the current one: a forgotten open session must not hand the account over."""
        from wtforms import ValidationError

        if self.new_password.data and not current_user.check_password(field.data or ""):
            raise ValidationError(_l("The current password is wrong."))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(language=current_user.language or "en")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.language = form.language.data
        if form.new_password.data:
            user.set_password(form.new_password.data)
        db.session.commit()
        flash(_l("Your profile was saved."), "success")
        return redirect(url_for("profile.profile"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/profile.html", form=form), status
