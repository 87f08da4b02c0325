"""What the demo shows beyond the snapshots: fictitious published figures, a fictitious case
study and a fictitious collection report, so that every kind of page has something in it. Each
says that it is invented; they are written only into the demo's own folder."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date
from pathlib import Path

from observatory.registry.figures import COLUMNS
from observatory.registry.load import Entity, Registry
from observatory.registry.vocab import PLATFORMS, SECTORS
from observatory.registry.yamlio import dump_canonical
from observatory.store import snapshots
from observatory.store.report import report_path

STUDY_SLUG = "etude-fictive-demonstration"
PUBLISHER = "Éditeur fictif (démonstration)"
FIGURE_NOTE = "Chiffre fictif, généré pour la démonstration : ni ce chiffre ni sa source n'existent."
FIGURE_SOURCE = "Classement fictif des établissements sur les réseaux sociaux (démonstration)"


def _showcased(registry: Registry) -> tuple[str, list[Entity]]:
    """The network most establishments are on, and up to three of them (ids in order)."""
    establishments = sorted(registry.establishments, key=lambda e: e.id)
    counts = Counter(a.platform for e in establishments for a in e.accounts)
    if not counts:
        return "facebook", establishments[:3]
    platform = counts.most_common(1)[0][0]
    return platform, [e for e in establishments if any(a.platform == platform for a in e.accounts)][:3]


def _rounded(value: int) -> int:
    """Two significant digits, as a ranking rounds its figures."""
    return round(value, 1 - len(str(value))) if value >= 100 else value


def write_published_figures(data_dir: Path, registry: Registry) -> int:
    """data/published-figures.csv: a fictitious ranking published on the series' first day, so that
    its figures line up with the (fictitious) measurements that follow."""
    platform, chosen = _showcased(registry)
    accounts = snapshots.load_accounts(data_dir, [platform])
    accounts = accounts[accounts["entity"].isin({e.id for e in registry.establishments})]
    rows = []
    if not accounts.empty:
        first = accounts[accounts["date"] == accounts["date"].min()].dropna(subset=["followers"])
        first = first.sort_values("followers", ascending=False).drop_duplicates("entity")
        ranks = {entity: rank for rank, entity in enumerate(first["entity"], start=1)}
        followers = dict(zip(first["entity"], first["followers"], strict=True))
        day = accounts["date"].min().date().isoformat()
        for entity in (e for e in chosen if e.id in ranks):
            common = {"entity": entity.id, "platform": platform, "figure_date": day,
                      "source_title": FIGURE_SOURCE, "source_publisher": PUBLISHER, "source_url": "",
                      "published_on": day, "note": FIGURE_NOTE}
            value, rank = _rounded(int(followers[entity.id])), ranks[entity.id]
            rows.append({**common, "metric": "followers", "value": str(value), "value_qualifier": "about",
                         "quote": f"{entity.short_name} compte environ {value} abonnés (citation fictive)"})
            rows.append({**common, "metric": "rank_followers", "value": str(rank), "value_qualifier": "exact",
                         "quote": f"{entity.short_name} est {'1er' if rank == 1 else f'{rank}e'} du "
                                  "classement (citation fictive)"})
    path = data_dir / "published-figures.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def write_case_study(data_dir: Path, registry: Registry, today: date) -> Path:
    """data/etudes/<slug>.md: a study of the demo's own (fictitious) establishments, built from the
    same directives as a real one."""
    platform, chosen = _showcased(registry)
    first = chosen[0]
    # The (fictitious) events are the demo's series: from its first month to this one.
    days = snapshots.load_accounts(data_dir, [platform])["date"]
    start = days.min().strftime("%Y-%m") if len(days) else today.strftime("%Y-%m")
    end = today.strftime("%Y-%m")
    front = {
        "title": f"Étude de cas fictive : {first.short_name} sur les réseaux sociaux",
        "date": today.isoformat(),
        "events_date": end if start == end else f"{start}/{end}",
        "summary": "Une étude entièrement fictive, générée pour la démonstration : elle montre la forme "
                   "d'une étude de cas sans décrire aucun établissement réel.",
        "establishments": [e.id for e in chosen],
        "networks": [platform],
        "themes": ["mesure-audience"],
        "sector": first.category if first.category in SECTORS else "ch",
        "sources": [{"title": "Source fictive (démonstration)", "publisher": PUBLISHER,
                     "note": "Aucune source réelle : cette étude est générée avec les données fictives de "
                             "la démonstration."}],
    }
    body = [
        "## Une étude de démonstration", "",
        "Cette étude est **fictive** : elle a été générée avec les données de la démonstration pour montrer "
        "la forme d'une étude de cas. Une vraie étude raconte, à partir d'articles publiés qu'elle cite, "
        "comment un établissement utilise un réseau social et pourquoi ; les tableaux ci-dessous viennent "
        "des mêmes directives, appliquées aux relevés et aux chiffres publiés fictifs de la démonstration.",
        "", "## L'audience mois après mois", "",
        f"{{{{ abonnes {first.id} {platform} }}}}", "",
        f"Dernière mesure de l'engagement : {{{{ mesure {first.id} {platform} engagement }}}}.", "",
    ]
    if len(chosen) > 1:
        body += ["## Face à d'autres établissements", "",
                 f"{{{{ classement {platform} followers {' '.join(e.id for e in chosen)} }}}}", ""]
    body += ["## Les chiffres publiés à son sujet", "", f"{{{{ chiffres {first.id} }}}}", ""]
    path = data_dir / "etudes" / f"{STUDY_SLUG}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + dump_canonical(front) + "---\n\n" + "\n".join(body), encoding="utf-8")
    return path


def write_last_run(data_dir: Path, registry: Registry, today: date) -> Path:
    """data/snapshots/last-run.json: a fictitious report of today's collection, so that the status
    page shows what a run looks like: each network collected, one account failing on the most used
    one, and X (whose API needs a paid key) left out for want of its key."""
    counts = Counter(a.platform for e in registry.establishments for a in e.accounts)
    platforms = {}
    for rank, (platform, targets) in enumerate(counts.most_common()):
        entry: dict = {"platform": platform, "label": PLATFORMS.get(platform, platform), "status": "ok",
                       "targets": targets, "collected": targets, "failures": []}
        if platform == "twitter":
            entry.update(status="ignoré", collected=0, reason="clé d'accès absente (démonstration)")
        elif rank == 0:
            failing = next(a for e in registry.establishments for a in e.accounts if a.platform == platform)
            entry.update(status="partiel", collected=targets - 1, failures=[{
                "entity": failing.entity_id, "handle": failing.handle, "stage": "profil",
                "reason": "compte introuvable (échec fictif de la démonstration)"}])
        platforms[platform] = entry
    report = {"date": today.isoformat(), "started_at": f"{today.isoformat()}T05:00:00+00:00",
              "finished_at": f"{today.isoformat()}T05:12:00+00:00", "dry_run": False, "filters": {},
              "platforms": platforms, "error": None, "demo": "rapport fictif, généré pour la démonstration"}
    path = report_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
