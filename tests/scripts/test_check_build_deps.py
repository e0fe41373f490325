"""scripts/check-build-deps: what the MySQL driver's build needs, said before pip tries."""

import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check-build-deps"


def test_a_machine_without_compiler_or_headers_is_told_what_to_install(tmp_path):
    bash = shutil.which("bash")
    result = subprocess.run([bash, str(SCRIPT)], env={"PATH": str(tmp_path)}, capture_output=True, text=True)

    assert result.returncode == 1
    first, *rest = result.stderr.splitlines()
    assert first.endswith("needs: a C compiler, pkg-config, the MySQL/MariaDB client headers.")
    assert any("apt-get install build-essential pkg-config default-libmysqlclient-dev" in line for line in rest)


def test_headers_found_through_pkg_config_are_enough(tmp_path):
    for tool, body in (("cc", "exit 0"), ("pkg-config", '[ "$2" = libmariadb ]')):
        (tmp_path / tool).write_text(f"#!{shutil.which('bash')}\n{body}\n")
        (tmp_path / tool).chmod(0o755)
    result = subprocess.run(
        [shutil.which("bash"), str(SCRIPT)], env={"PATH": str(tmp_path)}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
