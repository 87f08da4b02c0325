"""The home page: key figures, coverage, freshness, top movers and entries to the site."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from observatory.registry.load import Registry
from observatory.registry.vocab import CATEGORIES, PLATFORMS
from observatory.textfmt import date_fr, md, number, plural

CHU_CHR_REFERENCE = 33  # ../shared/reference/chu-chr.csv: the 32 CHU/CHR and the CHU de Guyane (2025)


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
        "last_collection": None, "days_since": None, "movers": [],
        "finess": finess_coverage(registry, finess_file),
    }
    if not metrics.empty:
        last = pd.Timestamp(metrics["measured_on"].max()).date()
        data["last_collection"] = last.isoformat()
        data["days_since"] = (today - last).days
        movers = metrics[~metrics["is_benchmark"] & metrics["growth_30_pct"].notna()]
        movers = movers.sort_values("growth_30_pct", ascending=False).head(5)
        data["movers"] = [{
            "entity": r["entity"], "name": registry.entities[r["entity"]].short_name
            if r["entity"] in registry.entities else r["entity"],
            "platform": PLATFORMS.get(r["platform"], r["platform"]), "growth": float(r["growth_30_pct"]),
            "span": int(r["growth_30_span"]),
        } for _, r in movers.iterrows()]
    return data


def _freshness(data: dict[str, Any]) -> str:
    if data["last_collection"] is None:
        return ("**Collecte automatique : aucun relevé pour l'instant.** Les chiffres affichés sont "
                "ceux publiés par la presse et les classements, datés et sourcés.")
    days = data["days_since"]
    age = "aujourd'hui" if days == 0 else ("hier" if days == 1 else f"il y a {days} jours")
    warning = " — **ces données ne sont plus à jour**" if days > 3 else ""
    return f"**Dernière collecte : {date_fr(data['last_collection'])}** ({age}){warning}."


def home_markdown(data: dict[str, Any], adoption_chart: str | None = None) -> str:
    lines = ["---", "title: Accueil", "---", "",
             "# Observatoire des réseaux sociaux des établissements de santé", "",
             "Comment les hôpitaux, cliniques et centres de lutte contre le cancer français utilisent-ils "
             "les réseaux sociaux ? L'observatoire recense leurs comptes avec leurs sources, archive les "
             "chiffres publiés à leur sujet et relève chaque jour leur audience et l'engagement qu'ils "
             "suscitent, avec des définitions ouvertes et des données téléchargeables.", "",
             _freshness(data), "", "## Chiffres clés", "",
             "| Indicateur | Nombre |", "|---|---|",
             f"| Établissements suivis | {number(data['establishments'])} |",
             f"| Comptes de référence (hors classement) | {number(data['benchmarks'])} |",
             f"| Chiffres publiés archivés | {number(data['figures'])} |"]
    for platform, count in sorted(data["accounts_by_platform"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| Comptes {md(PLATFORMS[platform])} | {number(count)} |")
    lines += ["", "## Couverture", "",
              f"- **CHU/CHR : {data['chu_chr']} sur {CHU_CHR_REFERENCE}** de la liste de référence "
              "(les 32 CHU/CHR et le CHU de Guyane, créé en 2025)"
              + (" : la liste est complète" if data["chu_chr"] >= CHU_CHR_REFERENCE else "")
              + " ; les hôpitaux de ces CHU qui ont leurs propres comptes ont leur fiche, rattachée à "
              "leur CHU."]
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
    lines += ["", "Hors CHU/CHR, l'annuaire ne contient pour l'instant que les établissements cités par les "
              "articles et classements archivés : il n'est pas représentatif des quelque milliers "
              "d'établissements de santé français. Chacun peut en [ajouter](contribuer.md).", ""]
    if data["movers"]:
        lines += ["## Plus fortes progressions sur 30 jours", "",
                  "| Établissement | Réseau | Croissance des abonnés |", "|---|---|---|"]
        lines += [f"| [{md(m['name'])}](etablissements/{m['entity']}.md) | {md(m['platform'])} | "
                  f"{number(m['growth'], 1)} % (sur {m['span']} jours) |" for m in data["movers"]]
        lines.append("")
    lines += ["## Les réseaux des établissements", ""]
    lines += ([adoption_chart, ""] if adoption_chart else [
        "Le graphique de l'adoption des réseaux (combien d'établissements sont présents sur chacun, "
        "mois après mois) apparaîtra quand la collecte aura couvert au moins deux mois.", ""])
    lines += ["## Explorer", "",
              "- [Annuaire des établissements](etablissements/index.md) : chaque établissement, ses "
              "comptes, ses mesures et les chiffres publiés à son sujet, avec leurs sources.",
              "- [Classements](classements/index.md) : par réseau, abonnés, croissance, engagement et "
              "indice composite ouvert ; filtres par catégorie, région et taille.",
              "- [Méthodologie](methodologie.md) : chaque formule, avec un [exemple calculé]"
              "(donnees/exemple.md).",
              "- [Données ouvertes](donnees/index.md) : tout télécharger en CSV et JSON.",
              "- [État de la collecte](donnees/collecte-etat.md) : la dernière collecte, réseau par "
              "réseau, et la date des derniers chiffres de chacun.",
              "- [Contribuer](contribuer.md) : ajouter ou corriger un établissement.", ""]
    return "\n".join(lines)
