"""Open data: every dataset the site shows, as CSV and JSON, described by a datapackage.json
(Frictionless Data) and published under the Licence Ouverte 2.0."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from observatory.registry.load import Registry

LICENCE = {"name": "etalab-2.0", "title": "Licence Ouverte 2.0 (Etalab)",
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
FRICTIONLESS_TYPES = {"int64": "integer", "Int64": "integer", "float64": "number", "bool": "boolean",
                      "boolean": "boolean"}


def establishments_table(registry: Registry) -> pd.DataFrame:
    rows = [{
        "id": e.id, "nom": e.name, "nom_court": e.short_name,
        "type": "reference" if e.is_benchmark else "etablissement",
        "categorie": e.category or "", "nature_reference": e.kind or "", "region": e.region or "",
        "commune": e.city or "", "rattachement": e.parent or "", "finess_ej": e.finess_ej or "",
        "finess_et": " ".join(e.finess_et), "site_internet": e.website or "",
        "lits": e.beds, "champs_non_verifies": " ".join(e.unverified),
        "sources": " | ".join(s.url or s.title for s in e.sources),
    } for e in registry.entities.values()]
    return pd.DataFrame(rows).astype({"lits": "Int64"})


def accounts_table(registry: Registry) -> pd.DataFrame:
    rows = [{
        "etablissement": a.entity_id, "reseau": a.platform, "identifiant": a.handle, "url": a.url,
        "identifiant_plateforme": a.platform_id or "", "etat": a.status, "depuis": a.since or "",
        "jusqu_a": a.until or "", "non_verifie": a.unverified,
    } for a in registry.accounts()]
    return pd.DataFrame(rows, columns=["etablissement", "reseau", "identifiant", "url",
                                       "identifiant_plateforme", "etat", "depuis", "jusqu_a",
                                       "non_verifie"])


# A cell a spreadsheet would run as a formula starts with one of these (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+([.,][0-9]+)?")  # -3 stays -3: a number is no formula


def csv_cell(value: Any) -> Any:
    """A text cell that would start a formula, prefixed with ' (shown as text by spreadsheets);
    numbers, and texts that are plain numbers, as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell through csv_cell (names, handles, notes, sources come from
    pull requests); numeric columns untouched."""
    text_columns = [c for c, t in frame.dtypes.items()
                    if pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t)]
    if not text_columns:
        return frame
    safe = frame.copy()
    for column in text_columns:
        safe[column] = safe[column].map(csv_cell)
    return safe


def _schema(frame: pd.DataFrame) -> dict[str, Any]:
    return {"fields": [{"name": c, "type": FRICTIONLESS_TYPES.get(str(t), "string")}
                       for c, t in frame.dtypes.items()]}


def write_datasets(out_dir: Path, datasets: dict[str, tuple[str, pd.DataFrame]],
                   schema_dir: Path) -> list[dict[str, Any]]:
    """Write each dataset as CSV and JSON plus datapackage.json; return what the page lists."""
    out_dir.mkdir(parents=True, exist_ok=True)
    resources, listing = [], []
    for name, (title, frame) in datasets.items():
        csv_safe(frame).to_csv(out_dir / f"{name}.csv", index=False)
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        (out_dir / f"{name}.json").write_text(json.dumps(records, ensure_ascii=False, indent=1),
                                              encoding="utf-8")
        for fmt in ("csv", "json"):
            resources.append({"name": f"{name}-{fmt}", "path": f"{name}.{fmt}", "format": fmt,
                              "title": title, "schema": _schema(frame)})
        listing.append({"name": name, "title": title, "rows": len(frame),
                        "csv_bytes": (out_dir / f"{name}.csv").stat().st_size,
                        "json_bytes": (out_dir / f"{name}.json").stat().st_size})
    for schema in sorted(schema_dir.glob("*.schema.json")):
        shutil.copy(schema, out_dir / schema.name)
    package = {"name": "observatoire-reseaux-sociaux-sante", "title":
               "Observatoire des réseaux sociaux des établissements de santé",
               "licenses": [LICENCE], "resources": resources}
    (out_dir / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1),
                                              encoding="utf-8")
    return listing


METRIC_COLUMNS = ("entity", "platform", "account_id", "handle", "measured_on", "followers", "following",
                  "growth_7_abs", "growth_7_pct", "growth_7_span", "growth_30_abs", "growth_30_pct",
                  "growth_30_span", "growth_90_pct", "growth_90_span", "growth_365_pct", "growth_365_span",
                  "growth_30_weekly", "posts_in_window", "posts_per_week", "engagement",
                  "post_interaction", "conversation", "followers_per_100_beds", "engagement_vs_peers",
                  "engagement_score", "growth_score", "index", "few_posts", "dormant", "is_benchmark")


def metrics_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """The latest metrics per account with, beside each, why it is n/a (columns *_na)."""
    if metrics.empty:
        return pd.DataFrame(columns=list(METRIC_COLUMNS))
    reasons = [c for c in metrics.columns if c.endswith("_na")]
    table = metrics[list(METRIC_COLUMNS) + reasons].copy()
    table["measured_on"] = pd.to_datetime(table["measured_on"]).dt.strftime("%Y-%m-%d")
    return table


def boards_table(boards: list[dict[str, Any]]) -> pd.DataFrame:
    rows = [{"classement": b["id"], "reseau": b["platform"], "mesure": b["metric"], "date": b["as_of"],
             **{k: r[k] for k in ("rank", "rank_change", "entity", "handle", "value", "na_reason",
                                  "size_class", "few_posts", "dormant")}}
            for b in boards for r in b["rows"]]
    columns = ["classement", "reseau", "mesure", "date", "rank", "rank_change", "entity", "handle", "value",
               "na_reason", "size_class", "few_posts", "dormant"]
    return pd.DataFrame(rows, columns=columns)
