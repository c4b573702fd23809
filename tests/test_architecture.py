"""The shape of the code, read from its imports: shells stay apart, the domain stays below
them, and services hand back models rather than presentation."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import mutualplan
import mutualplan.plans.services

SOURCE = Path(mutualplan.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function, relative ones resolved."""
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from mutualplan import api` imports the module mutualplan.api.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _modules_under(folder: str) -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in sorted((SOURCE / folder).rglob("*.py"))}


def _reaching(imports: dict[str, set[str]], target: str) -> list[str]:
    return sorted(
        f"{module} imports {name}"
        for module, names in imports.items()
        for name in names
        if name == target or name.startswith(target + ".")
    )


@pytest.mark.parametrize("shell", ["web", "commands", "live"])
def test_no_shell_imports_the_api(shell: str) -> None:
    assert _reaching(_modules_under(shell), "mutualplan.api") == []


def test_the_plans_app_imports_nothing_from_the_live_package() -> None:
    assert _reaching(_modules_under("plans"), "mutualplan.live") == []


def test_the_core_imports_no_django_and_no_other_package_of_the_app() -> None:
    imports = _modules_under("core")
    assert _reaching(imports, "django") == []
    outside = [
        line
        for line in _reaching(imports, "mutualplan")
        if not line.split(" imports ")[1].startswith("mutualplan.core")
    ]
    assert outside == []


def test_the_formats_import_no_django_and_nothing_of_the_app_but_the_core() -> None:
    imports = _modules_under("formats")
    assert _reaching(imports, "django") == []
    outside = [
        line
        for line in _reaching(imports, "mutualplan")
        if not line.split(" imports ")[1].startswith(("mutualplan.core", "mutualplan.formats"))
    ]
    assert outside == []


def test_the_crm_readers_import_no_django_and_nothing_of_the_app_but_the_core() -> None:
    imports = _modules_under("crm")
    assert imports
    assert _reaching(imports, "django") == []
    outside = [
        line
        for line in _reaching(imports, "mutualplan")
        if not line.split(" imports ")[1].startswith(("mutualplan.core", "mutualplan.crm"))
    ]
    assert outside == []


def test_no_service_function_takes_a_serializer() -> None:
    services = [
        importlib.import_module(f"mutualplan.plans.services.{info.name}")
        for info in pkgutil.iter_modules(mutualplan.plans.services.__path__)
    ]
    offenders = [
        f"{module.__name__}.{name}"
        for module in services
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and {"serialize", "serializer"} & inspect.signature(function).parameters.keys()
    ]
    assert len(services) >= 5
    assert offenders == []


def test_the_import_reader_sees_imports_inside_functions() -> None:
    # The commands import lazily, inside each command: the reader must see those too.
    imports = _modules_under("commands")
    assert any("mutualplan.plans.access" in names for names in imports.values())
