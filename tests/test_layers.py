"""The layers CONTRIBUTING.md describes are kept: every import inside the library runs upwards.

The graph is read from the source with ``ast`` (imports inside functions and ``TYPE_CHECKING``
blocks count too: a deferred import is still a dependency), so a new import that runs the wrong
way fails here before it becomes a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "evalkit"

#: Top to bottom; a layer may import only from the layers above it (and from itself).
LAYERS = (
    ("errors", "progress"),
    ("io",),
    ("stats",),
    ("scales",),
    ("privacy",),
    ("data",),
    ("analyses",),
    ("publish",),
    ("cli",),
)
#: The package's front door re-exports the public API, so it sits below everything.
ENTRY_POINTS = {"__init__", "__main__"}


def _layer_of(unit: str) -> int:
    for index, names in enumerate(LAYERS):
        if unit in names:
            return index
    raise AssertionError(f"{unit!r} is in no layer: add it to LAYERS and to CONTRIBUTING.md")


def _unit(module: Path) -> str:
    """The top-level unit a source file belongs to: a subpackage or a top-level module."""
    return module.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imported_units(module: Path) -> set[tuple[str, int]]:
    """``(unit, line)`` for every evalkit unit ``module`` imports, relative or absolute."""
    tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    depth_of_package = len(module.relative_to(PACKAGE).parts) - 1  # 0 for evalkit/x.py
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] != "evalkit":
                    continue
                rest = parts[1:]
            else:
                up = node.level - 1  # levels above the module's own package
                if up > depth_of_package:
                    raise AssertionError(f"{module}: import climbs out of the package")
                here = list(module.relative_to(PACKAGE).parts[:-1])
                base = here[:len(here) - up] if up else here
                rest = base + ((node.module or "").split(".") if node.module else [])
            if rest:
                found.add((rest[0].removesuffix(".py"), node.lineno))
            else:  # ``from evalkit import x``: x is a unit, or a name the front door holds
                for alias in node.names:
                    is_unit = ((PACKAGE / alias.name).is_dir()
                               or (PACKAGE / f"{alias.name}.py").is_file())
                    found.add((alias.name if is_unit else "__init__", node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "evalkit" and len(parts) > 1:
                    found.add((parts[1], node.lineno))
    return found


def _violations() -> list[str]:
    wrong = []
    for module in sorted(PACKAGE.rglob("*.py")):
        unit = _unit(module)
        if unit in ENTRY_POINTS:
            continue
        layer = _layer_of(unit)
        for imported, line in sorted(_imported_units(module)):
            if imported in ENTRY_POINTS or imported == unit:
                continue
            if _layer_of(imported) > layer:
                wrong.append(f"{module.relative_to(PACKAGE)}:{line} ({unit}) imports {imported}")
    return wrong


def test_every_import_in_the_library_runs_upwards():
    assert _violations() == []


def test_no_module_imports_a_private_module_of_another_layer():
    private = []
    for module in sorted(PACKAGE.rglob("*.py")):
        unit = _unit(module)
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                names = [alias.name for alias in node.names]
                other_unit = parts[1] if parts[0] == "evalkit" and len(parts) > 1 else (
                    parts[0] if node.level == 2 else unit)
                if other_unit == unit:
                    continue
                if any(part.startswith("_") for part in parts) or any(
                        name.startswith("_") for name in names):
                    private.append(f"{module.relative_to(PACKAGE)}:{node.lineno}")
    assert private == []


def test_the_checker_sees_a_wrong_way_import(tmp_path, monkeypatch):
    # The checker itself must be able to fail: plant a stats module that imports publish.
    fake = tmp_path / "evalkit"
    for unit in ("stats", "publish"):
        (fake / unit).mkdir(parents=True)
        (fake / unit / "__init__.py").write_text("", encoding="utf-8")
    (fake / "stats" / "bad.py").write_text(
        "def f():\n    from ..publish import policy\n", encoding="utf-8")
    (fake / "publish" / "good.py").write_text("from ..stats import bad\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert _violations() == ["stats/bad.py:2 (stats) imports publish"]


@pytest.mark.parametrize("unit", sorted({p.relative_to(PACKAGE).parts[0].removesuffix(".py")
                                         for p in PACKAGE.rglob("*.py")} - ENTRY_POINTS))
def test_every_part_of_the_library_has_a_layer(unit):
    assert _layer_of(unit) >= 0
