"""Figures never wrong on a public ranking: impossible values refused at the door, imports and
API series kept as one, imports all-or-nothing across files, dates judged in France."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fakes.registry import make_data_dir, write_entity

from observatory.collect.manual_import import ImportResult, import_file
from observatory.registry.load import load_registry
from observatory.store import snapshots

NOW = datetime(2025, 3, 15, 9, 30, tzinfo=UTC)
HEADER = "date,entity,platform,handle,followers,following,posts,source_title,source_url\n"
LINKEDIN = "company/hopital-fictif-001"


def make(tmp_path: Path) -> Path:
    data_dir = make_data_dir(tmp_path)
    write_entity(data_dir, 1, [("linkedin", LINKEDIN), ("bluesky", "hf0001.bsky.social")])
    write_entity(data_dir, 2, [("linkedin", "company/hopital-fictif-002")])
    return data_dir


def run_import(data_dir: Path, text: str, now: datetime = NOW, **options: object) -> ImportResult:
    path = data_dir.parent / "releves.csv"
    path.write_text(text, encoding="utf-8")
    return import_file(path, load_registry(data_dir), data_dir, display="releves.csv",
                       clock=lambda: now, **options)  # type: ignore[arg-type]


def test_an_import_beyond_64_bits_is_refused_with_its_line(tmp_path: Path) -> None:
    data_dir = make(tmp_path)
    result = run_import(data_dir, HEADER + f"2025-03-10,hopital-fictif-001,linkedin,{LINKEDIN},"
                                           f"{2 ** 64},,,Page LinkedIn,\n")
    assert [str(p) for p in result.problems] == [
        "releves.csv:2: followers: « 18446744073709551616 » : nombre impossible (plus de 64 bits)"]
    assert not (data_dir / "snapshots").exists()
