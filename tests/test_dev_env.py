"""The two locks (site runtime, development tools) and how scripts/dev.py chooses between them."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from conftest import ROOT

RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
# The heavy or test-only tools a reader who only builds the site must not download.
DEV_ONLY = {"pytest", "pytest-httpserver", "playwright", "ruff", "hypothesis", "zensical", "pyinstrument"}

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]*?))?\s*(\\)?$")
HASH = re.compile(r"^\s+--hash=sha256:([0-9a-f]{64})\s*(\\)?$")


def parse_lock(path: Path) -> dict[tuple[str, str], tuple[str, frozenset[str]]]:
    """{(name, environment marker): (version, sha256 hashes)}; fails on any line that is neither a pin,
    one of its hashes nor a comment, so nothing unpinned or unhashed can hide in a lock."""
    entries: dict[tuple[str, str], tuple[str, frozenset[str]]] = {}
    current: tuple[str, str] | None = None
    version, hashes = "", set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if pin := PIN.match(line):
            if current:
                entries[current] = (version, frozenset(hashes))
            current = (pin.group(1).lower(), pin.group(3) or "")
            assert current not in entries, f"{path.name}:{number}: {current} pinned twice"
            version, hashes = pin.group(2), set()
        elif (digest := HASH.match(line)) and current:
            hashes.add(digest.group(1))
        else:
            pytest.fail(f"{path.name}:{number}: neither a pin nor a hash: {line!r}")
    if current:
        entries[current] = (version, frozenset(hashes))
    return entries


def names(lock: dict[tuple[str, str], tuple[str, frozenset[str]]]) -> set[str]:
    return {name for name, _ in lock}


def requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower()


def load_dev_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("observatory_dev_script", ROOT / "scripts" / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def runtime() -> dict[tuple[str, str], tuple[str, frozenset[str]]]:
    return parse_lock(RUNTIME_LOCK)


@pytest.fixture(scope="module")
def dev_lock() -> dict[tuple[str, str], tuple[str, frozenset[str]]]:
    return parse_lock(DEV_LOCK)


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


# --- the locks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [RUNTIME_LOCK, DEV_LOCK], ids=lambda p: p.name)
def test_every_pin_of_both_locks_is_hash_checked(path: Path) -> None:
    lock = parse_lock(path)
    assert len(lock) > 20
    assert "--generate-hashes" in path.read_text().splitlines()[1]
    unhashed = [key for key, (_, hashes) in lock.items() if not hashes]
    assert not unhashed


def test_the_parser_refuses_an_unhashed_line(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("# header\nruff==0.17.6 \\\n    --hash=sha256:" + "a" * 64 + "\nrequests>=2\n")
    with pytest.raises(pytest.fail.Exception, match="neither a pin nor a hash"):
        parse_lock(lock)


def test_every_runtime_pin_is_identical_in_the_dev_lock(runtime, dev_lock) -> None:
    assert runtime
    for key, (version, hashes) in runtime.items():
        assert key in dev_lock, f"{key} missing from requirements-dev.lock"
        assert dev_lock[key] == (version, hashes), f"{key}: {version} here, {dev_lock[key][0]} in dev"


def test_the_runtime_lock_has_none_of_the_development_tools(runtime, dev_lock, pyproject) -> None:
    dev_extra = {requirement_name(r) for r in pyproject["project"]["optional-dependencies"]["dev"]}
    assert dev_extra >= DEV_ONLY  # the list above follows pyproject's dev extra
    assert not DEV_ONLY & names(runtime)
    assert names(dev_lock) >= DEV_ONLY


def test_the_locks_cover_pyproject(runtime, dev_lock, pyproject) -> None:
    project = pyproject["project"]
    assert {requirement_name(r) for r in project["dependencies"]} <= names(runtime)
    assert {requirement_name(r) for r in project["optional-dependencies"]["dev"]} <= names(dev_lock)


def test_the_build_backend_is_locked_and_license_is_an_spdx_expression(runtime, pyproject) -> None:
    backend = {requirement_name(r) for r in pyproject["build-system"]["requires"]}
    assert backend == {"setuptools"}
    assert "setuptools" in names(runtime)
    (version, _), = [value for (name, _), value in runtime.items() if name == "setuptools"]
    assert int(version.split(".")[0]) >= 77  # PEP 639 license expressions
    assert pyproject["project"]["license"] == "MIT"


# --- scripts/dev.py --------------------------------------------------------------------------


@pytest.fixture
def dev() -> ModuleType:
    return load_dev_script()


@pytest.mark.parametrize(("argv", "lock"), [
    (["serve"], "requirements.lock"),
    (["serve", "--dev-addr", "127.0.0.1:8001"], "requirements.lock"),
    (["build"], "requirements.lock"),
    (["env"], "requirements.lock"),
    (["env", "--dev"], "requirements-dev.lock"),
    (["test"], "requirements-dev.lock"),
    (["test", "tests/test_dev_env.py", "-q"], "requirements-dev.lock"),
])
def test_main_installs_the_lock_each_command_needs(dev, monkeypatch, argv, lock) -> None:
    installed: list[Path] = []
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(dev, "ensure_env", lambda path: installed.append(path) or Path("python"))
    monkeypatch.setattr(dev, "ensure_node_tools", lambda: None)
    monkeypatch.setattr(dev, "call", lambda *args: calls.append(tuple(map(str, args))) or 0)
    assert dev.main(argv) == 0
    assert [p.name for p in installed] == [lock]
    if argv[0] == "test":
        assert calls[-1] == ("python", "-m", "pytest", *argv[1:])
    elif argv[0] != "env":
        assert calls == [("python", "-m", "observatory", *argv)]


def test_main_refuses_an_unknown_env_option_before_installing(dev, monkeypatch, capsys) -> None:
    monkeypatch.setattr(dev, "ensure_env", lambda path: pytest.fail("nothing may be installed"))
    assert dev.main(["env", "--developpement"]) == 2
    assert "env --dev" in capsys.readouterr().out


@pytest.mark.parametrize("uv", [None, "/usr/bin/uv"])
def test_install_commands_require_hashes_and_use_the_locked_backend(dev, uv) -> None:
    lock_install, editable = dev.install_commands(dev.DEV_LOCK, uv)
    assert lock_install[-4:] == ["--require-hashes", "--no-deps", "-r", str(dev.DEV_LOCK)]
    assert editable[-4:] == ["--no-deps", "--no-build-isolation", "-e", str(ROOT)]
    if uv:
        assert lock_install[:3] == [uv, "pip", "install"]
    else:
        assert lock_install[1:4] == ["-m", "pip", "install"]


@pytest.fixture
def sandbox(dev, monkeypatch, tmp_path: Path) -> ModuleType:
    """dev.py pointed at copies of the locks and an empty environment under tmp_path."""
    for name in ("requirements.lock", "requirements-dev.lock", "pyproject.toml"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.touch()
    monkeypatch.setattr(dev, "VENV", tmp_path / "venv")
    monkeypatch.setattr(dev, "venv_python", lambda: python)
    monkeypatch.setattr(dev, "RUNTIME_LOCK", tmp_path / "requirements.lock")
    monkeypatch.setattr(dev, "DEV_LOCK", tmp_path / "requirements-dev.lock")
    monkeypatch.setattr(dev, "PYPROJECT", tmp_path / "pyproject.toml")
    monkeypatch.setattr(dev, "find_uv", lambda: None)
    monkeypatch.setattr(dev, "ensure_pip", lambda: None)
    monkeypatch.setattr(dev, "site_packages", lambda: tmp_path / "venv" / "site-packages")
    return dev


def test_a_dev_environment_satisfies_serve_but_not_the_reverse(sandbox) -> None:
    dev = sandbox
    assert not dev.is_installed(dev.RUNTIME_LOCK) and not dev.is_installed(dev.DEV_LOCK)
    dev.mark_installed(dev.DEV_LOCK)
    assert dev.is_installed(dev.RUNTIME_LOCK) and dev.is_installed(dev.DEV_LOCK)
    for stamp in dev.VENV.glob(".observatory-*.sha256"):
        stamp.unlink()
    dev.mark_installed(dev.RUNTIME_LOCK)
    assert dev.is_installed(dev.RUNTIME_LOCK) and not dev.is_installed(dev.DEV_LOCK)


def test_a_changed_lock_or_pyproject_needs_an_install_again(sandbox) -> None:
    dev = sandbox
    dev.mark_installed(dev.DEV_LOCK)
    with dev.DEV_LOCK.open("a") as lock:
        lock.write("# edited\n")
    assert dev.is_installed(dev.RUNTIME_LOCK) and not dev.is_installed(dev.DEV_LOCK)
    with dev.PYPROJECT.open("a") as pyproject:
        pyproject.write("# edited\n")
    assert not dev.is_installed(dev.RUNTIME_LOCK)


def test_switching_installs_only_when_the_stamp_is_missing(sandbox, monkeypatch) -> None:
    dev = sandbox
    ran: list[list[str]] = []
    monkeypatch.setattr(dev, "run", lambda *args: ran.append([str(a) for a in args]))
    dev.ensure_env(dev.RUNTIME_LOCK)  # serve on an empty environment: the runtime lock
    assert [command[-1] for command in ran] == [str(dev.RUNTIME_LOCK), str(ROOT)]
    ran.clear()
    dev.ensure_env(dev.DEV_LOCK)  # then test: the dev lock (pip keeps what is already there)
    assert [command[-1] for command in ran] == [str(dev.DEV_LOCK), str(ROOT)]
    ran.clear()
    dev.ensure_env(dev.RUNTIME_LOCK)  # back to serve: nothing to do
    dev.ensure_env(dev.DEV_LOCK)
    assert ran == []
    dev.RUNTIME_LOCK.write_text(dev.RUNTIME_LOCK.read_text() + "# relocked\n")
    dev.ensure_env(dev.RUNTIME_LOCK)  # a new runtime lock: installed again
    assert [command[-1] for command in ran] == [str(dev.RUNTIME_LOCK), str(ROOT)]


def test_test_on_a_fresh_environment_installs_the_dev_lock_once(sandbox, monkeypatch) -> None:
    dev = sandbox
    ran: list[list[str]] = []
    monkeypatch.setattr(dev, "run", lambda *args: ran.append([str(a) for a in args]))
    dev.ensure_env(dev.DEV_LOCK)
    dev.ensure_env(dev.RUNTIME_LOCK)  # serve after test: the dev environment already has it all
    assert [command[-1] for command in ran] == [str(dev.DEV_LOCK), str(ROOT)]


def test_the_test_suites_bundled_in_pandas_and_numpy_are_removed_and_nothing_else(dev, tmp_path: Path
                                                                                  ) -> None:
    site = tmp_path / "site-packages"
    for path in ("pandas/tests/frame/test_a.py", "pandas/core/frame.py", "numpy/_core/tests/test_b.py",
                 "numpy/testing/__init__.py", "other/tests/test_c.py", "pandas/_testing/__init__.py"):
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text("x = 1\n" * 10)
    assert dev.prune_bundled_tests(site) == 2 * 60
    left = sorted(str(p.relative_to(site)) for p in site.rglob("*.py"))
    assert left == ["numpy/testing/__init__.py", "other/tests/test_c.py", "pandas/_testing/__init__.py",
                    "pandas/core/frame.py"]
    assert dev.prune_bundled_tests(site) == 0  # a second install finds nothing to remove
