"""A section's card layout as tabs of field groups, shared by the card and the forms.

``section.layout`` is ``[{"tab": label, "groups": [{"title": label, "fields": [path, ...]}]}]``.
Without a layout every field shows, the model's own in one group and each
extension's in a group of its own. Extension fields the layout does not name
are added as their own group on the first tab: the add-on that extends a
section cannot edit that section's layout, and its fields must still show.
"""
from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l

from core.sections import FieldInfo, Section

log = logging.getLogger(__name__)


def card_tabs(section: Section, skip_types: tuple = ("json",), all_fields: bool = False) -> list[dict]:
    """``[{"title": label, "groups": [{"title": label, "fields": [FieldInfo, ...]}]}]`` for ``section``.

    :param all_fields: add the model's own fields the layout leaves out as a last
        group (forms need them: a required field must be fillable).
    """
    fields = {info.path: info for info in section.fields() if info.type not in skip_types}
    tabs: list[dict] = []
    named: set[str] = set()
    for tab in section.layout:
        groups = tab.get("groups") if "groups" in tab else [tab]
        title = tab.get("tab")
        # Not ``or``: the truth of a lazy label translates it, on every card and form.
        out = {"title": title if title is not None and not (isinstance(title, str) and not title) else _l("Details"),
               "groups": []}
        for group in groups:
            infos = []
            for path in group.get("fields", []):
                if path in fields:
                    infos.append(fields[path])
                    named.add(path)
                else:
                    log.warning("layout of section %s names unknown field %r", section.name, path)
            out["groups"].append({"title": group.get("title"), "fields": infos})
        tabs.append(out)
    if not tabs:
        own = [info for info in fields.values() if info.extension is None and not info.custom]
        tabs.append({"title": _l("Details"), "groups": [{"title": None, "fields": own}]})
        named.update(info.path for info in own)
    if all_fields:
        rest = [info for info in fields.values() if info.extension is None and not info.custom and info.path not in named]
        if rest:
            tabs[-1]["groups"].append({"title": _l("Other fields"), "fields": rest})
    for extension in section.extensions:
        rest = [fields[i.path] for i in extension.fields() if i.path in fields and i.path not in named]
        if rest:
            tabs[0]["groups"].append({"title": _extension_title(extension), "fields": rest})
    # Custom fields an admin added show at once, in a group of their own, unless the layout names them.
    custom = [info for info in fields.values() if info.custom and info.path not in named]
    if custom:
        tabs[0]["groups"].append({"title": _l("Custom fields"), "fields": custom})
    return tabs


def _extension_title(extension) -> str:
    """A group title for an extension: its ``labels[""]``, else the owning add-on's title."""
    if "" in extension.labels:
        return extension.labels[""]
    from core.state import get_state

    manifest = get_state().manifests.get(extension.addon)
    return manifest.name if manifest is not None else extension.prefix.replace("_", " ").capitalize()


def without_fields(tabs: list[dict], hidden) -> list[dict]:
    """``tabs`` minus the fields at the paths in ``hidden`` (column rights), empty groups dropped."""
    if not hidden:
        return tabs
    result = []
    for tab in tabs:
        groups = [{**group, "fields": [f for f in group["fields"] if f.path not in hidden]} for group in tab["groups"]]
        result.append({**tab, "groups": [group for group in groups if group["fields"]]})
    return result


def layout_fields(tabs: list[dict]) -> list[FieldInfo]:
    """Every field of ``tabs``, in order."""
    return [info for tab in tabs for group in tab["groups"] for info in group["fields"]]
