"""A fresh Python process of this project, in an environment the test chooses.

A test that starts one must not hand it the caller's databases: a devdb run
exports every alias's URL (with passwords this repository ships, which
production settings refuse), the shard count and any reshard under way.
"""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_VARIABLES = ("ANALYTICS_SHARDS", "MANYDB_RESHARDING")  # beside every *DATABASE_URL


def environment_without_databases(*, drop_prefixes: tuple[str, ...] = ()) -> dict[str, str]:
    """This process's environment without its database settings, nor the variables starting with ``drop_prefixes``."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.endswith("DATABASE_URL") and name not in DATABASE_VARIABLES and not name.startswith(drop_prefixes)
    }


def run_python(args: list[str], environment: dict[str, str], *, cwd: Path = BASE_DIR, timeout: float = 300):
    """``python args`` in ``cwd`` (this checkout), its output captured as text."""
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout
    )
