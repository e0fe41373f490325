"""Make sure .venv exists, works, and holds the given requirements files.

    python3 scripts/venv.py [--venv DIR] [--python PYTHON] REQUIREMENTS_FILE...

What the Makefile runs before every target that uses .venv. Each step is one
line on the terminal; pip runs quietly (its errors still show). Needs nothing
but Python 3.11+ (it runs on older ones only to say so).

- A .venv whose interpreter or pip does not run (a half-made venv, one whose
  Python was upgraded or removed) is deleted and made again.
- Where Python cannot make a venv with pip (Debian/Ubuntu without the
  python3-venv package), the half-made .venv is removed and one line says
  what to install.
- A requirements file is installed when it, or a file it includes with -r,
  changed since the last install (a stamp in .venv holds their hash).
- requirements-mysql.txt compiles the MySQL driver: scripts/check-build-deps
  first checks for the compiler and headers, and says what to install.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MINIMUM = (3, 11)
NEEDS_BUILD_TOOLS = {"requirements-mysql.txt"}


def say(message):
    print(f"==> {message}", flush=True)


def fail(message):
    sys.exit(f"error: {message}")


def venv_python(venv):
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_problem(venv):
    """Why the venv at this path cannot be used, or None if it can."""
    python = venv_python(venv)
    if not python.exists():
        return "it has no Python interpreter"
    code = f"import sys, pip; sys.exit(0 if sys.version_info >= {MINIMUM!r} else 1)"
    try:
        result = subprocess.run([str(python), "-c", code], capture_output=True, timeout=120)
    except OSError as exc:
        return f"its Python does not run ({exc.strerror})"
    if result.returncode:
        return "its Python or its pip does not run"
    return None


def create(venv, python):
    say(f"creating the virtual environment {venv.name} ({Path(python).name} -m venv)")
    result = subprocess.run([python, "-m", "venv", str(venv)], capture_output=True, text=True)
    problem = venv_problem(venv)
    if result.returncode == 0 and problem is None:
        return
    # Leave nothing half-made behind: the next run would trip over it.
    shutil.rmtree(venv, ignore_errors=True)
    output = (result.stdout + result.stderr).lower()
    version = f"python3.{sys.version_info[1]}"
    if "ensurepip" in output or problem == "its Python or its pip does not run":
        fail(
            f"{python} -m venv could not install pip into {venv.name}: install Python's venv module "
            f"(Debian/Ubuntu: sudo apt-get install {version}-venv) and run make again"
        )
    detail = (result.stderr or result.stdout).strip().splitlines()
    fail(f"{python} -m venv failed: {detail[-1] if detail else problem}")


def ensure_venv(venv, python):
    if venv.exists():
        problem = venv_problem(venv)
        if problem is None:
            return
        say(f"{venv.name} cannot be used ({problem}); making it again")
        shutil.rmtree(venv)
    create(venv, python)


def requirement_files(path):
    """The file and every file it includes with -r, in order."""
    files = [path]
    for line in path.read_text().splitlines():
        words = line.split()
        if len(words) == 2 and words[0] in ("-r", "--requirement"):
            files += requirement_files(path.parent / words[1])
    return files


def fingerprint(path):
    digest = hashlib.sha256()
    for file in requirement_files(path):
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def install(venv, requirements):
    stamp = venv / f".installed-{requirements.stem}"
    wanted = fingerprint(requirements)
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return
    if requirements.name in NEEDS_BUILD_TOOLS:
        check = subprocess.run([str(REPO / "scripts" / "check-build-deps")])
        if check.returncode:
            sys.exit(check.returncode)
    say(f"installing {requirements.name} into {venv.name} (pip, quietly)")
    pip = [str(venv_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if subprocess.run([*pip, "-r", str(requirements)]).returncode:
        fail(f"pip could not install {requirements.name} (its messages are above)")
    stamp.write_text(wanted + "\n")


def main():
    if sys.version_info < MINIMUM:
        fail(
            "Python {}.{}+ is required, this is {}: run make with PYTHON=python3.11 (or newer)".format(
                *MINIMUM, sys.version.split()[0]
            )
        )
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv", default=".venv", help="the virtual environment's directory [.venv]")
    parser.add_argument("--python", default=sys.executable, help="the Python that makes it [this one]")
    parser.add_argument("requirements", nargs="*", help="requirements files to install")
    args = parser.parse_args()
    venv = Path(args.venv).absolute()
    for name in args.requirements:
        if not (REPO / name).is_file():
            fail(f"no requirements file {name}")
    ensure_venv(venv, args.python)
    for name in args.requirements:
        install(venv, REPO / name)


if __name__ == "__main__":
    main()
