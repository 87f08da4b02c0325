"""The methodology's worked example: small, clearly fictitious inputs run through the real
metrics code, rendered with every intermediate number so a reader can redo the arithmetic."""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatory.analysis import metrics
from observatory.registry.load import Entity, Registry
from observatory.textfmt import number

AS_OF = "2025-03-31"
SNAPSHOTS = [("2025-02-28", 2000), ("2025-03-01", 2010), ("2025-03-24", 2150), ("2025-03-31", 2200)]
# (post id, publication time, reply to someone else, likes, reposts)
POSTS = [("p1", "2025-03-05T09:00:00Z", False, 30, 10),
         ("p2", "2025-03-05T15:00:00Z", True, 4, 0),
         ("p3", "2025-03-18T10:00:00Z", False, 50, 14),
         ("p4", "2025-03-27T08:30:00Z", False, 20, 2),
         ("p5", "2025-03-29T11:00:00Z", False, 9, 1)]
ENTITY = "exemple-fictif"


def example_inputs() -> metrics.Inputs:
    accounts = pd.DataFrame({
        "date": pd.to_datetime([d for d, _ in SNAPSHOTS]), "entity": ENTITY, "platform": "bluesky",
        "account_id": "did:exemple", "handle": "exemple.fictif", "followers": [f for _, f in SNAPSHOTS],
    }).astype({"followers": "Int64"})
    accounts["following"] = pd.array([pd.NA] * len(accounts), dtype="Int64")
    accounts["posts"] = pd.array([pd.NA] * len(accounts), dtype="Int64")
    posts = pd.DataFrame({
        "platform": "bluesky", "post_id": [p[0] for p in POSTS], "entity": ENTITY,
        "account_id": "did:exemple", "published_at": pd.to_datetime([p[1] for p in POSTS], utc=True),
        "is_reply": pd.array([p[2] for p in POSTS], dtype="boolean"),
        "is_repost": pd.array([False] * len(POSTS), dtype="boolean"),
        "likes": pd.array([p[3] for p in POSTS], dtype="Int64"),
        "reposts": pd.array([p[4] for p in POSTS], dtype="Int64"),
    })
    entity = Entity(id=ENTITY, name="Compte fictif d'exemple", short_name="Exemple", is_benchmark=False,
                    category="ch", kind=None, region=None, city=None, website=None, beds=400)
    return metrics.Inputs(accounts, posts, Registry({ENTITY: entity}))


def example_results() -> dict[str, Any]:
    row = metrics.account_metrics(example_inputs(), pd.Timestamp(AS_OF)).iloc[0]
    return {key: (None if pd.isna(row[key]) else float(row[key])) for key in (
        "followers", "growth_7_abs", "growth_7_pct", "growth_7_span", "growth_30_abs", "growth_30_pct",
        "growth_30_span", "growth_30_weekly", "posts_in_window", "posts_per_week", "engagement",
        "post_interaction", "conversation", "followers_per_100_beds")}


def _n(value: float, decimals: int = 0) -> str:
    return number(value, decimals)


def example_markdown() -> str:
    r = example_results()
    days = metrics.ENGAGEMENT_DAYS
    lines = ["---", "title: Exemple calculé", "---", "", "# Exemple calculé", "",
             "Cet exemple applique les formules de la [méthodologie](../methodologie.md) à un compte "
             "**fictif**. Les résultats ci-dessous sont produits par le code de l'observatoire à "
             "chaque construction du site, et un test vérifie qu'ils égalent le calcul à la main.", "",
             "## Données d'entrée", "", "| Relevé | Abonnés |", "|---|---|"]
    lines += [f"| {d} | {_n(f)} |" for d, f in SNAPSHOTS]
    lines += ["", "| Publication | Date | Réponse à un autre compte | J'aime | Partages |",
              "|---|---|---|---|---|"]
    lines += [f"| {p} | {t[:16].replace('T', ' ')} | {'oui' if reply else 'non'} | {likes} | {reposts} |"
              for p, t, reply, likes, reposts in POSTS]
    lines += ["", f"Calcul au {AS_OF}. L'établissement fictif déclare 400 lits.", "",
              "## Croissance", "",
              f"- 7 jours : relevé le plus proche du 24 mars : 2 150 → 2 200, soit "
              f"**{_n(r['growth_7_abs'])}** abonnés et **{_n(r['growth_7_pct'], 2)} %** "
              f"sur {_n(r['growth_7_span'])} jours.",
              f"- 30 jours : relevé le plus proche du 1er mars : 2 010 → 2 200, soit "
              f"**{_n(r['growth_30_abs'])}** abonnés et **{_n(r['growth_30_pct'], 2)} %** "
              f"sur {_n(r['growth_30_span'])} jours.",
              f"- taux hebdomadaire composé sur 30 jours : (2 200 / 2 010)^(7/30) − 1 = "
              f"**{_n(r['growth_30_weekly'], 3)} %**.", "",
              "## Publications, engagement et conversation", "",
              f"La fenêtre compte {days} jours (du 2 au 31 mars). Les abonnés de chaque jour sont ceux "
              "du dernier relevé à cette date.", "",
              "| Jour | Publications | Interactions (j'aime + partages) | Abonnés du jour | I / A |",
              "|---|---|---|---|---|",
              "| 5 mars | 2 | 30 + 10 + 4 + 0 = 44 | 2 010 | 0,021891 |",
              "| 18 mars | 1 | 50 + 14 = 64 | 2 010 | 0,031841 |",
              "| 27 mars | 1 | 20 + 2 = 22 | 2 150 | 0,010233 |",
              "| 29 mars | 1 | 9 + 1 = 10 | 2 150 | 0,004651 |", "",
              f"- publications par semaine : {_n(r['posts_in_window'])} × 7 / {days} = "
              f"**{_n(r['posts_per_week'], 2)}** ;",
              f"- engagement : (0,021891 + 0,031841 + 0,010233 + 0,004651) / {days} = "
              f"**{_n(r['engagement'], 4)} %** (les 26 jours sans publication comptent 0) ;",
              "- interaction par publication : moyenne de 0,021891 / 2, 0,031841, 0,010233 et "
              f"0,004651 = **{_n(r['post_interaction'], 4)} %** ;",
              f"- taux de conversation : 1 réponse sur 5 publications = **{_n(r['conversation'], 0)} %** ;",
              f"- abonnés pour 100 lits : 2 200 / 400 × 100 = **{_n(r['followers_per_100_beds'], 0)}**.",
              "", "Avec 5 publications, le compte n'a pas la mention « peu de publications » (moins de "
              f"{metrics.FEW_POSTS}).", ""]
    return "\n".join(lines)
