"""Dependency order with graphlib: missing dependencies and cycles fail with their names."""
from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

from core.addons.manifest import Manifest
from core.errors import AddonError


def with_dependencies(manifests: dict[str, Manifest], names: list[str]) -> set[str]:
    """``names`` and everything they depend on, transitively; raises on a missing one."""
    wanted: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in wanted:
            continue
        if name not in manifests:
            raise AddonError(f"add-on '{name}' is not found in any add-on folder or entry point")
        wanted.add(name)
        for dep in manifests[name].depends:
            if dep not in manifests:
                raise AddonError(
                    f"add-on '{name}' ({manifests[name].manifest_file}) depends on '{dep}', which is not found"
                )
            stack.append(dep)
    return wanted


def dependency_order(manifests: dict[str, Manifest], names=None) -> list[str]:
    """Topological order (dependencies first, ties broken by name) of ``names`` and their dependencies."""
    wanted = with_dependencies(manifests, sorted(names if names is not None else manifests))
    sorter = TopologicalSorter({name: set(manifests[name].depends) for name in wanted})
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = exc.args[1]
        files = ", ".join(str(manifests[n].manifest_file) for n in dict.fromkeys(cycle))
        raise AddonError(f"add-ons depend on each other in a cycle: {' -> '.join(cycle)} ({files})") from exc
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return order


def dependants(manifests: dict[str, Manifest], name: str, among: set[str]) -> list[str]:
    """Add-ons in ``among`` that depend on ``name``, directly or not."""
    result = []
    for other in among:
        if other != name and name in with_dependencies(manifests, [other]) - {other}:
            result.append(other)
    return sorted(result)
