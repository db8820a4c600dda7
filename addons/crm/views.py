"""The CRM's own pages: "My activities" (with mark done) and the account hand-over.

Everything else (lists, cards, forms) is the generic section UI. Writes go
through the records service as the signed-in user; its
:class:`ValidationError` messages are shown on the page (422), never a 500.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from core.errors import AccessDenied, ConflictError, RecordNotFound, ValidationError
from core.handover import apply_handover, count_group, handover_groups
from core.models import User
from core.records import records_for

from .forms import HandoverForm, MarkDoneForm
from .handover import previous_owner_id
from .models import ActivityStatus
from .my_activities import my_buckets

bp = Blueprint("crm", __name__, url_prefix="/crm")


def _today():
    return datetime.now(timezone.utc).date()


def _my_page(status: int = 200, failed_id: int | None = None, form: MarkDoneForm | None = None, errors=()):
    records = records_for()
    buckets = my_buckets(records, current_user.id, _today())
    return render_template(
        "crm/my_activities.html", buckets=buckets, failed_id=failed_id, failed_form=form, errors=list(errors),
        blank_form=MarkDoneForm(formdata=None),
    ), status


@bp.route("/my-activities")
@login_required
def my_activities():
    """The signed-in user's open activities: overdue, due today, upcoming."""
    return _my_page()


@bp.route("/my-activities/<int:activity_id>/done", methods=["POST"])
@login_required
def mark_done(activity_id: int):
    """Close an activity with its actual start and end; bad dates re-show the page with the reason."""
    records = records_for()
    activity = records.get("activity", activity_id)  # hidden or missing: 404
    form = MarkDoneForm()
    if not form.validate():
        errors = [f"{form[name].label.text}: {message}" for name, messages in form.errors.items()
                  if name in form._fields for message in messages]
        return _my_page(422, activity_id, form, errors or [_("The form has expired; reload the page.")])
    if activity.status != ActivityStatus.OPEN:
        flash(_("“%(subject)s” is already closed.", subject=activity.subject), "info")
        return redirect(url_for("crm.my_activities"), 303)
    values = {"status": ActivityStatus.DONE}
    for name in ("actual_start_at", "actual_end_at"):
        if form[name].data is not None:
            values[name] = form[name].data.replace(tzinfo=timezone.utc)
    try:
        records.update("activity", activity, values, expected_version=form.version.data or None)
    except (ValidationError, ConflictError) as error:
        records.session.rollback()
        messages = [str(m) for ms in getattr(error, "errors", {"": [str(error)]}).values() for m in ms]
        return _my_page(409 if isinstance(error, ConflictError) else 422, activity_id, form, messages)
    flash(_("“%(subject)s” is done.", subject=activity.subject), "success")
    return redirect(url_for("crm.my_activities"), 303)


def _user_label(user_id):
    from core.extensions import db

    user = db.session.get(User, user_id) if user_id is not None else None
    return (user.name or user.login) if user is not None else (f"#{user_id}" if user_id else "—")


@bp.route("/account/<int:record_id>/handover", methods=["GET", "POST"])
@login_required
def handover(record_id: int):
    """Offer, then move, what the previous owner still holds of this account to its current owner."""
    records = records_for()
    section = records.section("account")
    account = records.get(section, record_id)
    card = url_for("sections.card", section_name="account", record_id=account.id)
    form = HandoverForm()
    raw_old = form.old_owner_id.data if request.method == "POST" else request.args.get("from")
    old_owner_id = int(raw_old) if raw_old and str(raw_old).isdigit() else previous_owner_id(records, section, account)
    new_owner_id = account.owner_id
    if old_owner_id is None or new_owner_id is None or old_owner_id == new_owner_id:
        flash(_("There is nothing to hand over: the account's owner has not changed."), "info")
        return redirect(card, 303)
    if not records.can(section, "update", account):
        raise AccessDenied(_("You may not change this %(section)s", section=section.title))
    groups = handover_groups(records, section, account, old_owner_id, new_owner_id)
    if request.method == "POST" and form.validate():
        try:
            moved = apply_handover(records, groups, new_owner_id)
        except (ValidationError, AccessDenied, RecordNotFound, ConflictError) as error:
            flash(_("Nothing was handed over: %(reason)s", reason=str(error)), "danger")
            return redirect(card, 303)
        total = sum(moved.values())
        flash(ngettext("%(num)d record handed over to %(user)s.", "%(num)d records handed over to %(user)s.",
                       total, user=_user_label(new_owner_id)), "success")
        return redirect(card, 303)
    rows = [{"label": g.label, "section": g.section, "count": count_group(records, g)} for g in groups]
    form.old_owner_id.data = str(old_owner_id)
    return render_template(
        "crm/handover.html", account=account, rows=rows, form=form, total=sum(r["count"] for r in rows),
        old_owner=_user_label(old_owner_id), new_owner=_user_label(new_owner_id), card_url=card,
    ), (200 if request.method == "GET" else 422)
