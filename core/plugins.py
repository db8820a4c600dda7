"""The plugin manager of one app: specs, the core's built-in hooks, then installed add-ons' hooks."""
from __future__ import annotations

import importlib

import pluggy

from core import hookspecs
from core.addons.manifest import Manifest
from core.errors import AddonError

#: Marker add-ons use on their hook implementations: ``@hookimpl``.
hookimpl = pluggy.HookimplMarker("flowcase")


def make_plugin_manager(manifests: list[Manifest]) -> pluggy.PluginManager:
    """A fresh manager with the core's hooks and each given add-on's ``hooks`` module, in the given order."""
    from core import builtin_hooks

    pm = pluggy.PluginManager("flowcase")
    pm.add_hookspecs(hookspecs)
    pm.register(builtin_hooks, name="core")
    for manifest in manifests:
        module = load_hooks_module(manifest)
        if module is not None:
            pm.register(module, name=manifest.technical_name)
    pm.check_pending()
    return pm


def load_hooks_module(manifest: Manifest):
    """Import ``<add-on>.hooks`` if the add-on has one; import errors name the add-on."""
    if not (manifest.path / "hooks.py").is_file() and not (manifest.path / "hooks").is_dir():
        return None
    try:
        return importlib.import_module(f"{manifest.module}.hooks")
    except Exception as exc:
        raise AddonError(f"add-on '{manifest.technical_name}': importing its hooks failed: {exc!r}") from exc


def call_own(pm: pluggy.PluginManager, plugin_name: str, hook_name: str, **kwargs):
    """Call one add-on's own implementation of a hook (lifecycle hooks), if it has one."""
    plugin = pm.get_plugin(plugin_name)
    impl = getattr(plugin, hook_name, None) if plugin is not None else None
    if impl is None:
        return None
    # Pass only the arguments the implementation asks for, as pluggy does.
    names = impl.__code__.co_varnames[: impl.__code__.co_argcount]
    return impl(**{k: v for k, v in kwargs.items() if k in names})
