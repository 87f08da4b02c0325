"""fork_map: the same results, in the same order, whether the items are shared among forked
processes (national scale) or handled here (small registries, tests)."""

import os

import pytest

from observatory.site import workers


def page_text(item: dict) -> str:
    return f"# {item['name']}\n\npid={os.getpid()}"


@pytest.mark.parametrize("parallel_from", [1, 10_000])
def test_fork_map_keeps_order_and_results(monkeypatch, parallel_from):
    monkeypatch.setattr(workers, "PARALLEL_FROM", parallel_from)
    items = [{"name": f"Établissement {n}"} for n in range(60)]
    texts = workers.fork_map(page_text, items, workers=2)
    assert [t.split("\n")[0] for t in texts] == [f"# Établissement {n}" for n in range(60)]
    pids = {t.rsplit("=", 1)[1] for t in texts}
    if parallel_from == 1:  # computed by the forked workers, not by this process
        assert str(os.getpid()) not in pids
    else:
        assert pids == {str(os.getpid())}
    assert workers._work is None  # nothing left behind for a later call


def test_a_failing_item_fails_the_whole_map(monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)

    def broken(item: int) -> int:
        if item == 3:
            raise ValueError("page impossible")
        return item

    with pytest.raises(ValueError, match="page impossible"):
        workers.fork_map(broken, list(range(10)), workers=2)
    assert workers._work is None
