"""The « Comparer » page: a reader picks 2 to 4 establishments and sees their series side by
side, drawn in the browser (docs/assets/compare.js) from the per-account CSV files the charts
stage already publishes (charts/series.py).

The build writes the page (plain Markdown with a small HTML container) and a compact JSON index
of the establishments that can be compared: name, category, region and the accounts that have
follower counts, each with the name of its CSV file. Only establishments with at least one such
account are in the index; the page says how many are left out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from observatory.registry.load import Registry
from observatory.registry.vocab import CATEGORIES, PLATFORMS, REGIONS
from observatory.site.charts.series import safe_name
from observatory.site.charts.specs import DASHES, FRENCH_LOCALE, SERIES_DIR, TIME_AXIS
from observatory.textfmt import html_text, plural

PAGE = "comparer.md"
INDEX = "donnees/comparer.json"  # under docs/
MAX_CHOSEN = 4
# The page's own script, loaded by this page only (Material re-runs a page's scripts after
# instant navigation); "defer" lets charts.js, loaded at the end of every page, come first.
SCRIPT = "../assets/compare.js"



def measured_accounts(accounts: pd.DataFrame) -> pd.DataFrame:
    """One row per (platform, account_id) with at least one follower count: its establishment
    and handle as of its latest such row. These accounts have a CSV file (write_series_files)."""
    columns = ["entity", "platform", "account_id", "handle"]
    known = accounts.loc[accounts["followers"].notna()] if not accounts.empty else accounts
    if known.empty:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in columns})
    # Integer codes and one sort (millions of rows at 3,000 establishments over years): the last
    # row of each account by date; text only for the few rows left.
    platform, account = _codes(known["platform"]), _codes(known["account_id"])
    key = platform * (int(account.max()) + 1) + account
    order = np.lexsort((known["date"].to_numpy().astype("datetime64[D]").astype(np.int64), key))
    ordered = key[order]
    last = order[np.r_[ordered[1:] != ordered[:-1], True]]
    return known.iloc[last][columns].astype(str).reset_index(drop=True)


def _codes(column: pd.Series) -> np.ndarray:
    """Integer codes of a column: the store's categories as they are, other columns factorised."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(column)[0].astype(np.int64)


def compare_index(registry: Registry, measured: pd.DataFrame) -> dict[str, Any]:
    """The index compare.js reads, with short keys (3,000 establishments):
    p: network codes and names; c: category labels; r: regions; s: folder of the CSV files
    (relative to donnees/); e: establishment id -> [name, category code, region index (-1: none),
    accounts [[network index, handle, file name without .csv]], short name if different]."""
    by_entity: dict[str, list[tuple[str, str, str]]] = {}
    for entity, platform, account_id, handle in zip(measured["entity"], measured["platform"],
                                                    measured["account_id"], measured["handle"], strict=True):
        by_entity.setdefault(entity, []).append((platform, handle, safe_name(account_id)))
    platforms = [p for p in PLATFORMS if any(p == a[0] for accounts in by_entity.values() for a in accounts)]
    regions = [r for r in REGIONS if any(e.region == r for e in registry.establishments if e.id in by_entity)]
    entries: dict[str, list[Any]] = {}
    for entity in sorted(registry.establishments, key=lambda e: e.name.casefold()):
        accounts = by_entity.get(entity.id)
        if not accounts:
            continue
        accounts.sort(key=lambda a: (platforms.index(a[0]), a[1]))
        entry: list[Any] = [entity.name, entity.category or "",
                            regions.index(entity.region) if entity.region in regions else -1,
                            [[platforms.index(p), handle, name] for p, handle, name in accounts]]
        if entity.short_name and entity.short_name != entity.name:
            entry.append(entity.short_name)
        entries[entity.id] = entry
    used = {e[1] for e in entries.values()}
    return {"p": [[p, PLATFORMS[p]] for p in platforms],
            "c": {code: label for code, label in CATEGORIES.items() if code in used},
            "r": regions, "s": SERIES_DIR, "e": entries}


def index_bytes(index: dict[str, Any]) -> bytes:
    return json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def compare_markdown(comparable: int, left_out: int) -> str:
    """The page: a short text, then the container compare.js fills (search, chosen establishments,
    network, charts, summary and tables). Without JavaScript, the text says where the files are."""
    if left_out == 1:
        missing = "1 établissement de l'annuaire n'a pas encore de mesures : il n'est pas proposé ici."
    elif left_out:
        missing = (f"{plural(left_out, 'établissement')} de l'annuaire n'ont pas encore de mesures : "
                   "ils ne sont pas proposés ici.")
    else:
        missing = "Tous les établissements de l'annuaire ont au moins un compte mesuré."
    can = "peut être comparé" if comparable == 1 else "peuvent être comparés"
    config = {"locale": FRENCH_LOCALE, "timeAxis": TIME_AXIS, "dashes": DASHES}
    attrs = {"data-index": f"../{INDEX}", "data-data": "../donnees/", "data-max": str(MAX_CHOSEN),
             "data-config": json.dumps(config, ensure_ascii=False, separators=(",", ":"))}
    attributes = " ".join(f'{name}="{html_text(value)}"' for name, value in attrs.items())
    return f"""---
title: Comparer des établissements
description: Deux à quatre établissements de santé côte à côte, réseau par réseau (abonnés, engagement).
---

# Comparer des établissements

Choisissez de deux à quatre établissements pour voir leurs abonnés, réseau par réseau, sur un
même graphique, avec l'engagement quand il est connu. La recherche ne tient compte ni des
accents ni des majuscules (« hopital » trouve « Hôpital »). L'adresse de la page garde le choix :
copiez-la pour partager la comparaison.

{plural(comparable, 'établissement')} {can}. {missing}

<div class="obs-compare" {attributes}>
<noscript><p>Cette page a besoin de JavaScript. Les séries de chaque compte sont aussi
téléchargeables une à une (fichiers CSV) depuis la page de chaque établissement et depuis les
<a href="../donnees/">données ouvertes</a>.</p></noscript>
<div class="obs-compare-search">
<label for="obs-compare-input">Rechercher un établissement par son nom</label>
<input id="obs-compare-input" type="text" role="combobox" autocomplete="off" spellcheck="false"
 aria-autocomplete="list" aria-expanded="false" aria-controls="obs-compare-options"
 aria-describedby="obs-compare-help" disabled>
<ul id="obs-compare-options" class="obs-compare-options" role="listbox"
 aria-label="Établissements trouvés" hidden></ul>
<p id="obs-compare-help" class="obs-compare-help">Tapez quelques lettres, puis choisissez avec les
flèches et Entrée (ou d'un clic). Jusqu'à {MAX_CHOSEN} établissements.</p>
</div>
<p class="obs-compare-status" role="status" aria-live="polite">Chargement de la liste des établissements…</p>
<ul class="obs-compare-chosen" aria-label="Établissements choisis"></ul>
<div class="obs-compare-network" hidden>
<label for="obs-compare-platform">Réseau</label>
<select id="obs-compare-platform"></select>
</div>
<div class="obs-compare-results" data-search-exclude></div>
</div>

<script src="{SCRIPT}" defer></script>

"""


def write_compare(docs: Path, registry: Registry, accounts: pd.DataFrame) -> int:
    """Write the page and its index; return the number of establishments that can be compared."""
    index = compare_index(registry, measured_accounts(accounts))
    comparable = len(index["e"])
    (docs / "donnees").mkdir(parents=True, exist_ok=True)
    target = docs / INDEX
    data = index_bytes(index)
    if not target.exists() or target.read_bytes() != data:
        target.write_bytes(data)
    text = compare_markdown(comparable, len(registry.establishments) - comparable)
    page = docs / PAGE
    if not page.exists() or page.read_text(encoding="utf-8") != text:
        page.write_text(text, encoding="utf-8")
    return comparable
