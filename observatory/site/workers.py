"""Work shared out among forked processes: takes a function and many items, gives the results in
order. At national scale the page texts are built on every core (a page is pure string work)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 500  # fewer items: starting processes costs more than it saves

_work: tuple[Callable, Sequence] | None = None  # inherited by the forked workers, never pickled


def _run(index: int) -> object:
    assert _work is not None
    function, items = _work
    return function(items[index])


def fork_map(function: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> list[R]:
    """[function(item) for item in items], computed by one forked process per core past
    PARALLEL_FROM items (workers read `function` and `items` from the parent's memory; only the
    results travel back)."""
    global _work
    workers = workers or min(4, os.cpu_count() or 1)
    if workers < 2 or len(items) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    _work = (function, items)
    gc.freeze()  # the children's collectors then leave the parent's objects (and their pages) alone
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_run, range(len(items)), chunksize=max(1, len(items) // (workers * 8)))
    finally:
        gc.unfreeze()
        _work = None
