"""Forms of the CRM's own pages (the generated section forms cover the rest)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField
from wtforms.validators import Optional

_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class MarkDoneForm(FlaskForm):
    """Close an activity with when the work really started and ended (both optional: the hooks guess them)."""

    version = HiddenField()
    actual_start_at = DateTimeLocalField(_l("Actual start"), validators=[Optional()], format=_DATETIME_FORMATS)
    actual_end_at = DateTimeLocalField(_l("Actual end"), validators=[Optional()], format=_DATETIME_FORMATS)


class HandoverForm(FlaskForm):
    """Confirms a hand-over; the previous owner travels with it so a second owner change cannot redirect it."""

    old_owner_id = HiddenField()
