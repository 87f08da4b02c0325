"""The synthetic data generator: a valid fake registry, snapshots in the store's exact format,
the same files for the same seed, and never a write into the repository's data/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from observatory.demo.synthetic import REPO_DATA, generate, main
from observatory.registry.load import load_registry
from observatory.registry.validate import validate_paths
from observatory.store import snapshots

END = date(2026, 11, 1)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("small")
    return root, generate(root, establishments=12, days=60, seed=3, end=END)


@pytest.fixture(scope="module")
def moderate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    root = tmp_path_factory.mktemp("moderate")
    generate(root, establishments=100, days=200, seed=1, end=END)
    return root, snapshots.load_accounts(root / "data"), snapshots.load_posts(root / "data")


def test_registry_validates_in_canonical_form_and_loads(small: tuple[Path, object]) -> None:
    root, summary = small
    docs, problems = validate_paths([root / "data" / "establishments", root / "data" / "benchmarks"], root)
    assert problems == []
    assert len(docs) == 14
    registry = load_registry(root / "data")
    assert len(registry.establishments) == summary.establishments == 12
    assert len(registry.benchmarks) == summary.benchmarks == 2
    assert len(registry.accounts()) == summary.accounts
    assert 20 <= summary.accounts <= 70  # about three accounts per establishment, plus benchmarks
    assert all(e.name.startswith("Établissement fictif ") and e.city == "Ville fictive"
               for e in registry.establishments)
    assert all(a.platform_id for a in registry.accounts())
    assert summary.data_dir == (root / "data").resolve()


def test_snapshots_load_with_expected_rows_and_known_ids(small: tuple[Path, object]) -> None:
    root, summary = small
    accounts = snapshots.load_accounts(root / "data")
    posts = snapshots.load_posts(root / "data")
    assert len(accounts) == summary.account_rows > 0
    assert len(posts) == summary.post_rows > 0
    assert not accounts.duplicated(["date", "platform", "account_id"]).any()
    assert not posts.duplicated(["platform", "post_id"]).any()

    registry = load_registry(root / "data")
    known = {(a.platform, a.platform_id): a.entity_id for a in registry.accounts()}
    for frame in (accounts, posts):
        pairs = frame[["platform", "account_id", "entity"]].astype(str).drop_duplicates()
        assert all(known.get((p, i)) == e for p, i, e in pairs.itertuples(index=False))

    assert accounts["date"].min() == pd.Timestamp("2026-09-03")  # 60 days ending on END
    assert accounts["date"].max() == pd.Timestamp(END)
    assert set(accounts["provenance"]) == {"api"}
    assert (accounts["followers"] >= 0).all() and accounts["followers"].notna().all()
    age = posts["measured_at"] - posts["published_at"]
    assert (age >= pd.Timedelta(0)).all() and (age < pd.Timedelta(days=snapshots.REFRESH_DAYS)).all()
    assert posts["measured_at"].max() <= pd.Timestamp(f"{END}T23:59:59Z")
    video = posts["platform"].isin(["youtube", "peertube"])
    assert posts.loc[~video, "views"].isna().all()
    assert posts.loc[posts["is_repost"], ["likes", "reposts", "replies", "quotes"]].isna().all().all()


def test_files_are_exactly_what_the_store_writes(small: tuple[Path, object]) -> None:
    root, _ = small
    folder = root / "data" / "snapshots"
    tables = (("accounts", snapshots.ACCOUNT_COLUMNS, snapshots.account_sort_key, "date"),
              ("posts", snapshots.POST_COLUMNS, snapshots._post_sort, "published_at"))
    for table, columns, order, month_of in tables:
        files = sorted((folder / table).glob("*/*.csv"))
        assert files
        for path in files:
            rows = snapshots.read_rows(path, columns)
            assert rows, path
            assert snapshots.render_rows(sorted(rows, key=order), columns) == path.read_text(encoding="utf-8")
            assert {r[month_of][:7] for r in rows} == {path.stem}
            assert {r["platform"] for r in rows} == {path.parent.name}


def test_same_seed_same_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", establishments=8, days=40, seed=7)
    generate(tmp_path / "b", establishments=8, days=40, seed=7)
    generate(tmp_path / "c", establishments=8, days=40, seed=8)
    first = _files(tmp_path / "a")
    assert first and first == _files(tmp_path / "b")
    assert first != _files(tmp_path / "c")


@pytest.mark.parametrize("target", [REPO_DATA.parent, REPO_DATA, REPO_DATA / "synthetique",
                                    REPO_DATA / "establishments" / ".." / "x"])
def test_refuses_to_write_into_the_repository_data(target: Path) -> None:
    with pytest.raises(ValueError, match="data/ du dépôt"):
        generate(target, establishments=2, days=3)
    for written in (REPO_DATA / "establishments" / "fictif-0001.yml", REPO_DATA / "data",
                    REPO_DATA / "synthetique", REPO_DATA / "x"):
        assert not written.exists()


def test_refuses_a_folder_already_holding_data(tmp_path: Path) -> None:
    generate(tmp_path, establishments=2, days=3)
    with pytest.raises(ValueError, match="pas vide"):
        generate(tmp_path, establishments=2, days=3)


def test_renamed_handles_gaps_late_and_dormant_accounts(
        moderate: tuple[Path, pd.DataFrame, pd.DataFrame]) -> None:
    root, accounts, posts = moderate
    registry = {(a.platform, a.platform_id): a for a in load_registry(root / "data").accounts()}
    rows = accounts.assign(platform=accounts["platform"].astype(str)).sort_values("date")
    per_account = rows.groupby(["platform", "account_id"])

    handles = per_account["handle"].nunique()
    assert (handles > 1).sum() >= 1
    assert set(handles[handles > 1].index.get_level_values(0)) == {"bluesky"}
    latest = per_account["handle"].last()
    assert all(registry[key].handle == handle for key, handle in latest.items())

    steps = per_account["date"].diff().dt.days
    assert (steps > 1).sum() > 0  # missed days
    assert (steps >= 14).sum() > 0  # a multi-week outage

    first = per_account["date"].min().dt.date.astype(str)
    opened = {key: account.since for key, account in registry.items() if account.since}
    assert opened  # accounts opened during the period: no rows before
    assert all(first[key] >= since for key, since in opened.items())
    assert sum(first[key] == since for key, since in opened.items()) >= len(opened) / 2
    late = first[first > str(rows["date"].min().date() + pd.Timedelta(days=30))]
    assert all(key in opened for key in late.index)
    last = per_account["date"].max()
    left = [key for key, account in registry.items() if account.status == "left"]
    assert all(last[key].date().isoformat() < registry[key].until for key in left)

    end = pd.Timestamp(END, tz="UTC")
    latest_post = posts.assign(platform=posts["platform"].astype(str)).groupby(
        ["platform", "account_id"])["published_at"].max()
    still_collected = last[last == rows["date"].max()].index
    silent = [key for key in still_collected if latest_post.get(key, end - pd.Timedelta(days=999))
              < end - pd.Timedelta(days=90)]
    assert silent  # accounts still collected that stopped posting


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "out"), "--establishments", "3", "--days", "5", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "3 établissements" in out and "relevés de comptes" in out
    assert (tmp_path / "out" / "data" / "establishments" / "fictif-0003.yml").exists()
    with pytest.raises(SystemExit) as exit_info:
        main([str(REPO_DATA.parent), "--establishments", "1", "--days", "1"])
    assert exit_info.value.code == 2
