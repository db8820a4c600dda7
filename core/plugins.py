"""The plugin manager of one app: specs, the core's built-in hooks, then installed add-ons' hooks."""
from __future__ import annotations

import importlib
from operator import itemgetter

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


#: ``PluginManager._inner_hookexec`` as pluggy sets it; tracing and call monitoring replace it.
#: These are pluggy's internals: a pluggy that names them otherwise gets its own caller everywhere.
_PLUGGY_EXEC = getattr(pluggy.PluginManager("flowcase-probe"), "_inner_hookexec", None)


def hook_caller(pm: pluggy.PluginManager, name: str):
    """What ``pm.hook.<name>`` is, as a plain function when that is safe: ``caller(**kwargs) -> [results]``.

    pluggy's call machinery (argument checks, wrappers, tracing) costs about a
    microsecond per implementation and call; a record write calls three hooks
    with some twenty implementations, so an import of 100,000 rows paid seconds
    for it. The plain caller calls the same implementations in pluggy's order
    (last registered first, try/first/last respected) with the same arguments,
    keeps the non-None results in that order and lets an exception out as it
    is raised. It is used only while the hook has a spec, is neither historic
    nor first-result, has no argument defaults, no wrapper implementations, and
    no tracing or monitoring is set; otherwise pluggy's own caller is returned.
    It is rebuilt whenever an implementation is registered or removed.
    """
    caller = getattr(pm.hook, name)
    if _PLUGGY_EXEC is None or not hasattr(caller, "_hookimpls"):
        return caller
    cache = pm.__dict__.setdefault("_flowcase_hook_callers", {})
    entry = cache.get(name)
    if entry is not None and entry[0] is caller and entry[1] == caller._hookimpls and entry[2] is pm._inner_hookexec:
        return entry[3]
    fast = _plain_caller(caller) if pm._inner_hookexec is _PLUGGY_EXEC else None
    cache[name] = (caller, list(caller._hookimpls), pm._inner_hookexec, fast or caller)
    return fast or caller


def _plain_caller(caller):
    spec = caller.spec
    if spec is None or caller.is_historic() or spec.opts.get("firstresult") or spec.kwargdefaults:
        return None
    impls = list(reversed(caller._hookimpls))
    if any(impl.hookwrapper or impl.wrapper or impl.kwargnames for impl in impls):
        return None
    # Each implementation's arguments picked from the call's with an itemgetter (one name: the value itself).
    plan = [(impl.function, len(impl.argnames), itemgetter(*impl.argnames) if impl.argnames else None)
            for impl in impls]
    required = tuple(spec.argnames)

    def call(**kwargs):
        for argname in required:
            if argname not in kwargs:  # pluggy warns about it: let it
                return caller(**kwargs)
        results = []
        for function, count, pick in plan:
            if count == 1:
                result = function(pick(kwargs))
            elif count:
                result = function(*pick(kwargs))
            else:
                result = function()
            if result is not None:
                results.append(result)
        return results

    return call
