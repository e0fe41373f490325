"""The layers' contract, both ways.

- The core (manydb) can be lifted into another project: it imports no app
  and no project settings module.
- Apps use the core only through its public face, the package root
  (``import manydb`` / ``from manydb import home_of``): its submodules may
  change without notice, so nothing outside the core depends on them.
"""

import ast
from pathlib import Path

import manydb

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "manydb"
APPS = ROOT / "apps"
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


def offenders(tree: Path, refused) -> dict[str, list[str]]:
    found = {
        str(path.relative_to(ROOT)): sorted(name for name in imported_modules(path) if refused(name))
        for path in tree.rglob("*.py")
    }
    return {path: names for path, names in found.items() if names}


def test_the_core_imports_nothing_from_the_project():
    assert offenders(CORE, lambda name: name.split(".")[0] in PROJECT_PACKAGES) == {}
    assert len(list(CORE.rglob("*.py"))) > 20  # the walk really read the core


def test_apps_import_the_core_only_through_its_root():
    assert offenders(APPS, lambda name: name.startswith("manydb.")) == {}
    assert any("manydb" in imported_modules(path) for path in APPS.rglob("*.py"))  # they do use it


def test_the_root_hands_out_what_it_promises():
    missing = [name for name in manydb.__all__ if not hasattr(manydb, name)]
    assert missing == []
    for name in ("home_of", "use_primary", "routing_scope", "scope_token", "declare", "outbox_put", "guarded_all"):
        assert name in manydb.__all__
