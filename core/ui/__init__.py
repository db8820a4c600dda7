"""Generic pages for every section: list, card, create/edit forms, delete, lookup typeahead.

One blueprint serves all sections (``/<section>/``, ``/<section>/<id>``, ...), so
an add-on that declares a section gets its pages without writing page code.
An add-on may still override a page's template (``sections/<section>/list.html``,
``card.html``, ``form.html``) or give the section its own ``form_class``.
"""
from __future__ import annotations

from core.ui.common import bp
from core.ui import bulk_view, card_view, form_view, grid_view, list_view, search_view  # noqa: F401  (registers the routes)

__all__ = ["bp"]
