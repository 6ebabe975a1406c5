"""Set up and run Leadline with nothing but Python 3.11+: ``python3 leadline.py run`` or ``test``.

The first call creates .venv/ and installs the locked dependencies into it, hashes checked:
``run`` the runtime set (requirements.lock), ``test`` the runtime and development sets
(requirements.lock and requirements-dev.lock). Later calls reinstall only when a lock that
their set needs has changed. Extra arguments go to Streamlit (run) or pytest (test).
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
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
# The locks each command needs. requirements-dev.lock is compiled under requirements.lock
# (-c), so installing the two together also checks that they still agree.
LOCKS = {"run": (RUNTIME_LOCK,), "test": (RUNTIME_LOCK, DEV_LOCK)}


def venv_python() -> Path:
    """The python of Leadline's virtual environment."""
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def stamp(lock: Path) -> Path:
    """The file in .venv holding the sha256 of ``lock`` as last installed."""
    return VENV / f".{lock.name}.sha256"


def digest(lock: Path) -> str:
    """The sha256 of a lock file, in hex."""
    return hashlib.sha256(lock.read_bytes()).hexdigest()


def ensure_environment(locks: tuple[Path, ...]) -> Path:
    """Create the virtual environment and install ``locks`` (hashes required) unless already done."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this runs under whatever python3 the user has
        sys.exit(f"Leadline needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not venv_python().exists():
        print("Creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    if all(stamp(lock).exists() and stamp(lock).read_text() == digest(lock) for lock in locks):
        return venv_python()
    names = " and ".join(lock.name for lock in locks)
    print(f"Installing {names} (a minute or two the first time) …", flush=True)
    # The stamps say what the last install put in .venv, and nothing more: an install of the
    # runtime set alone may change packages the development set shares, so its stamp goes too.
    for old in VENV.glob(".*.sha256"):
        old.unlink()
    pip = [str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    requirements = [arg for lock in locks for arg in ("-r", str(lock))]
    subprocess.run([*pip, "--require-hashes", "--only-binary", ":all:", *requirements], check=True)
    for lock in locks:
        stamp(lock).write_text(digest(lock))
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
    """Set up for the command named on the command line (run or test), run it, return its status."""
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        print("usage: python3 leadline.py run|test [extra arguments]")
        return 2
    python = ensure_environment(LOCKS[sys.argv[1]])
    return commands[sys.argv[1]](python, sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
