"""The core can be lifted into another project: it imports no app and no project settings module."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "multidb"
PROJECT_PACKAGES = ("apps", "config")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_imports_nothing_from_the_project():
    offenders = {
        str(path.relative_to(CORE.parent)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] in PROJECT_PACKAGES
        )
        for path in CORE.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
    assert len(offenders) > 10  # the walk really read the core
