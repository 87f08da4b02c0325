"""The « Comparer » page's build side (issue #16, item 3): the index of comparable establishments
(only those with a measured account, each account pointing at the CSV file the series stage
writes), its size at 3,000 establishments, and untrusted names kept out of the page's HTML."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pandas as pd
from conftest import ROOT

from observatory.registry.load import Account, Entity, Registry
from observatory.site import compare
from observatory.site.charts.series import write_series

HOSTILE = "Hôpital <script>alert(1)</script> \"l'Œuvre\" {{ x }}"


def entity(key: str, name: str, accounts: tuple[tuple[str, str], ...] = (), benchmark: bool = False,
           short: str | None = None, region: str | None = "Bretagne") -> Entity:
    return Entity(id=key, name=name, short_name=short or name, is_benchmark=benchmark,
                  category=None if benchmark else "chu-chr", kind="agence" if benchmark else None,
                  region=region, city=None, website=None,
                  accounts=tuple(Account(key, p, h, h.lower(), f"https://example.org/{h}", "active")
                                 for p, h in accounts))


def registry() -> Registry:
    items = [entity("chu-angers", HOSTILE, (("twitter", "chuangers"), ("facebook", "chu.angers")),
                    short="CHU d'Angers"),
             entity("ch-brest", "Centre hospitalier de Brest", (("bluesky", "chbrest.fr"),), region=None),
             entity("ch-vide", "Centre hospitalier sans mesures", (("twitter", "vide"),)),
             entity("agence", "Agence (référence)", (("twitter", "agence"),), benchmark=True)]
    return Registry({e.id: e for e in items})


def snapshots() -> pd.DataFrame:
    rows = [  # date, entity, platform, account_id, handle, followers
        ("2026-03-02", "chu-angers", "twitter", "12345", "chuangers", 1200),
        ("2026-03-01", "chu-angers", "twitter", "12345", "chuangers_old", 1100),  # earlier, listed later
        ("2026-03-01", "chu-angers", "facebook", "Page.Id", "chu.angers", 800),
        ("2026-03-02", "ch-brest", "bluesky", "did:plc:abc", "chbrest.fr", 300),
        ("2026-03-02", "ch-vide", "twitter", "999", "vide", None),  # never a follower count
        ("2026-03-02", "agence", "twitter", "777", "agence", 50_000),  # a benchmark
    ]
    frame = pd.DataFrame(rows, columns=["date", "entity", "platform", "account_id", "handle", "followers"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["followers"] = frame["followers"].astype("Int64")
    for column in ("entity", "platform", "account_id", "handle"):
        frame[column] = frame[column].astype("category")  # as the store loads them
    return frame


def test_measured_accounts_need_a_follower_count_and_keep_the_latest_handle() -> None:
    measured = compare.measured_accounts(snapshots())
    assert set(measured["account_id"]) == {"12345", "Page.Id", "did:plc:abc", "777"}
    assert measured.set_index("account_id").loc["12345", "handle"] == "chuangers"
    assert compare.measured_accounts(snapshots().iloc[0:0]).empty


def test_the_index_points_at_the_files_the_series_stage_writes(tmp_path: Path) -> None:
    frame = snapshots()
    posts = pd.DataFrame({"platform": pd.Series(dtype=str), "entity": pd.Series(dtype=str),
                          "account_id": pd.Series(dtype=str),
                          "published_at": pd.Series(dtype="datetime64[ns, UTC]"),
                          "is_reply": pd.Series(dtype=bool), "is_repost": pd.Series(dtype=bool),
                          "likes": pd.Series(dtype="Int64"), "reposts": pd.Series(dtype="Int64")})
    written = write_series(tmp_path, frame.astype({"followers": float}), posts)
    index = compare.compare_index(registry(), compare.measured_accounts(frame))
    # without a follower count (ch-vide) or a benchmark (agence): left out
    assert list(index["e"]) == ["ch-brest", "chu-angers"]  # by name: « Centre… » before « Hôpital… »
    assert [p for p, _ in index["p"]] == ["twitter", "facebook", "bluesky"]  # the registry's order
    assert dict(index["p"])["twitter"] == "X (Twitter)" and index["c"] == {"chu-chr": "CHU/CHR"}
    name, category, region, accounts, short = index["e"]["chu-angers"]
    assert (name, category, index["r"][region], short) == (HOSTILE, "chu-chr", "Bretagne", "CHU d'Angers")
    assert index["e"]["ch-brest"][2] == -1 and len(index["e"]["ch-brest"]) == 4  # no region, no short name
    for entry in index["e"].values():
        for platform_at, _handle, file in entry[3]:
            platform = index["p"][platform_at][0]
            path = f"{index['s']}/{platform}/{file}.csv"
            assert path in written.values() and (tmp_path / path).is_file(), path
    assert [index["p"][a[0]][0] for a in accounts] == ["twitter", "facebook"]


def test_the_index_stays_compact_at_3000_establishments() -> None:
    items, rows = [], []
    for n in range(3000):
        key = f"ch-saint-exemple-{n:04d}"
        handles = (("twitter", f"chstexemple{n}"), ("facebook", f"ch.saint.exemple.{n}"),
                   ("linkedin", f"company/ch-saint-exemple-{n}"))
        items.append(entity(key, f"Centre hospitalier de Saint-Exemple-sur-Loire {n:04d}", handles,
                            short=f"CH Saint-Exemple {n:04d}"))
        rows += [("2026-03-02", key, p, f"{10**14 + n * 7 + i}", h, 1000) for i, (p, h) in enumerate(handles)]
    frame = pd.DataFrame(rows, columns=["date", "entity", "platform", "account_id", "handle", "followers"])
    data = compare.index_bytes(compare.compare_index(Registry({e.id: e for e in items}),
                                                     compare.measured_accounts(frame)))
    assert len(json.loads(data)["e"]) == 3000
    # ~255 bytes an establishment with 3 accounts and long names, ~40 once gzipped as served
    assert len(data) < 850_000 and len(gzip.compress(data)) < 200_000, (len(data), len(gzip.compress(data)))


def test_the_page_holds_no_registry_text_and_says_who_is_left_out(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    assert compare.write_compare(docs, registry(), snapshots()) == 2
    page = (docs / compare.PAGE).read_text(encoding="utf-8")
    assert "<script>alert" not in page and "Œuvre" not in page  # names only in the JSON index
    assert "2 établissements peuvent être comparés" in page
    assert "1 établissement de l'annuaire n'a pas encore de mesures : il n'est pas proposé ici." in page
    assert '<script src="../assets/compare.js" defer></script>' in page
    attribute = re.search(r'data-config="([^"]*)"', page)
    assert attribute and "<" not in attribute.group(1) and "&quot;" in attribute.group(1)
    index = json.loads((docs / compare.INDEX).read_text(encoding="utf-8"))
    assert index["e"]["chu-angers"][0] == HOSTILE  # kept as data, shown with textContent
    assert "(s)" not in page


def test_the_script_never_parses_registry_text_as_html() -> None:
    script = (ROOT / "docs" / "assets" / "compare.js").read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", script)
    assert "textContent" in script


def test_the_page_is_wired_into_the_site() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^  - Comparer: comparer\.md$", config, re.M)
    from observatory.site.build import GENERATED_DOCS
    assert "comparer.md" in GENERATED_DOCS
    assert "/docs/comparer.md" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
