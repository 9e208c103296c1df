"""The layering rule: nothing below `workbench/ui/` imports Textual."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_textual_outside_ui() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "ui" or relative.name == "cli.py":
            continue
        for module in imported_modules(path):
            if module == "textual" or module.startswith(("textual.", "textual_fastdatatable")):
                offenders.append(f"{relative}: {module}")
    assert offenders == []


def test_cli_imports_textual_lazily() -> None:
    cli = PACKAGE / "cli.py"
    tree = ast.parse(cli.read_text(encoding="utf-8"))
    top_level = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    modules = {alias.name for node in top_level if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module for node in top_level if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(module.startswith(("textual", "workbench.ui")) for module in modules)
