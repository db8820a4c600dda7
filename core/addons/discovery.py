"""Finding add-ons: folders under addons/, extra folders from config, and entry points.

Discovery reads manifests only. Folder add-ons become importable as
``flowcase_addons.<name>`` (one namespace whose ``__path__`` lists every add-on
folder, as Odoo does with ``odoo.addons``); entry-point add-ons keep their own
top-level package name.
"""
from __future__ import annotations

import importlib.util
import os
import re
import sys
import types
from importlib.metadata import entry_points
from pathlib import Path

from core.addons.manifest import Manifest, read_manifest
from core.config import PROJECT_ROOT
from core.errors import AddonError

NAMESPACE = "flowcase_addons"
ENTRY_POINT_GROUP = "flowcase.addons"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _namespace() -> types.ModuleType:
    module = sys.modules.get(NAMESPACE)
    if module is None:
        module = types.ModuleType(NAMESPACE, "Folder add-ons, importable by technical name.")
        module.__path__ = []
        sys.modules[NAMESPACE] = module
    return module


def _add_to_namespace(folder: Path) -> None:
    path = str(folder)
    namespace = _namespace()
    if path not in namespace.__path__:
        namespace.__path__.append(path)


def addon_folders(config) -> list[Path]:
    """The folders searched for add-ons, in priority order."""
    folders = []
    if config.get("FLOWCASE_USE_BUNDLED_ADDONS", True):
        folders.append(PROJECT_ROOT / "addons")
    extra = config.get("FLOWCASE_ADDONS_PATH") or ""
    if isinstance(extra, (list, tuple)):
        extra = os.pathsep.join(str(p) for p in extra)
    folders.extend(Path(p).resolve() for p in extra.split(os.pathsep) if p.strip())
    return folders


def _from_folders(folders: list[Path]) -> list[Manifest]:
    found = []
    for folder in folders:
        if not folder.is_dir():
            raise AddonError(f"add-on folder {folder} does not exist")
        for child in sorted(folder.iterdir()):
            if not (child / "__manifest__.py").is_file():
                continue
            name = child.name
            if not _NAME_RE.match(name):
                raise AddonError(f"add-on folder {child}: '{name}' is not a valid add-on name (lower-case, digits, _)")
            _add_to_namespace(folder)
            found.append(read_manifest(child, name, f"{NAMESPACE}.{name}"))
    return found


def _from_entry_points() -> list[Manifest]:
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        module = ep.value.split(":")[0].strip()
        # find_spec on a top-level package locates it without importing it.
        spec = importlib.util.find_spec(module) if "." not in module else None
        if spec is None or not spec.submodule_search_locations:
            raise AddonError(f"entry point '{ep.name}' in group {ENTRY_POINT_GROUP} names '{module}', which is not a top-level package")
        path = Path(list(spec.submodule_search_locations)[0])
        found.append(read_manifest(path, ep.name, module, origin="entry point"))
    return found


def discover(config) -> dict[str, Manifest]:
    """Every add-on this app can see, by technical name; a name found twice is an error."""
    manifests: dict[str, Manifest] = {}
    found = _from_folders(addon_folders(config))
    if config.get("FLOWCASE_USE_ENTRY_POINTS", True):
        found += _from_entry_points()
    for manifest in found:
        other = manifests.get(manifest.technical_name)
        if other is not None:
            raise AddonError(
                f"add-on '{manifest.technical_name}' is found twice: {other.path} and {manifest.path}"
            )
        manifests[manifest.technical_name] = manifest
    return manifests
