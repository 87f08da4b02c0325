from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty registry laid out like data/."""
    (tmp_path / "data" / "establishments").mkdir(parents=True)
    (tmp_path / "data" / "benchmarks").mkdir(parents=True)
    return tmp_path / "data"


def write(data_dir: Path, name: str, text: str, folder: str = "establishments") -> Path:
    path = data_dir / folder / name
    path.write_text(text, encoding="utf-8")
    return path
