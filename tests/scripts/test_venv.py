"""scripts/venv.py: a broken .venv is made again; one Python cannot make is explained in one line."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_SCRIPT = REPO / "scripts" / "venv.py"

# What `python3 -m venv` does on Debian/Ubuntu without python3-venv: a venv
# directory without pip, a message about ensurepip, exit status 1.
DEBIAN_PYTHON_WITHOUT_VENV = f"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
    "{sys.executable}" -m venv --without-pip "$3"
    echo "The virtual environment was not created successfully because ensurepip is not available."
    exit 1
fi
exec "{sys.executable}" "$@"
"""


def run_venv_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(VENV_SCRIPT), *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def test_a_venv_without_pip_is_made_again(tmp_path):
    venv = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)

    result = run_venv_script("--venv", str(venv))

    assert result.returncode == 0, result.stderr
    assert "cannot be used" in result.stdout
    assert subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--version"], capture_output=True).returncode == 0


def test_a_python_that_cannot_make_pip_gets_one_line_and_no_half_made_venv(tmp_path):
    python = tmp_path / "python3"
    python.write_text(DEBIAN_PYTHON_WITHOUT_VENV)
    python.chmod(0o755)
    venv = tmp_path / ".venv"

    result = run_venv_script("--venv", str(venv), "--python", str(python))

    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "apt-get install python3." in result.stderr and "-venv" in result.stderr
    assert not venv.exists()


def test_an_unknown_requirements_file_is_named(tmp_path):
    result = run_venv_script("--venv", str(tmp_path / ".venv"), "requirements-nope.txt")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: no requirements file requirements-nope.txt"
