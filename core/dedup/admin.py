"""Duplicate rules in /admin: one row per rule, its fields as JSON."""
from __future__ import annotations

import json

from flask_admin.contrib.sqla import ModelView
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import ValidationError as FormError

from core.admin import SuperuserOnly
from core.dedup.keys import forget_rules
from core.dedup.normalize import NORMALIZERS

_FIELDS_HELP = _l('A JSON list, e.g. [{"path": "email", "normalize": "email"}, {"path": "fx_ext.colour", "normalize": "text"}]. '
                  "Normalisations: %(kinds)s.", kinds=", ".join(NORMALIZERS))


class DedupRuleView(SuperuserOnly, ModelView):
    """Create, change and switch off duplicate rules; keys are rebuilt by the next scan."""

    column_list = ("section", "name", "fields", "action", "active")
    form_columns = ("section", "name", "fields", "action", "active")
    form_overrides = {"fields": TextAreaField, "action": SelectField}
    form_args = {
        "fields": {"description": _FIELDS_HELP},
        "action": {"choices": [("warn", _l("warn: the user may save anyway")), ("block", _l("block: refuse the save"))]},
    }

    def on_form_prefill(self, form, id):
        form.fields.data = json.dumps(form.fields.object_data or [], ensure_ascii=False)

    def on_model_change(self, form, model, is_created):
        raw = form.fields.data
        try:
            fields = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise FormError(_l("Fields must be valid JSON.")) from None
        if not isinstance(fields, list) or not fields or not all(isinstance(f, dict) and f.get("path") for f in fields):
            raise FormError(_l("Fields must be a non-empty list of {\"path\": ..., \"normalize\": ...}."))
        for item in fields:
            if item.get("normalize", "exact") not in NORMALIZERS:
                raise FormError(_l("Unknown normalisation: %(kind)s", kind=item.get("normalize")))
        model.fields = fields
        forget_rules(self.session)

    def after_model_change(self, form, model, is_created):
        # Records saved before the rule existed get their keys now, so the next save sees them.
        from core.dedup.keys import rebuild_keys
        from core.state import get_state

        forget_rules(self.session)
        state = get_state()
        if model.section in state.sections:
            records = state.records(sudo=True)
            with records.transaction():
                rebuild_keys(records, state.sections.get(model.section))

    def after_model_delete(self, model):
        forget_rules(self.session)
