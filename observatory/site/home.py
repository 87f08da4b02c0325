"""The home page: key figures, the adoption chart, the map of France, the week's movements,
coverage, freshness and entries to the site."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from observatory.registry.load import Registry
from observatory.registry.vocab import CATEGORIES, PLATFORMS
from observatory.textfmt import date_fr, html_text, md, number, plural

CHU_CHR_REFERENCE = 33  # ../shared/reference/chu-chr.csv: the 32 CHU/CHR and the CHU de Guyane (2025)
STALE_DAYS = 3  # a last collection older than this: the figures are no longer up to date
WEEK = 7  # the week's movements: follower changes over 7 days (metrics' growth_7)
MOVERS = 5
MIN_BASE = 100  # relative movements only for accounts with this many followers a week before
HEADER = "| Établissement | Réseau | Compte | Variation | Abonnés | Sur |"


def finess_coverage(registry: Registry, path: Path | None) -> dict[str, Any] | None:
    """Per registry category: establishments with a FINESS number here, against the open
    establishments FINESS lists (data/finess-coverage.yml, written by « observatory finess »)."""
    if path is None or not path.exists():
        return None
    stored = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    counts = stored.get("counts") or {}
    held = Counter(e.category for e in registry.establishments if e.finess_et)
    rows = [(CATEGORIES[code], held.get(code, 0), int(counts[code]))
            for code in CATEGORIES if counts.get(code)]
    source = stored.get("source") or {}
    return {"rows": rows, "date": source.get("published_on"), "url": source.get("url")}


def home_data(registry: Registry, metrics: pd.DataFrame, figures: pd.DataFrame,
              today: dt.date | None = None, finess_file: Path | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    establishments = registry.establishments
    active = [a for e in establishments for a in e.accounts if a.status in {"active", "dormant"}]
    data: dict[str, Any] = {
        "establishments": len(establishments),
        "benchmarks": len(registry.benchmarks),
        "by_category": Counter(e.category for e in establishments),
        "accounts_by_platform": Counter(a.platform for a in active),
        "figures": len(figures),
        "chu_chr": sum(1 for e in establishments if e.category == "chu-chr" and not e.parent),
        "chu_chr_sites": sum(1 for e in establishments if e.category == "chu-chr" and e.parent),
        "last_collection": None, "days_since": None,
        "week": week_movements(registry, metrics),
        "finess": finess_coverage(registry, finess_file),
    }
    if not metrics.empty:
        last = pd.Timestamp(metrics["measured_on"].max()).date()
        data["last_collection"] = last.isoformat()
        data["days_since"] = (today - last).days
    return data


def _name(registry: Registry, entity: str) -> str:
    return registry.entities[entity].short_name if entity in registry.entities else entity


def week_movements(registry: Registry, metrics: pd.DataFrame) -> dict[str, Any]:
    """The largest follower changes over the last 7 days: by absolute change (gains and losses)
    and by relative change among accounts that had at least MIN_BASE followers. `reason` says
    why there is none (no collection yet, or fewer than 7 days collected)."""
    out: dict[str, Any] = {"absolute": [], "relative": [], "reason": None}
    if metrics.empty:
        out["reason"] = "aucun relevé automatique pour l'instant"
        return out
    rows = metrics[~metrics["is_benchmark"] & metrics["growth_7_abs"].notna()]
    if rows.empty:
        first = pd.Timestamp(metrics["first_seen"].min()).date()
        last = pd.Timestamp(metrics["measured_on"].max()).date()
        days = (last - first).days
        out["reason"] = (f"la collecte couvre {plural(days, 'jour')} (depuis le "
                         f"{date_fr(first.isoformat())}) : il en faut {WEEK} pour mesurer une semaine")
        return out

    def entry(r: pd.Series) -> dict[str, Any]:
        change, pct = float(r["growth_7_abs"]), r["growth_7_pct"]
        return {"entity": r["entity"], "name": _name(registry, r["entity"]),
                "platform": PLATFORMS.get(r["platform"], r["platform"]), "handle": r.get("handle"),
                "change": change, "pct": None if pd.isna(pct) else float(pct),
                "followers": int(r["followers"]), "span": int(r["growth_7_span"])}

    by_size = rows.assign(size=rows["growth_7_abs"].abs()).sort_values(["size", "entity"],
                                                                       ascending=[False, True])
    out["absolute"] = [entry(r) for _, r in by_size.head(MOVERS).iterrows()]
    base = rows["followers"].astype(float) - rows["growth_7_abs"].astype(float)
    relative = rows[(base >= MIN_BASE) & rows["growth_7_pct"].notna()]
    relative = relative.assign(size=relative["growth_7_pct"].abs()).sort_values(
        ["size", "entity"], ascending=[False, True])
    out["relative"] = [entry(r) for _, r in relative.head(MOVERS).iterrows()]
    return out


def key_figures(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The cards at the top of the home page: value, label, a note, and whether it warns."""
    count = data["establishments"]
    label = "établissements suivis" if count > 1 else "établissement suivi"
    cards = [{"value": number(count), "label": label,
              "note": "fiches de l'annuaire, sites rattachés compris", "warn": False},
             {"value": number(data["figures"]), "label": "chiffres publiés archivés",
              "note": "presse et classements, avec leurs sources", "warn": False}]
    for platform, count in sorted(data["accounts_by_platform"].items(),
                                  key=lambda kv: (-kv[1], list(PLATFORMS).index(kv[0])
                                                  if kv[0] in PLATFORMS else 99)):
        cards.append({"value": number(count), "label": f"{'compte' if count < 2 else 'comptes'} "
                      f"{PLATFORMS.get(platform, platform)}", "note": "actifs ou en sommeil", "warn": False})
    if data["last_collection"] is None:
        cards.append({"value": "n/a", "label": "dernière collecte",
                      "note": "aucun relevé automatique pour l'instant", "warn": True})
    else:
        days = data["days_since"]
        age = "aujourd'hui" if days == 0 else ("hier" if days == 1 else f"il y a {days} jours")
        stale = days > STALE_DAYS
        cards.append({"value": date_fr(data["last_collection"]), "label": "dernière collecte", "wide": True,
                      "note": f"{age} : " + ("données plus à jour" if stale else "à jour"), "warn": stale})
    return cards


def key_figures_html(cards: list[dict[str, Any]]) -> str:
    """The cards as a list (one line of raw HTML, so Markdown leaves it alone): each number is
    text with its label, read in order by screen readers."""
    def classes(card: dict[str, Any]) -> str:
        wide, warn = " obs-kpi-wide" if card.get("wide") else "", " obs-kpi-warn" if card["warn"] else ""
        return f"obs-kpi{wide}{warn}"

    items = "".join(
        f'<li class="{classes(c)}">'
        f'<span class="obs-kpi-value">{html_text(c["value"])}</span> '
        f'<span class="obs-kpi-label">{html_text(c["label"])}</span>'
        + (f' <span class="obs-kpi-note">{"⚠ " if c["warn"] else ""}{html_text(c["note"])}</span>'
           if c["note"] else "")
        + "</li>" for c in cards)
    return f'<ul class="obs-kpis" aria-label="Chiffres clés">{items}</ul>'


def _signed(value: float, decimals: int = 0) -> str:
    return ("+" if value > 0 else "") + number(value, decimals)


def movements_markdown(week: dict[str, Any]) -> list[str]:
    lines = ["## Les mouvements de la semaine", ""]
    if week["reason"]:
        return lines + [f"n/a : {week['reason']}.", ""]
    lines += [f"Les plus fortes variations du nombre d'abonnés sur {WEEK} jours, entre les deux derniers "
              "relevés distants d'une semaine.", "", "### En nombre d'abonnés", "",
              HEADER, "|---|---|---|---|---|---|"]

    def row(m: dict[str, Any]) -> str:
        pct = f"{_signed(m['pct'], 1)} %" if m["pct"] is not None else "n/a (0 abonné au départ)"
        handle = md(m["handle"]) if m["handle"] else "—"
        return (f"| [{md(m['name'])}](etablissements/{m['entity']}.md) | {md(m['platform'])} | {handle} | "
                f"{_signed(m['change'])} ({pct}) | {number(m['followers'])} | {plural(m['span'], 'jour')} |")

    lines += [row(m) for m in week["absolute"]]
    lines += ["", f"### En pourcentage (comptes d'au moins {number(MIN_BASE)} abonnés)", ""]
    if week["relative"]:
        lines += [HEADER, "|---|---|---|---|---|---|"]
        lines += [row(m) for m in week["relative"]]
    else:
        lines.append(f"n/a : aucun compte n'avait {number(MIN_BASE)} abonnés ou plus une semaine avant.")
    return lines + [""]


def _freshness(data: dict[str, Any]) -> str:
    if data["last_collection"] is None:
        return ("**Collecte automatique : aucun relevé pour l'instant.** Les chiffres affichés sont "
                "ceux publiés par la presse et les classements, datés et sourcés.")
    days = data["days_since"]
    age = "aujourd'hui" if days == 0 else ("hier" if days == 1 else f"il y a {days} jours")
    warning = " — **ces données ne sont plus à jour**" if days > STALE_DAYS else ""
    return f"**Dernière collecte : {date_fr(data['last_collection'])}** ({age}){warning}."


def coverage_markdown(data: dict[str, Any]) -> list[str]:
    """What the coverage figures count: the reference list of CHU/CHR (one per CHU, whose own
    hospitals are not counted) against the directory's files of that category (which are)."""
    sites = data.get("chu_chr_sites", 0)
    files = data["chu_chr"] + sites
    attached = plural(sites, "hôpital rattaché", "hôpitaux rattachés")
    lines = ["## Couverture", "",
             f"- **CHU/CHR : {data['chu_chr']} sur {CHU_CHR_REFERENCE}** de la liste de référence "
             "(les 32 CHU/CHR et le CHU de Guyane, créé en 2025 ; un CHU y compte une fois)"
             + (" : la liste est complète" if data["chu_chr"] >= CHU_CHR_REFERENCE else "") + "."
             + (f" L'annuaire compte {plural(files, 'fiche')} de catégorie CHU/CHR : ces "
                f"{number(data['chu_chr'])} CHU/CHR et {attached} à leur CHU, qui "
                f"{'ont leurs' if sites > 1 else 'a ses'} propres comptes." if sites else "")]
    for code, label in CATEGORIES.items():
        count = data["by_category"].get(code, 0)
        if code != "chu-chr" and count:
            lines.append(f"- {md(label)} : {plural(count, 'établissement')}")
    if data.get("finess"):
        finess = data["finess"]
        when = f" du {date_fr(finess['date'])}" if finess["date"] else ""
        lines += ["", f"Par rapport au [fichier officiel FINESS]({finess['url']}){when} "
                      "(hôpitaux et cliniques ouverts, [catégories retenues](finess.md)) :", ""]
        lines += [f"- {md(label)} : **{number(held)} établissements de santé sur {number(listed)}** "
                  "recensés par FINESS" for label, held, listed in finess["rows"]]
    return lines + ["", "Hors CHU/CHR, l'annuaire ne contient pour l'instant que les établissements cités "
                    "par les articles et classements archivés : il n'est pas représentatif des quelque "
                    "milliers d'établissements de santé français. Chacun peut en [ajouter](contribuer.md).",
                    ""]


def home_markdown(data: dict[str, Any], adoption_chart: str | None = None,
                  region_map: str | None = None) -> str:
    lines = ["---", "title: Accueil", "---", "",
             "# Observatoire des réseaux sociaux des établissements de santé", "",
             "Comment les hôpitaux, cliniques et centres de lutte contre le cancer français utilisent-ils "
             "les réseaux sociaux ? L'observatoire recense leurs comptes avec leurs sources, archive les "
             "chiffres publiés à leur sujet et relève chaque jour leur audience et l'engagement qu'ils "
             "suscitent, avec des définitions ouvertes et des données téléchargeables.", "",
             _freshness(data), "", "## Chiffres clés", "", key_figures_html(key_figures(data)), "",
             f"Comptes de référence (hors classement) : {number(data['benchmarks'])}.", ""]
    lines += ["## Les réseaux des établissements", ""]
    lines += ([adoption_chart, ""] if adoption_chart else [
        "Le graphique de l'adoption des réseaux (combien d'établissements sont présents sur chacun, "
        "mois après mois) apparaîtra quand la collecte aura couvert au moins deux mois.", ""])
    if region_map:
        lines += ["## Carte : la présence par région", "",
                  "Choisissez un réseau : chaque région prend la couleur de la part de ses établissements "
                  "suivis qui y ont un compte actif ou en sommeil. Les effectifs (présents / suivis) sont "
                  "écrits sur la carte : "
                  "dans une région d'un seul établissement, un compte suffit à faire 100 %.", "",
                  region_map, "",
                  "Contours des régions : IGN, Admin Express COG 2018, sous [Licence Ouverte]"
                  "(https://www.etalab.gouv.fr/licence-ouverte-open-licence), d'après "
                  "[france-geojson](https://github.com/gregoiredavid/france-geojson), simplifiés par "
                  "l'observatoire ; les régions d'outre-mer sont en encarts, hors échelle.", ""]
    if "week" in data:
        lines += movements_markdown(data["week"])
    lines += coverage_markdown(data)
    lines += ["## Explorer", "",
              "- [Annuaire des établissements](etablissements/index.md) : chaque établissement, ses "
              "comptes, ses mesures et les chiffres publiés à son sujet, avec leurs sources.",
              "- [Classements](classements/index.md) : par réseau, abonnés, croissance, engagement et "
              "indice composite ouvert ; filtres par catégorie, région et taille.",
              "- [Comparer](comparer.md) : deux à quatre établissements côte à côte, courbe par "
              "réseau ; l'adresse de la comparaison se partage.",
              "- [Méthodologie](methodologie.md) : chaque formule, avec un [exemple calculé]"
              "(donnees/exemple.md).",
              "- [Données ouvertes](donnees/index.md) : tout télécharger en CSV et JSON.",
              "- [État de la collecte](donnees/collecte-etat.md) : la dernière collecte, réseau par "
              "réseau, et la date des derniers chiffres de chacun.",
              "- [Contribuer](contribuer.md) : ajouter ou corriger un établissement.", ""]
    return "\n".join(lines)
