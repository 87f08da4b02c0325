"""The build writes its data files in a forked child: results come back, failures are raised."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from observatory.site.build import in_background


def test_the_work_runs_in_another_process_and_its_result_comes_back(tmp_path: Path) -> None:
    def work() -> dict:
        (tmp_path / "written.txt").write_text("ok", encoding="utf-8")
        return {"pid": os.getpid(), "rows": [1, 2, 3]}

    result = in_background(work)()
    assert result["rows"] == [1, 2, 3]
    assert result["pid"] != os.getpid()
    assert (tmp_path / "written.txt").read_text(encoding="utf-8") == "ok"


def test_a_failure_in_the_child_is_raised_with_its_reason() -> None:
    def work() -> None:
        raise OSError("disque plein")

    wait = in_background(work)
    with pytest.raises(RuntimeError, match="OSError: disque plein"):
        wait()


def test_a_child_killed_midway_is_reported_not_ignored() -> None:
    def work() -> None:
        os._exit(3)

    with pytest.raises(RuntimeError, match="interrompu.*code 3"):
        in_background(work)()
