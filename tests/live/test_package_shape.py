"""The live package's shape, read from the imports: `plans` never imports `live`, `live` never
imports the API, the live modules import each other without a cycle, and only the factory
knows both backends."""

from __future__ import annotations

import ast
from pathlib import Path

import mutualplan

SRC = Path(mutualplan.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every `mutualplan...` module a file imports, at any depth (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("mutualplan")}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(package: str) -> dict[str, set[str]]:
    folder = SRC / package
    return {module_name(p): imported_modules(p) for p in sorted(folder.rglob("*.py"))}


def test_no_module_of_plans_imports_the_live_package() -> None:
    offenders = {
        module: sorted(name for name in names if name.startswith("mutualplan.live"))
        for module, names in imports_of("plans").items()
    }
    assert {module: names for module, names in offenders.items() if names} == {}


def test_no_module_of_the_live_package_imports_the_api() -> None:
    offenders = {
        module: sorted(name for name in names if name.startswith("mutualplan.api"))
        for module, names in imports_of("live").items()
    }
    assert {module: names for module, names in offenders.items() if names} == {}


def test_the_live_modules_import_each_other_without_a_cycle() -> None:
    graph = {
        module: {
            other
            for other in (n if n in imports_of("live") else n.rsplit(".", 1)[0] for n in names)
            if other.startswith("mutualplan.live.") and other != module
        }
        for module, names in imports_of("live").items()
    }
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycles.append(path[path.index(module) :] + [module])
            return
        for other in sorted(graph.get(module, ())):
            visit(other, [*path, module])

    for module in graph:
        visit(module, [])
    assert cycles == []


def test_only_the_factory_names_both_backends() -> None:
    knows_redis = {
        m for m, names in imports_of("live").items() if any("redis_relay" in n for n in names)
    }
    knows_memory = {
        m for m, names in imports_of("live").items() if any("live.memory" in n for n in names)
    }
    # The Redis relay builds on the in-memory broadcaster; nothing else picks between them.
    assert knows_redis == set()
    assert knows_memory == {"mutualplan.live.backends", "mutualplan.live.redis_relay"}
    backends = (SRC / "live" / "backends.py").read_text()
    assert "mutualplan.live.redis_relay.RedisBroadcaster" in backends
