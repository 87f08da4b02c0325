"""The summary at the top of an establishment page (issue #16, item 1): total audience, each
network's followers with a small trend line and its rank in the category, what is typical on that
network (the median of the category and of the account's size class), the network with the best
engagement and the date of the last measure.

The trend line is an inline SVG written by the build (no script), with a text alternative."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from observatory.analysis.leaderboards import SIZE_CLASSES, size_class
from observatory.analysis.metrics import ENGAGEMENT_DAYS
from observatory.registry.vocab import CATEGORIES
from observatory.site.leaderboard_pages import NOT_SEARCHED, value_text
from observatory.textfmt import date_fr, html_text, number, plural

SPARK_POINTS = 60  # a trend line keeps at most this many points (the last 60 measured days)
SPARK_WIDTH, SPARK_HEIGHT = 96, 24
SIZE_LABELS = {code: label for code, label, _low, _high in SIZE_CLASSES}


def typical_values(metrics: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    """Medians of followers and engagement among establishments (benchmarks left out): keys
    (metric, platform, "category:<code>") and (metric, platform, "size:<class>")."""
    if metrics.empty:
        return {}
    frame = metrics[~metrics["is_benchmark"].astype(bool)].copy()
    frame["size"] = frame["followers"].map(size_class)
    out: dict[tuple[str, str, str], float] = {}
    for metric in ("followers", "engagement"):
        for column, prefix in (("category", "category:"), ("size", "size:")):
            medians = frame.dropna(subset=[column]).groupby(["platform", column])[metric].median()
            out.update({(metric, platform, prefix + str(group)): float(value)
                        for (platform, group), value in medians.items() if pd.notna(value)})
    return out


def follower_trends(accounts: pd.DataFrame) -> dict[tuple[str, str], list[float]]:
    """Per (platform, account_id): followers of the last SPARK_POINTS measured days, oldest first."""
    if accounts.empty:
        return {}
    frame = accounts.loc[accounts["followers"].notna(), ["platform", "account_id", "date", "followers"]]
    frame = frame.sort_values("date", kind="stable")
    recent = frame.groupby(["platform", "account_id"], observed=True, sort=False).tail(SPARK_POINTS)
    recent = recent.sort_values(["platform", "account_id"], kind="stable")  # dates stay in order
    # One slice per account, cut where the key changes (a loop over groups is slow at 9,000 accounts).
    platforms, accounts_ids = recent["platform"].to_numpy(), recent["account_id"].to_numpy()
    values = recent["followers"].to_numpy(dtype=float)
    changes = np.ones(len(recent), dtype=bool)
    changes[1:] = (platforms[1:] != platforms[:-1]) | (accounts_ids[1:] != accounts_ids[:-1])
    starts = np.flatnonzero(changes)
    ends = np.append(starts[1:], len(recent))
    return {(str(platforms[start]), str(accounts_ids[start])): values[start:end].tolist()
            for start, end in zip(starts, ends, strict=True)}


def enriched(summaries: dict[str, dict[str, Any]], metrics: pd.DataFrame, category_of: dict[str, str],
             trends: dict[tuple[str, str], list[float]]) -> dict[str, dict[str, Any]]:
    """Copies of the summaries whose accounts carry their trend and the medians they are read
    against (the summaries themselves, also written as page data, stay as they are)."""
    typical = typical_values(metrics)
    out: dict[str, dict[str, Any]] = {}
    for entity, summary in summaries.items():
        category = category_of.get(entity)
        accounts = []
        for account in summary["accounts"]:
            platform = account["platform"]
            size = size_class(account["metrics"]["followers"]["value"])
            accounts.append({**account, "size_class": size,
                             "trend": trends.get((platform, account["account_id"]), []),
                             "typical": {metric: {
                                 "category": typical.get((metric, platform, f"category:{category}")),
                                 "size": typical.get((metric, platform, f"size:{size}"))}
                                 for metric in ("followers", "engagement")}})
        out[entity] = {**summary, "category": category, "accounts": accounts}
    return out


def sparkline(values: list[float], label: str) -> str:
    """An inline SVG line of `values`, named by `label` for screen readers (role img)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = high - low or 1.0
    xs = np.linspace(1, SPARK_WIDTH - 1, len(values))
    ys = [SPARK_HEIGHT - 2 - (v - low) / span * (SPARK_HEIGHT - 4) for v in values]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return (f'<svg class="obs-spark" role="img" aria-label="{html_text(label)}" width="{SPARK_WIDTH}" '
            f'height="{SPARK_HEIGHT}" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}">'
            f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{points}"/></svg>')


def trend_text(values: list[float]) -> str:
    """The trend line in words: from how many followers to how many, over how many measures."""
    if len(values) < 2:
        return ""
    return (f"Évolution des abonnés sur les {len(values)} derniers relevés : de "
            f"{number(values[0], 0)} à {number(values[-1], 0)}")


def _typical_text(account: dict[str, Any], metric: str, unit: str, decimals: int,
                  category: str | None) -> str:
    """The medians the value is read against, or n/a with the reason a median is missing."""
    typical = account.get("typical", {}).get(metric, {})
    label = CATEGORIES.get(category, category) if category else None
    if not label:
        parts = ["catégorie : n/a (pas de catégorie d'établissement)"]
    elif typical.get("category") is not None:
        parts = [f"médiane {label} : {number(typical['category'], decimals)}{unit}"]
    else:
        parts = [f"médiane {label} : n/a (aucune valeur mesurée dans cette catégorie sur ce réseau)"]
    size = account.get("size_class")
    if not size:
        parts.append("taille : n/a (abonnés inconnus)")
    elif typical.get("size") is not None:
        parts.append(f"comptes de {SIZE_LABELS[size]} : {number(typical['size'], decimals)}{unit}")
    else:
        parts.append(f"comptes de {SIZE_LABELS[size]} : n/a (aucune valeur mesurée pour cette taille)")
    return "; ".join(parts)


def summary_block(summary: dict[str, Any] | None) -> list[str]:
    """The « En bref » section (raw HTML for the table, so the SVGs stay inline)."""
    if not summary or not summary["accounts"]:
        return []
    category = summary.get("category")
    accounts = summary["accounts"]
    total = sum(a["metrics"]["followers"]["value"] or 0 for a in accounts)
    engaged = [a for a in accounts if a["metrics"]["engagement"]["value"] is not None]
    best = max(engaged, key=lambda a: a["metrics"]["engagement"]["value"]) if engaged else None
    last = max(a["measured_on"] for a in accounts)
    # One line of raw HTML, like the table below: MkDocs stashes it instead of parsing a list.
    items = [("Audience totale", f"{plural(int(total), 'abonné')} sur "
                                 f"{plural(len(accounts), 'compte suivi', 'comptes suivis')}")]
    if best:
        value = number(best["metrics"]["engagement"]["value"], 3)
        items.append(("Meilleur engagement", f"{best['platform_label']} ({value} %)"))
    items.append(("Dernière mesure", date_fr(last)))
    out = [f"## En bref {NOT_SEARCHED}", "",
           "<ul>" + "".join(f"<li><strong>{html_text(label)} :</strong> {html_text(text)}</li>"
                            for label, text in items) + "</ul>", ""]
    rows = []
    for account in accounts:
        followers = account["metrics"]["followers"]["value"]
        rank = account["ranks"].get("followers") or {}
        peers = (f"{rank['peers']} / {rank['peers_of']}" if rank.get("peers") else "—")
        trend = account.get("trend", [])
        label = trend_text(trend)
        spark = sparkline(trend, label) if label else "—"
        typical = _typical_text(account, "followers", "", 0, category)
        engagement = account["metrics"]["engagement"]
        rate = value_text(engagement["value"], " %", 3, engagement.get("na_reason"), inline=True)
        typical_rate = _typical_text(account, "engagement", " %", 3, category)
        count = html_text(number(followers, 0)) if followers is not None else "n/a"
        # Each value with, under it, what is typical: two sentence columns beside the values made
        # seven columns, whose sentences wrapped over five or six lines even on a desktop.
        rows.append(f"<tr><th scope=\"row\">{html_text(account['platform_label'])}</th>"
                    f"<td class=\"obs-measure\"><span class=\"obs-value\">{count}</span>"
                    f"<small class=\"obs-typical\">{html_text(typical)}</small></td>"
                    f"<td>{spark}</td><td>{html_text(peers)}</td>"
                    f"<td class=\"obs-measure\"><span class=\"obs-value\">{rate}</span>"
                    f"<small class=\"obs-typical\">{html_text(typical_rate)}</small></td></tr>")
    head = "".join(f'<th scope="col">{h}</th>' for h in
                   ("Réseau", "Abonnés (et valeurs habituelles)", "Tendance", "Rang (catégorie)",
                    f"Engagement ({ENGAGEMENT_DAYS} jours)"))
    caption = f"Abonnés et engagement par réseau au {date_fr(summary['as_of'])}"
    out += [f'<div class="obs-scroll" tabindex="0" role="region" aria-label="{html_text(caption)}">'
            f'<table class="obs-board obs-summary-table"><caption>{html_text(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>", ""]
    return out
