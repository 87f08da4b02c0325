"""Arbitrary YAML documents get located French messages from the validator, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from observatory.registry.spec import ESTABLISHMENT
from observatory.registry.validate import validate_paths

KEYS = [f.name for f in ESTABLISHMENT] + ["platform", "handle", "status", "ej", "et", "title", "x"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(["chu-chr", "Bretagne", "twitter",
                                                           "https://x.com/a", "2020-13-40"]))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8),
                                               children, max_size=6)),
    max_leaves=30)
LOCATED = re.compile(r"^\S+\.yml:[0-9]+: \S+: \S")


def _check(tmp: Path, text: str) -> None:
    folder = tmp / "data" / "establishments"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chu-fuzz.yml").write_text(text, encoding="utf-8")
    _, problems = validate_paths([folder], tmp)
    for problem in problems:
        assert LOCATED.match(str(problem)), str(problem)
        assert problem.line >= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents)
@example(document={"accounts": [{"status": []}]})  # found by this test: a list where text belongs
@example(document={"accounts": [{"platform": []}]})
@example(document={"accounts": [{"platform": {"a": 1}, "handle": "chu_x"}]})
def test_arbitrary_documents_give_only_located_messages(tmp_path: Path, document: object) -> None:
    _check(tmp_path, yaml.safe_dump(document, allow_unicode=True))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("ab: -[]{}'\"\n\t&*!|>%@`#,?") + ["é"]), max_size=60))
def test_arbitrary_text_gives_only_located_messages(tmp_path: Path, text: str) -> None:
    _check(tmp_path, text)
