"""The sections the navigation offers: only those the viewer may read.

A link to a section the user may not read only leads to a refusal (403, see
``Records.check_listable``), so the "Sections" menu leaves it out. Asking the records service for each
of some forty sections cost about 0.45 ms per page, on every page; the answer
depends only on the rights (the configuration generation), on the user's own
row (the directory generation) and on the installed sections, so it is kept per
process under those (:func:`core.config_cache.directory_cached`).
"""
from __future__ import annotations

from flask_login import current_user

from core.state import get_state


def readable_sections() -> list:
    """The current user's readable sections, in the registry's order (none when nobody is signed in)."""
    if not getattr(current_user, "is_authenticated", False):
        return []
    from core.config_cache import directory_cached
    from core.records import records_for

    sections = get_state().sections.all()
    records = records_for()
    key = ("readable sections", current_user.id, tuple(section.name for section in sections))
    names = directory_cached(records.session, key,
                             lambda: frozenset(section.name for section in sections if records.can(section, "read")))
    return [section for section in sections if section.name in names]
