"""The package reads as its data flow: one folder a stage, imports pointing only down the stages,
and the architecture page of the docs listing exactly the stages the tree holds."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "observatory"
# Each stage and the stages it may import (besides itself and the package's top-level leaves).
ALLOWED = {
    "registry": set(),
    "store": {"registry"},
    "collect": {"registry", "store"},
    "analysis": {"registry", "store"},
    "site": {"registry", "store", "analysis"},
    "demo": {"registry", "store", "analysis", "site"},
}
LEAVES = {"observatory", "observatory.textfmt"}  # PROJECT_URL and text helpers: import nothing
ENTRY_POINTS = {"cli.py", "__main__.py"}  # the command line sits above every stage
MAX_LINES = 600


def _imports(path: Path) -> set[str]:
    """The project modules a file imports, as dotted names (functions' local imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "observatory":  # `from observatory import x`: a stage, or a name of the leaf
                found |= {f"observatory.{alias.name}" if _is_module(alias.name) else "observatory"
                          for alias in node.names}
            elif node.module.startswith("observatory."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("observatory")}
    return found


def _is_module(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_lives_in_a_stage_or_is_a_declared_leaf() -> None:
    loose = {p.name for p in PACKAGE.glob("*.py")} - ENTRY_POINTS - {"__init__.py", "textfmt.py"}
    assert loose == set(), "modules outside any stage folder"
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(ALLOWED)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_only_down_the_stages(path: Path) -> None:
    relative = path.relative_to(PACKAGE)
    if relative.name in ENTRY_POINTS and len(relative.parts) == 1:
        return
    own = relative.parts[0] if len(relative.parts) > 1 else None
    for module in _imports(path):
        if module in LEAVES:
            continue
        target = _stage(module)
        assert target is not None, f"{relative} imports {module}, which is in no stage"
        if own is None:  # a leaf imports nothing of the project
            pytest.fail(f"{relative} is a leaf but imports {module}")
        assert target == own or target in ALLOWED[own], f"{relative} ({own}) imports {module} ({target})"


def test_the_forbidden_directions_named_by_the_architecture_page() -> None:
    # Spelled out because they matter most: the site never collects, analysis never renders,
    # the registry depends on nothing.
    assert "collect" not in ALLOWED["site"]
    assert "site" not in ALLOWED["analysis"]
    assert ALLOWED["registry"] == set()


def test_every_stage_has_a_one_line_docstring_saying_what_it_takes_and_gives() -> None:
    for stage in ALLOWED:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "\n" not in doc.strip(), stage
        assert "->" in doc, f"{stage}: say what it takes -> what it gives"


def test_no_module_is_over_the_size_limit() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_architecture_page_matches_the_tree() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`observatory/(\w+)/`", page))
    assert named == set(ALLOWED), "the page's stage folders are not the tree's"
    for stage, allowed in ALLOWED.items():
        row = re.search(rf"^\| `observatory/{stage}/` \|.*\|(.*)\|$", page, re.M)
        assert row, stage
        listed = set(re.findall(r"`(\w+)`", row.group(1))) - {"rien"}
        assert listed == allowed, f"{stage}: the page says {listed}, the test {allowed}"
    platforms = {p.stem for p in (PACKAGE / "collect" / "platforms").glob("*.py")} - {"__init__"}
    assert "collect/platforms/" in page and platforms
