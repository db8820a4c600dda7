"""Pages of mailings: the card buttons and panels, the mailing actions, and "Send email" from any card."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from core.errors import AccessDenied, ConflictError, ValidationError
from core.mailings import compose, service
from core.mailings.campaigns import campaign_results
from core.ui.common import current_records, section_or_404

bp = Blueprint("mailings", __name__)


def _messages(error: ValidationError) -> str:
    return "; ".join(f"{m}" for ms in error.errors.values() for m in ms)


def card_actions(section, record):
    """The card header's buttons; metadata only for other sections, so plain cards run no extra query."""
    from core.records import records_for

    if section.name == "mailing":
        records = records_for()
        if not records.can(section, "update", record):
            return None
        return Markup(render_template("mailings/mailing_actions.html", mailing=record))
    if compose.reaches_addresses(section):
        return Markup(render_template("mailings/card_email_button.html", section=section, record=record))
    return None


def card_top(section, record):
    """A mailing's counts by delivery status, a campaign's results."""
    from core.records import records_for

    if section.name == "mailing":
        records = records_for()
        counts = service.recipient_counts(records.session, [record.id])
        from core.mailings.sections import RECIPIENT_STATUS_LABELS

        return Markup(render_template("mailings/mailing_top.html", mailing=record, counts=counts,
                                      labels=RECIPIENT_STATUS_LABELS))
    if section.name == "campaign":
        results = campaign_results(records_for(), record)
        return Markup(render_template("mailings/campaign_top.html", campaign=record, results=results))
    return None


@bp.route("/mailing/<int:record_id>/do/<action>", methods=["POST"])
@login_required
def mailing_action(record_id: int, action: str):
    """Send now, schedule, or take back to draft."""
    records = current_records()
    handlers = {"send": service.start, "schedule": service.schedule, "unschedule": service.unschedule}
    if action not in handlers:
        abort(404)
    back = url_for("sections.card", section_name="mailing", record_id=record_id)
    try:
        handlers[action](records, record_id)
    except ValidationError as error:
        flash(_("The mailing was not changed: %(reason)s", reason=_messages(error)), "danger")
        return redirect(back, 303)
    except ConflictError as error:
        flash(str(error), "warning")
        return redirect(back, 303)
    except AccessDenied:
        abort(403)
    done = {"send": _("The mailing is being sent."), "schedule": _("The mailing is scheduled."),
            "unschedule": _("The mailing is a draft again.")}
    flash(done[action], "success")
    return redirect(back, 303)


@bp.route("/<section_name>/<int:record_id>/email", methods=["GET", "POST"])
@login_required
def compose_email(section_name: str, record_id: int):
    """Write an email to one of the record's people (free text or a template); queued, sent after commit."""
    section = section_or_404(section_name)
    records = current_records()
    record = records.get(section, record_id)  # a hidden record is a 404 (RecordNotFound)
    options = compose.recipients(records, section, record)
    templates = compose.templates_for(records, section)
    form = {"to": request.form.get("to", ""), "template": request.form.get("template", ""),
            "subject": request.form.get("subject", ""), "body": request.form.get("body", "")}
    errors: dict = {}
    if request.method == "POST":
        try:
            email = compose.send(records, section, record, options, form)
        except ValidationError as error:
            errors = error.errors
        else:
            from core.mail.sections import STATUS_LABELS

            if email.status == "queued":
                flash(_("Email to %(to)s queued; it is logged as an activity once sent.", to=email.to), "success")
            else:  # sent at once (no separate worker), or refused by the server
                flash(_("Email to %(to)s: %(status)s.", to=email.to, status=STATUS_LABELS.get(email.status, email.status)),
                      "success" if email.status == "sent" else "danger")
            return redirect(url_for("sections.card", section_name=section.name, record_id=record.id), 303)
    status = 400 if errors else 200
    return render_template("mailings/compose.html", section=section, record=record, options=options,
                           templates=templates, form=form, errors=errors,
                           title=section.display_name(record)), status
