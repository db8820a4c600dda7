"""The web forms screen in /admin: forms edited through the records service, and each one's embeddable snippet."""
from __future__ import annotations

from flask import abort, render_template_string, request
from flask_admin import expose
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from core.admin_sections import SectionAdminView
from core.webforms.guard import HONEYPOT
from core.webforms.sections import SECTION_NAME

_SNIPPET = """<form action="{{ action }}" method="post" data-flowcase-form="{{ form.slug }}">
{%- for f in fields %}
  <label>{{ f.label }}{% if f.required %} *{% endif %}<br><input name="{{ f.input_name }}"{% if f.required %} required{% endif %}></label><br>
{%- endfor %}
  <div style="position:absolute;left:-10000px" aria-hidden="true"><input name="{{ honeypot }}" tabindex="-1" autocomplete="off"></div>
  <button type="submit">{{ _("Send") }}</button>
</form>"""


def snippet(form, base_url: str) -> str:
    """The HTML a landing page pastes: a plain form posting to ``/forms/<slug>/submit``, honeypot included."""
    from core.webforms.submit import form_fields

    return render_template_string(_SNIPPET, form=form, fields=form_fields(form), honeypot=HONEYPOT,
                                  action=f"{base_url.rstrip('/')}/forms/{form.slug}/submit")


class WebFormView(SectionAdminView):
    """Forms as records (rights, validation, change log), with a link to each form's page and snippet."""

    def __init__(self, section, **kwargs):
        super().__init__(section, **kwargs)
        self.column_formatters = {"slug": self._slug_links}

    def _slug_links(self, view, context, model, name):
        return Markup('<code>{}</code> · <a href="/forms/{}">{}</a> · <a href="{}">{}</a>').format(
            model.slug, model.slug, _l("page"), self.get_url(".embed", id=model.id), _l("embed code"))

    @expose("/embed/<int:id>")
    def embed(self, id):
        """The snippet to paste into a landing page, shown as text to copy."""
        form = self.get_one(id)
        if form is None:
            abort(404)
        code = snippet(form, request.host_url)
        body = Markup("<h1 class='h4'>{}</h1><p>{}</p><pre data-fc-snippet><code>{}</code></pre>").format(
            form.name, _l("Paste this into the landing page; add the page's origin to the form's allowed origins."),
            escape(code))
        return self.render("admin/webform_embed.html", body=body)


def register(admin, app) -> None:
    """Add the web forms screen (settings) to the app's Admin."""
    from core.state import get_state

    section = get_state(app).sections.get(SECTION_NAME)
    admin.add_view(WebFormView(section, name=_l("Web forms"), endpoint="web_forms", url="/admin/web_forms"))
