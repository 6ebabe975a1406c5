"""Set up and run Leadline with nothing but Python 3.11+: ``python3 leadline.py run`` or ``test``.

The first call creates .venv/ and installs requirements.txt into it; later calls reinstall
only when requirements.txt has changed. Extra arguments go to Streamlit (run) or pytest (test).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / ".requirements.sha256"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_environment() -> Path:
    """Create the virtual environment and install the pinned requirements when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this runs under whatever python3 the user has
        sys.exit(f"Leadline needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not venv_python().exists():
        print("Creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("Installing requirements (first run only; takes a minute) …", flush=True)
        pip = [str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
        STAMP.write_text(wanted)
    return venv_python()


def run(python: Path, args: list[str]) -> int:
    """Serve the dashboard (embedded PostgreSQL with demo data unless DATABASE_URL is set)."""
    command = [str(python), "-m", "streamlit", "run", "dashboard.py", *args]
    return subprocess.call(command, cwd=ROOT)


def test(python: Path, args: list[str]) -> int:
    """Lint, check formatting, then run the whole test suite."""
    for check in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
        status = subprocess.call([str(python), "-m", *check], cwd=ROOT)
        if status:
            return status
    return subprocess.call([str(python), "-m", "pytest", *args], cwd=ROOT)


def main() -> int:
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        print("usage: python3 leadline.py run|test [extra arguments]")
        return 2
    python = ensure_environment()
    return commands[sys.argv[1]](python, sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
