"""Figures never wrong on a public ranking: impossible values refused at the door, imports and
API series kept as one, imports all-or-nothing across files, dates judged in France."""

from __future__ import annotations

import errno
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes.registry import make_data_dir, write_entity

from observatory.collect import cli as collect_cli
from observatory.collect.manual_import import ImportResult, import_file
from observatory.registry import figures
from observatory.registry.load import load_registry
from observatory.store import ids, snapshots

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


DID = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"


def api_row(day: str, followers: int, handle: str = "hf0001.bsky.social") -> snapshots.AccountRow:
    return snapshots.AccountRow(date=day, entity="hopital-fictif-001", platform="bluesky", account_id=DID,
                                handle=handle, followers=followers, following=10, posts=50,
                                provenance="api", collected_at=f"{day}T06:00:00Z")


def test_an_import_joins_the_api_series_of_a_renamed_account(tmp_path: Path) -> None:
    data_dir = make(tmp_path)
    # The API follows the account by its id; its rows all carry the new name, the registry the old.
    snapshots.write_accounts(data_dir, [api_row("2025-03-01", 500, "nouveau-nom.bsky.social")])
    learned = {("bluesky", "hopital-fictif-001", "hf0001.bsky.social"): DID}  # as a collection writes it
    snapshots.write_files(ids.ids_texts(data_dir, learned))
    result = run_import(data_dir, HEADER + "2025-02-01,hopital-fictif-001,bluesky,hf0001.bsky.social,"
                                           "450,,,Rapport annuel,\n")
    assert result.problems == [] and [r.account_id for r in result.rows] == [DID]
    accounts = snapshots.load_accounts(data_dir)
    assert set(accounts["account_id"].astype(str)) == {DID}  # one account, one series


def test_an_import_never_replaces_an_api_row_of_the_same_day(tmp_path: Path) -> None:
    data_dir = make(tmp_path)
    snapshots.write_accounts(data_dir, [api_row("2025-03-10", 500)])
    before = (data_dir / "snapshots/accounts/bluesky/2025-03.csv").read_bytes()
    result = run_import(data_dir, HEADER +
                        "2025-03-10,hopital-fictif-001,bluesky,hf0001.bsky.social,999,,,Capture,\n"
                        f"2025-03-10,hopital-fictif-001,linkedin,{LINKEDIN},1200,,,Page LinkedIn,\n")
    assert result.problems == []
    assert [r.platform for r in result.rows] == ["linkedin"]  # the rest is stored
    assert len(result.notes) == 1 and result.notes[0].startswith("releves.csv:2")
    assert "relevé de l'API" in result.notes[0] and "non importé" in result.notes[0]
    assert (data_dir / "snapshots/accounts/bluesky/2025-03.csv").read_bytes() == before


def test_the_date_in_the_future_is_judged_in_france(tmp_path: Path) -> None:
    data_dir = make(tmp_path)
    late_evening = datetime(2025, 3, 15, 23, 30, tzinfo=UTC)  # already the 16th in Paris
    line = f"2025-03-16,hopital-fictif-001,linkedin,{LINKEDIN},1200,,,Page LinkedIn,\n"
    assert run_import(data_dir, HEADER + line, now=late_evening).problems == []
    tomorrow = line.replace("2025-03-16", "2025-03-17")
    (problem,) = run_import(data_dir, HEADER + tomorrow, now=late_evening).problems
    assert "date dans le futur" in str(problem)


def test_an_import_is_all_or_nothing_across_files_and_a_full_disk_is_said_in_french(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = make(tmp_path)
    snapshots.write_accounts(data_dir, [api_row("2025-02-10", 500)])
    before = {p: p.read_bytes() for p in (data_dir / "snapshots").rglob("*.csv")}
    text = HEADER + "".join(
        f"2025-0{month}-10,hopital-fictif-00{n},linkedin,company/hopital-fictif-00{n},{1000 + n},,,Page,\n"
        for month in (1, 2, 3) for n in (1, 2))
    real, calls = snapshots.write_aside, []

    def full_disk(path: Path, content: str) -> Path:
        calls.append(path)
        if len(calls) == 2:  # the second file: some already written aside
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, content)

    monkeypatch.setattr(snapshots, "write_aside", full_disk)
    result = run_import(data_dir, text)
    assert len(calls) == 2 and result.files == [] and result.rows == []
    (problem,) = result.problems
    assert "disque plein" in str(problem) and "rien n'a été importé" in str(problem)
    assert {p: p.read_bytes() for p in (data_dir / "snapshots").rglob("*.csv")} == before
    assert not list((data_dir / "snapshots").rglob(".*.tmp"))
    monkeypatch.setattr(snapshots, "write_aside", real)
    assert len(run_import(data_dir, text).files) == 3


def test_the_cli_reports_a_full_disk_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = make(tmp_path)
    path = tmp_path / "releves.csv"
    path.write_text(HEADER + f"2025-03-10,hopital-fictif-001,linkedin,{LINKEDIN},1200,,,Page,\n",
                    encoding="utf-8")

    def full_disk(path: Path, content: str) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(snapshots, "write_aside", full_disk)
    args = collect_cli.build_parser().parse_args(["import", str(path), "--data-dir", str(data_dir)])
    assert args.handler(args) == 1
    out, err = capsys.readouterr()
    assert "disque plein" in out and "rien n'a été importé" in err


def test_published_figures_dated_in_the_future_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "published-figures.csv"
    header = ",".join(figures.COLUMNS) + "\n"
    row = "hopital-fictif-001,facebook,followers,1200,exact,{date},Rapport,Éditeur,,{published},« 1 200 »,\n"
    path.write_text(header + row.format(date="2025-03-16", published="2025-03")
                    + row.format(date="2025-04", published="2026")
                    + row.format(date="2025-03-15", published="2025-03-15"), encoding="utf-8")
    problems = figures.validate_figures(path, tmp_path, {"hopital-fictif-001"},
                                        now=datetime(2025, 3, 15, 23, 30, tzinfo=UTC))
    where = sorted((p.line, p.field) for p in problems)
    assert where == [(3, "figure_date"), (3, "published_on")], [str(p) for p in problems]
    assert all("dans le futur" in p.message for p in problems)


def test_the_cli_prints_why_a_row_was_not_imported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = make(tmp_path)
    snapshots.write_accounts(data_dir, [api_row("2025-03-10", 500)])
    path = tmp_path / "releves.csv"
    path.write_text(HEADER + "2025-03-10,hopital-fictif-001,bluesky,hf0001.bsky.social,999,,,Capture,\n",
                    encoding="utf-8")
    args = collect_cli.build_parser().parse_args(["import", str(path), "--data-dir", str(data_dir)])
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert "note : " in out and "il fait foi, ligne non importée" in out and "0 relevé importé" in out
