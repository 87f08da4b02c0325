"""The collection status page (« État de la collecte »): the last run per network, read from the
report the collection commits (data/snapshots/last-run.json), and how fresh each network's
figures are in the store; and the footer's « Données mises à jour le … » sentence.

Nothing here is invented: without a report the page says no collection has run, without a
measure a network says it has none."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd

from observatory.registry.load import Registry
from observatory.registry.vocab import PLATFORMS
from observatory.store import report as report_file
from observatory.textfmt import date_fr, md, number, plural

# Written by observatory/collect/run.py (the site does not import the collection stage).
REPORT_NAME = report_file.REPORT_NAME
PAGE = "donnees/collecte-etat.md"
FOLLOWED = ("active", "dormant")  # the statuses the collection follows
STALE_DAYS = 3  # beyond, a network's figures are said to be out of date

# The run's status of a network, in words a reader understands.
OUTCOMES = {
    "ok": "relevé",
    "partiel": "relevé en partie",
    "échec": "échec",
    "ignoré": "non relevé : clé d'accès absente",
    "manuel": "relevé à la main",
}
STAGES = {"profil": "profil", "publications": "publications", "écriture": "enregistrement",
          "collecte": "collecte"}


def freshness(accounts: pd.DataFrame, registry: Registry) -> dict[str, dict[str, Any]]:
    """Per network (registry order of PLATFORMS): accounts followed, the latest day measured and
    how many accounts that day has. Networks with neither a followed account nor a measure are
    left out."""
    followed: dict[str, int] = {}
    for account in registry.accounts():
        if account.status in FOLLOWED:
            followed[account.platform] = followed.get(account.platform, 0) + 1
    latest: dict[str, tuple[str, int]] = {}
    if not accounts.empty:  # vectorised: millions of rows at national scale
        days = pd.to_datetime(accounts["date"], errors="coerce")
        frame = pd.DataFrame({"platform": accounts["platform"].astype("category"), "day": days}).dropna()
        last = frame.groupby("platform", observed=True)["day"].max()
        on_last = frame["day"].eq(frame["platform"].map(last).astype(frame["day"].dtype))
        counts = on_last.groupby(frame["platform"], observed=True).sum()
        latest = {str(platform): (day.date().isoformat(), int(counts[platform]))
                  for platform, day in last.items()}
    out = {}
    for platform in PLATFORMS:
        if platform not in followed and platform not in latest:
            continue
        day, count = latest.get(platform, (None, 0))
        out[platform] = {"followed": followed.get(platform, 0), "latest": day, "measured": count}
    return out


def last_update(fresh: dict[str, dict[str, Any]]) -> str | None:
    """The latest day any network was measured (ISO), or None."""
    days = [f["latest"] for f in fresh.values() if f["latest"]]
    return max(days) if days else None


def footer_sentence(fresh: dict[str, dict[str, Any]]) -> str:
    """The sentence every page's footer shows."""
    day = last_update(fresh)
    if day is None:
        return "Données : aucune collecte automatique pour l’instant (chiffres publiés archivés)"
    return f"Données mises à jour le {date_fr(day)}"


def with_footer_date(markdown: str, sentence: str) -> str:
    """The home page with `data_updated` in its front matter: the footer of every page reads it
    there (overrides/partials/copyright.html)."""
    value = json.dumps(sentence, ensure_ascii=False)
    if markdown.startswith("---\n"):
        return f"---\ndata_updated: {value}\n" + markdown[4:]
    return f"---\ndata_updated: {value}\n---\n\n" + markdown


def _age(day: str, today: dt.date) -> str:
    days = (today - dt.date.fromisoformat(day)).days
    if days <= 0:
        return "aujourd'hui"
    if days == 1:
        return "hier"
    stale = " — ces chiffres ne sont plus à jour" if days > STALE_DAYS else ""
    return f"il y a {plural(days, 'jour')}{stale}"


def _failures_text(failures: list[dict[str, str]]) -> str:
    """« 2 comptes en échec (profil : compte introuvable) », causes grouped, at most three."""
    accounts = {(f.get("entity"), f.get("handle")) for f in failures}
    causes: dict[tuple[str, str], int] = {}
    for failure in failures:
        key = (STAGES.get(failure.get("stage", ""), failure.get("stage", "")), failure.get("reason", ""))
        causes[key] = causes.get(key, 0) + 1
    shown = [f"{stage} : {reason}" for (stage, reason), _ in
             sorted(causes.items(), key=lambda kv: -kv[1])[:3]]
    more = f" ; et {plural(len(causes) - 3, 'autre cause')}" if len(causes) > 3 else ""
    return f"{plural(len(accounts), 'compte en échec', 'comptes en échec')} ({' ; '.join(shown)}{more})"


def _remark(entry: dict[str, Any]) -> str:
    status = entry.get("status")
    if status == "ignoré":
        return ("la clé d'accès à l'API de ce réseau n'était pas configurée : ses chiffres n'ont pas "
                "été relevés automatiquement")
    if status == "manuel":
        return "ce réseau n'offre pas d'accès utilisable : ses chiffres sont relevés et importés à la main"
    parts = []
    if entry.get("outage"):
        parts.append("panne probable : " + str(entry.get("reason") or ""))
    if entry.get("failures"):
        parts.append(_failures_text(entry["failures"]))
    if entry.get("handle_changes"):
        parts.append(plural(len(entry["handle_changes"]), "changement de nom", "changements de nom"))
    return " ; ".join(parts) or "—"


def _run_section(report: dict[str, Any] | None) -> list[str]:
    lines = ["## Dernière collecte automatique", ""]
    if report is None:
        return lines + ["Aucune collecte automatique n'a encore eu lieu : les chiffres affichés sont "
                        "ceux publiés par la presse et les classements, datés et sourcés, et ceux "
                        "importés à la main.", ""]
    when = f"La dernière collecte a eu lieu le **{date_fr(report['date'])}**"
    started, finished = str(report.get("started_at") or ""), str(report.get("finished_at") or "")
    if started[11:16] and finished[11:16]:
        when += f", de {started[11:16]} à {finished[11:16]} (heure UTC)"
    lines += [when + ".", ""]
    filters = report.get("filters") or {}
    if any(filters.values()):
        lines += ["Cette collecte était limitée à une partie des comptes ("
                  + " ; ".join(f"{md(k)} : {md(', '.join(v))}" for k, v in filters.items() if v)
                  + ") : les autres gardent les chiffres de collectes précédentes.", ""]
    if report.get("error"):
        lines += [f"**La collecte n'a pas pu se faire :** {md(report['error'])}", ""]
    platforms = report.get("platforms") or {}
    if not platforms:
        return lines + ["Aucun réseau n'a été relevé lors de cette collecte.", ""]
    lines += ["| Réseau | Résultat | Comptes relevés | Comptes en échec | Remarques |",
              "|---|---|---|---|---|"]
    for code, entry in platforms.items():
        label = md(PLATFORMS.get(code, entry.get("label") or code))
        outcome = OUTCOMES.get(entry.get("status", ""), md(entry.get("status", "")))
        targets = int(entry.get("targets") or 0)
        collected = "—" if entry.get("status") in ("ignoré", "manuel") else \
            f"{number(int(entry.get('collected') or 0))} sur {number(targets)}"
        failed = len({(f.get("entity"), f.get("handle")) for f in entry.get("failures") or []})
        lines.append(f"| {label} | {outcome} | {collected} | {number(failed)} | {md(_remark(entry))} |")
    return lines + [""]


def _freshness_section(fresh: dict[str, dict[str, Any]], today: dt.date) -> list[str]:
    lines = ["## Fraîcheur des chiffres par réseau", "",
             "Le dernier jour pour lequel l'observatoire a des mesures de chaque réseau, qu'elles "
             "viennent de la collecte automatique ou d'un import à la main.", ""]
    if not fresh:
        return lines + ["Aucun compte n'est suivi pour l'instant.", ""]
    lines += ["| Réseau | Comptes suivis | Dernière mesure | Ancienneté | Comptes mesurés ce jour-là |",
              "|---|---|---|---|---|"]
    for platform, f in fresh.items():
        if f["latest"] is None:
            lines.append(f"| {md(PLATFORMS[platform])} | {number(f['followed'])} | aucune mesure | — | — |")
            continue
        lines.append(f"| {md(PLATFORMS[platform])} | {number(f['followed'])} | {date_fr(f['latest'])} | "
                     f"{_age(f['latest'], today)} | {number(f['measured'])} |")
    return lines + [""]


def status_markdown(report: dict[str, Any] | None, fresh: dict[str, dict[str, Any]],
                    today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    day = last_update(fresh)
    intro = (f"Chiffres mis à jour pour la dernière fois le **{date_fr(day)}** ({_age(day, today)})."
             if day else "L'observatoire n'a encore aucune mesure relevée par la collecte ou importée.")
    lines = ["---", "title: État de la collecte",
             "description: La dernière collecte des chiffres par réseau et la fraîcheur des données.",
             "---", "", "# État de la collecte", "",
             "Chaque jour, la collecte relève les abonnés et les publications des comptes suivis, réseau "
             "par réseau ([comment](../collecte.md)). Cette page dit ce qu'a donné la dernière collecte et "
             "de quand datent les chiffres de chaque réseau.", "", intro, ""]
    return "\n".join(lines + _run_section(report) + _freshness_section(fresh, today))
