"""Field, tab and column labels as text for the current request, without a lookup chain per label.

Labels are ``lazy_gettext`` strings: each ``str()`` finds the Babel domain, the
locale and the catalogue again before translating, and a card prints about a
hundred of them. :class:`Labels` fetches the request's catalogue once and
translates a plain lazy label with it directly, which gives the same text;
anything else (a label with variables, a plain string) is just ``str()``.
"""
from __future__ import annotations

from flask_babel import get_translations
from flask_babel import gettext as _babel_gettext
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup


class Labels:
    """``labels(value)``: the text ``str(value)`` would give, in the current request's language.

    Make one per page render (a view), not per process: it holds the request's catalogue.
    """

    __slots__ = ("_translate",)

    def __init__(self):
        self._translate = get_translations().ugettext

    def __call__(self, value):
        """The label's text; None and strings (Markup too) stay as they are."""
        if value.__class__ is LazyString:
            # lazy_gettext("msgid") with no variables is gettext("msgid"): the catalogue's text.
            if value._func is _babel_gettext and len(value._args) == 1 and not value._kwargs:
                return self._translate(value._args[0])
            return str(value)
        return value if value is None or isinstance(value, str) else str(value)



def template_gettext() -> dict:
    """``gettext`` and ``ngettext`` for the templates of one render, bound to the request's catalogue.

    What Flask-Babel installs in Jinja finds the domain, the locale and the catalogue again for
    every ``_()`` of a page (some fifty on a list); these give the same texts, escaped and
    formatted as Jinja's own new-style gettext does, from the catalogue fetched once.
    """
    translations = get_translations()
    translate, translate_plural = translations.ugettext, translations.ungettext

    @pass_context
    def gettext(__context, __string: str, **variables):
        text = translate(__string)
        if __context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    @pass_context
    def ngettext(__context, __singular: str, __plural: str, __num: int, **variables):
        variables.setdefault("num", __num)
        text = translate_plural(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return {"gettext": gettext, "ngettext": ngettext}
