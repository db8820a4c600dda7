"""Reading ``__manifest__.py``: a literal dict, parsed with ``ast``; no add-on code runs."""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import AddonError

#: Keys a manifest may have, with the type each must be.
MANIFEST_KEYS: dict[str, type] = {
    "name": str,
    "version": str,
    "summary": str,
    "description": str,
    "depends": list,
    "category": str,
    "license": str,
    "author": str,
    "data": list,
    "demo": list,
    "auto_install": bool,
    "application": bool,
}


@dataclass(frozen=True)
class Manifest:
    """What an add-on says about itself, plus where it was found."""

    #: Technical name: the folder's (or entry point's) name; used in ids, tables, branches.
    technical_name: str
    #: Human title.
    name: str
    version: str
    path: Path
    #: Python module that holds the add-on (``flowcase_addons.<name>`` for folders).
    module: str
    summary: str = ""
    depends: tuple[str, ...] = ()
    category: str = ""
    license: str = ""
    data: tuple[str, ...] = ()
    demo: tuple[str, ...] = ()
    auto_install: bool = False
    #: "folder" or "entry point"
    origin: str = "folder"
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def manifest_file(self) -> Path:
        return self.path / "__manifest__.py"

    @property
    def migrations_path(self) -> Path:
        return self.path / "migrations"


def read_manifest(path: Path, technical_name: str, module: str, origin: str = "folder") -> Manifest:
    """Parse ``path/__manifest__.py`` into a :class:`Manifest`, or raise :class:`AddonError`."""
    file = path / "__manifest__.py"
    where = f"add-on '{technical_name}' ({file})"
    try:
        source = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise AddonError(f"{where}: cannot read the manifest: {exc}") from exc
    try:
        raw = ast.literal_eval(source.strip())
    except (ValueError, SyntaxError) as exc:
        raise AddonError(f"{where}: the manifest must be one literal dict ({exc.__class__.__name__}: {exc})") from exc
    if not isinstance(raw, dict):
        raise AddonError(f"{where}: the manifest must be a dict, not {type(raw).__name__}")
    for key, value in raw.items():
        expected = MANIFEST_KEYS.get(key)
        if expected is None:
            raise AddonError(f"{where}: unknown manifest key '{key}'")
        if not isinstance(value, expected):
            raise AddonError(f"{where}: '{key}' must be a {expected.__name__}, not {type(value).__name__}")
    for key in ("name", "version"):
        if key not in raw:
            raise AddonError(f"{where}: the manifest has no '{key}'")
    for key in ("depends", "data", "demo"):
        bad = [item for item in raw.get(key, []) if not isinstance(item, str)]
        if bad:
            raise AddonError(f"{where}: '{key}' must list strings, found {bad!r}")
    return Manifest(
        technical_name=technical_name,
        name=raw["name"],
        version=raw["version"],
        path=path,
        module=module,
        summary=raw.get("summary", ""),
        depends=tuple(raw.get("depends", [])),
        category=raw.get("category", ""),
        license=raw.get("license", ""),
        data=tuple(raw.get("data", [])),
        demo=tuple(raw.get("demo", [])),
        auto_install=raw.get("auto_install", False),
        origin=origin,
        extra={k: v for k, v in raw.items() if k in ("description", "author", "application")},
    )
