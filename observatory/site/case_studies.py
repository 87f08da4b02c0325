"""Case studies: how an establishment uses a network and why, told beside the observatory's numbers.

Format
------
A study is one Markdown file, `data/etudes/<slug>.md`, that opens with a YAML front matter:

    ---
    title: Le CHU d'Angers sur Twitter
    date: 2026-11-23                 # date of writing, YYYY-MM-DD
    summary: One sentence, shown in the indexes and to search engines.
    establishments: [chu-angers]     # registry ids (establishments or benchmark accounts)
    networks: [twitter, facebook]    # vocab.PLATFORMS codes
    themes: [organisation-moyens]    # vocab.THEMES codes
    sector: chu-chr                  # a vocab.SECTORS code, or a list of them
    sources:                         # the articles the study is written from
      - title: …
        publisher: …
        url: https://…
        published_on: 2016-11-24
        note: …
    ---

then prose in Markdown (sections start at `##`: the title comes from the front matter) and
directives, which the build step expands from the data:

    {{ abonnes ID RÉSEAU [RÉSEAU…] }}          follower history: published figures, then collected ones
    {{ mesure ID RÉSEAU MESURE }}              one latest metric with its date (may sit in a sentence)
    {{ classement RÉSEAU MESURE ID ID [ID…] }} mini leaderboard of the chosen establishments
    {{ chiffres ID [RÉSEAU [MESURE]] }}        published figures of the archive, with their sources

All but `mesure` stand alone on their line. An unknown id, network, metric, theme or sector, and
any malformed directive, is a problem `data/etudes/<slug>.md:LINE: message`; every problem of
every study is reported, then the build stops (CaseStudyError is a RegistryError, which
build_site prints like a registry problem before returning 1). With no collected snapshot, the
live directives say so in words ("pas encore de mesure collectée"), never 0.

Where the sources live, and why
-------------------------------
In data/etudes/, outside docs/. The build writes the expanded page to docs/etudes/<slug>.md
(gitignored, like every generated page), so the renderer only ever sees plain Markdown, and sees
each study once; nothing relies on `exclude_docs`, which MkDocs and Zensical would both have to
honour in the same way. The sources sit beside the registry whose ids they cite: `observatory
serve` regenerates the pages when anything in data/ changes, and a copy of data/ (as in the
tests) carries its studies with it.

Generated pages: docs/etudes/<slug>.md, docs/etudes/index.md, docs/etudes/themes.md,
docs/etudes/reseaux.md, docs/secteurs/index.md and docs/secteurs/<sector>.md (the sector's
audience leaderboard, its studies and its establishments).

The prose of a study is Markdown written and reviewed like the pages of docs/: it is kept as
written, except that active HTML (<script>, javascript:) is refused. Every value that comes
from the front matter or from the data goes through textfmt.md or textfmt.link."""

from __future__ import annotations

import difflib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from observatory import PROJECT_URL
from observatory.analysis.leaderboards import BOARD_METRICS
from observatory.registry.load import Entity, Registry, RegistryError
from observatory.registry.spec import SLUG_PATTERN
from observatory.registry.validate import Problem, valid_date
from observatory.registry.vocab import FIGURE_METRICS, FIGURE_PLATFORMS, PLATFORMS, REGIONS, SECTORS, THEMES
from observatory.registry.yamlio import Located, YamlSyntaxError, parse_located
from observatory.site import leaderboard_pages, page_data
from observatory.site.pages import source_text, write_if_changed
from observatory.store import snapshots
from observatory.textfmt import date_fr, link, md, number

SOURCES_DIR = "etudes"  # under data/
PAGES_DIR = "etudes"  # under docs/
SECTORS_DIR = "secteurs"  # under docs/
RESERVED_SLUGS = ("index", "themes", "reseaux")  # names of the index pages beside the studies
FIELDS = ("title", "date", "summary", "establishments", "networks", "themes", "sector", "sources")
SOURCE_FIELDS = ("title", "publisher", "url", "published_on", "note")
FULL_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SLUG = re.compile(SLUG_PATTERN)
DIRECTIVE = re.compile(r"\{\{(.*?)\}\}")
FENCE = re.compile(r"^\s*(```|~~~)")
ACTIVE_HTML = re.compile(r"<\s*(script|iframe|object|embed)\b|javascript:|\bon[a-z]+\s*=\s*[\"']", re.I)
METRICS = leaderboard_pages.METRIC_LABELS  # metrics of the live directives: code -> (label, unit, decimals)
USAGE = {
    "abonnes": "abonnes ID RÉSEAU [RÉSEAU…]",
    "mesure": "mesure ID RÉSEAU MESURE",
    "classement": "classement RÉSEAU MESURE ID ID [ID…]",
    "chiffres": "chiffres ID [RÉSEAU [MESURE]]",
}
ALIASES = {"abonnés": "abonnes"}
PROVENANCES = {"api": "relevé de l'observatoire", "manual": "relevé manuel",
               "published": "chiffre publié importé"}


class StudyProblem(Problem):
    """A located problem of a case study, shown as `page:line: message`."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class CaseStudyError(RegistryError):
    """Case studies that cannot be expanded; build_site reports it like a registry problem."""


@dataclass
class Study:
    slug: str
    display: str  # source path as shown in messages
    title: str = ""
    date: str = ""
    summary: str = ""
    establishments: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    body: list[tuple[int, str]] = field(default_factory=list)  # (line in the source, text)

    @property
    def path(self) -> str:
        """Path of the generated page, relative to docs/."""
        return f"{PAGES_DIR}/{self.slug}.md"


Report = Callable[[int, str], None]


# ---------------------------------------------------------------------------------------------
# Reading and checking the sources


def _suggest(token: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(token, choices, n=1)
    return f" (vouliez-vous dire « {close[0]} » ?)" if close else ""


def _codes(value: Any) -> list[Any]:
    """A front-matter value that may be one code or a list of codes."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _front_matter(study: Study, doc: Located, registry: Registry, error: Report) -> None:
    """Fill `study` from its front matter; every line is that of the source file."""
    data = doc.data

    def at(*path: str | int) -> int:
        return doc.line(path) + 1  # the front matter starts on line 2 of the file

    if not isinstance(data, dict):
        error(2, "l'en-tête doit être une suite de champs « nom: valeur » ; champs attendus : "
                 + ", ".join(FIELDS))
        return
    for key in data:
        if key not in FIELDS:
            error(at(key), f"champ inconnu « {key} »{_suggest(key, list(FIELDS))} ; champs permis : "
                           + ", ".join(FIELDS))
    for key in FIELDS:
        if data.get(key) in (None, "", []):
            error(at(key) if key in data else 1, f"champ obligatoire manquant ou vide : {key}")
    for key in ("title", "summary"):
        value = data.get(key)
        if value not in (None, "") and not isinstance(value, str):
            error(at(key), f"{key} : un texte est attendu")
        elif isinstance(value, str):
            setattr(study, key, " ".join(value.split()))
    date = str(data.get("date") or "")
    if date and not (FULL_DATE.match(date) and valid_date(date)):
        error(at("date"), f"date « {date} » : date complète attendue, AAAA-MM-JJ")
    elif date:
        study.date = date

    checks: list[tuple[str, dict[str, Any], str, str]] = [
        ("establishments", dict(registry.entities), "établissement inconnu",
         "aucun identifiant du registre (data/establishments, data/benchmarks) ne correspond"),
        ("networks", PLATFORMS, "réseau inconnu", "réseaux permis : " + ", ".join(PLATFORMS)),
        ("themes", THEMES, "thème inconnu", "thèmes permis : " + ", ".join(THEMES)),
        ("sector", SECTORS, "secteur inconnu", "secteurs permis : " + ", ".join(SECTORS)),
    ]
    for key, allowed, what, hint in checks:
        value = data.get(key)
        kept: list[str] = []
        for i, item in enumerate(_codes(value)):
            line = at(key, i) if isinstance(value, list) else at(key)
            if not isinstance(item, str) or item not in allowed:
                error(line, f"{key} : {what} « {item} »{_suggest(str(item), list(allowed))} ; {hint}")
            elif item not in kept:
                kept.append(item)
        setattr(study, "sectors" if key == "sector" else key, kept)
    _sources(study, data.get("sources"), at, error)


def _sources(study: Study, value: Any, at: Callable[..., int], error: Report) -> None:
    if value in (None, "", []):
        return
    if not isinstance(value, list):
        error(at("sources"), "sources : une liste est attendue (chaque élément commence par « - title: »)")
        return
    for i, source in enumerate(value):
        if not isinstance(source, dict):
            error(at("sources", i), "sources : chaque source est un ensemble de champs (title, publisher, "
                                    "url, published_on, note)")
            continue
        for key in source:
            if key not in SOURCE_FIELDS:
                error(at("sources", i, key), f"sources : champ inconnu « {key} » ; champs permis : "
                                             + ", ".join(SOURCE_FIELDS))
        if not isinstance(source.get("title"), str) or not source["title"].strip():
            error(at("sources", i), "sources : le titre (title) de la source est obligatoire")
        url = str(source.get("url") or "")
        if url and not re.match(r"^https?://\S+\.\S+$", url):
            error(at("sources", i, "url"), f"sources : adresse « {url} » invalide (http:// ou https://)")
        published = str(source.get("published_on") or "")
        if published and not valid_date(published):
            error(at("sources", i, "published_on"),
                  f"sources : date « {published} » : AAAA, AAAA-MM ou AAAA-MM-JJ attendu")
        study.sources.append({k: str(source[k]) for k in SOURCE_FIELDS if source.get(k) not in (None, "")})


def _check_body(study: Study, error: Report) -> None:
    fenced = False
    for line_no, line in study.body:
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        if re.match(r"^#(\s|$)", line):
            error(line_no, "titre de niveau 1 : le titre de la page vient du champ title de l'en-tête ; "
                           "commencer les sections par « ## »")
        if ACTIVE_HTML.search(line):
            error(line_no, "HTML actif refusé (script, iframe, javascript:, attribut on…=) : écrire en "
                           "Markdown")


def read_study(path: Path, root: Path, registry: Registry) -> tuple[Study, list[Problem]]:
    """One study source, read and checked (directives are checked when expanded)."""
    display = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    problems: list[Problem] = []

    def error(line: int, message: str) -> None:
        problems.append(StudyProblem(display, line, "étude de cas", message))

    study = Study(slug=path.stem, display=display)
    if not SLUG.match(path.stem) or path.stem in RESERVED_SLUGS:
        error(1, f"nom de fichier « {path.name} » : minuscules sans accent, chiffres et tirets, terminé "
                 f"par .md ; noms réservés : {', '.join(RESERVED_SLUGS)}")
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != "---":
        error(1, "l'étude doit commencer par un en-tête YAML, entre deux lignes « --- »")
        return study, problems
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        error(1, "en-tête YAML non fermé : ajouter une ligne « --- » après le dernier champ")
        return study, problems
    try:
        doc = parse_located("\n".join(lines[1:end]))
    except YamlSyntaxError as problem:
        error(problem.line + 1, problem.message)
        return study, problems
    _front_matter(study, doc, registry, error)
    study.body = [(i + 1, lines[i]) for i in range(end + 1, len(lines))]
    _check_body(study, error)
    return study, problems


def load_studies(root: Path, registry: Registry) -> tuple[list[Study], list[Problem]]:
    folder = root / "data" / SOURCES_DIR
    studies, problems = [], []
    for path in sorted(folder.glob("*.md")) if folder.exists() else []:
        study, found = read_study(path, root, registry)
        studies.append(study)
        problems += found
    return studies, problems


# ---------------------------------------------------------------------------------------------
# Directives


@dataclass
class Context:
    """What the directives read: registry, archive, latest metrics and (lazily) the snapshots."""

    root: Path
    registry: Registry
    figures: pd.DataFrame
    summaries: dict[str, dict[str, Any]]
    # Chart blocks (raw HTML) per (platform, account id), for pages at <folder>/<slug>/.
    charts: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _history: dict[str, pd.DataFrame] = field(default_factory=dict)

    def history(self, platform: str) -> pd.DataFrame:
        """A platform's snapshots, read on first use: only the networks a study cites are read
        (the whole store is about 1 GB at national scale)."""
        if platform not in self._history:
            self._history[platform] = snapshots.load_accounts(self.root / "data", platforms=[platform])
        return self._history[platform]


def _entity_link(entity: Entity, prefix: str = "../") -> str:
    return f"[{md(entity.name)}]({prefix}{page_data.page_path(entity)})"


def _latest_account(ctx: Context, entity_id: str, platform: str) -> dict[str, Any] | None:
    """The entity's measured account on a platform (its largest, when it has several)."""
    summary = ctx.summaries.get(entity_id)
    accounts = [a for a in (summary or {}).get("accounts", []) if a["platform"] == platform]
    if not accounts:
        return None
    return max(accounts, key=lambda a: a["metrics"]["followers"]["value"] or -1)


def _registered(entity: Entity, platform: str) -> bool:
    return any(a.platform == platform for a in entity.accounts)


def _no_account(entity: Entity, platform: str) -> str:
    return (f"aucun compte {md(PLATFORMS[platform])} de {md(entity.short_name)} n'est enregistré dans "
            "l'annuaire")


def _mesure(ctx: Context, entity: Entity, platform: str, metric: str) -> str:
    label, unit, decimals = METRICS[metric]
    where = f"{md(label.lower())} sur {md(PLATFORMS[platform])}"
    account = _latest_account(ctx, entity.id, platform)
    if account is None:
        if not _registered(entity, platform):
            return f"*{_no_account(entity, platform)} : pas de mesure* ({where})"
        return f"*pas encore de mesure collectée* ({where})"
    cell = account["metrics"][metric]
    when = f"{md(account['handle'])}, mesure du {md(date_fr(account['measured_on']))}"
    if cell["value"] is None:
        return f"n/a, {md(cell['na_reason'] or 'non calculable')} ({where}, {when})"
    return f"**{md(number(cell['value'], decimals) + unit)}** ({where}, {when})"


def _monthly(history: pd.DataFrame) -> pd.DataFrame:
    """The last measurement of each account in each month."""
    frame = history.dropna(subset=["followers"]).sort_values(["date", "collected_at"])
    month = frame["date"].dt.strftime("%Y-%m")
    return frame.groupby([frame["account_id"], month], sort=False).tail(1).sort_values("date")


def _origin(row: pd.Series) -> str:
    kind = PROVENANCES.get(str(row["provenance"]), str(row["provenance"]))
    if row["provenance"] == "api":
        return f"{md(kind)} ({md(row['handle'])})"
    title = row["source_title"] if pd.notna(row["source_title"]) else ""
    url = row["source_url"] if pd.notna(row["source_url"]) else None
    return f"{md(kind)} : {link(title, url)}" if title else md(kind)


def _abonnes(ctx: Context, entity: Entity, platforms: list[str]) -> list[str]:
    rows: list[tuple[tuple[int, str, str], list[str]]] = []
    notes: list[str] = []
    charts: list[str] = []  # the follower charts of the collected accounts, when charts.py drew them
    measured = False
    for platform in platforms:
        label = md(PLATFORMS[platform])
        figures = ctx.figures[(ctx.figures["entity"] == entity.id) & (ctx.figures["platform"] == platform)
                              & (ctx.figures["metric"] == "followers")]
        for _, figure in figures.iterrows():
            day = figure["figure_date"]
            published = figure["published_on"]
            source = source_text({"title": figure["source_title"], "url": figure["source_url"] or None,
                                  "publisher": figure["source_publisher"],
                                  "date": date_fr(published) if published else None})
            rows.append(((0 if day else 1, day, platform),
                         [label, md(date_fr(day)) if day else "non datée", md(page_data.figure_value(figure)),
                          f"chiffre publié : {source}"]))
        history = ctx.history(platform)
        history = history[history["entity"] == entity.id]
        for account_id in dict.fromkeys(history["account_id"].astype(str)):
            charts += [block for block in ctx.charts.get((platform, account_id), [])
                       if 'data-kind="followers"' in block]
        for _, row in _monthly(history).iterrows():
            day = row["date"].date().isoformat()
            measured = True
            rows.append(((0, day, platform), [label, md(date_fr(day)), md(number(int(row["followers"]))),
                                              _origin(row)]))
        if not _registered(entity, platform):
            sentence = _no_account(entity, platform)
            notes.append(f"{sentence[0].upper()}{sentence[1:]} : l'observatoire ne le suit pas encore.")
        elif history.empty:
            handles = ", ".join(md(a.handle) for a in entity.accounts if a.platform == platform)
            notes.append(f"Pas encore de mesure collectée pour le compte {label} ({handles}) : la série "
                         "s'allongera à chaque collecte.")
    title = f"**Abonnés — {md(entity.name)}, {', '.join(md(PLATFORMS[p]) for p in platforms)}**"
    out = [title, ""]
    for block in charts:
        out += [block, ""]
    if rows:
        several = len(platforms) > 1
        head = (["Réseau"] if several else []) + ["Date", "Abonnés", "Origine"]
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for _key, cells in sorted(rows, key=lambda r: r[0]):
            out.append("| " + " | ".join(cells if several else cells[1:]) + " |")
        out.append("")
    else:
        out += ["Aucun chiffre d'abonnés n'a été publié ni relevé pour ce compte.", ""]
    if measured:
        notes.append("Relevés de l'observatoire : le dernier de chaque mois ; tous les relevés sont dans "
                     "les [données ouvertes](../donnees/index.md).")
    return out + [f"*{note}*" for note in notes] + [""]


def _classement(ctx: Context, platform: str, metric: str, entities: list[Entity]) -> list[str]:
    label, unit, decimals = METRICS[metric]
    rows = []
    for entity in entities:
        account = _latest_account(ctx, entity.id, platform)
        cell = account["metrics"][metric] if account else None
        if cell and cell["value"] is not None:
            text = md(number(cell["value"], decimals) + unit)
        elif cell:
            text = f"n/a ({md(cell['na_reason'] or 'non calculable')})"
        elif _registered(entity, platform):
            text = "pas encore de mesure collectée"
        else:
            text = "aucun compte enregistré"
        overall = "—"
        if account and metric in BOARD_METRICS and account["ranks"][metric]["overall"]:
            rank = account["ranks"][metric]
            overall = f"{rank['overall']} / {rank['overall_of']}"
        rows.append({"entity": entity, "value": cell["value"] if cell else None, "text": text,
                     "handle": md(account["handle"]) if account else "—", "overall": overall,
                     "date": md(date_fr(account["measured_on"])) if account else "—"})
    values = pd.Series([r["value"] for r in rows], dtype="Float64")
    ranks = values.rank(method="min", ascending=False)
    for row, rank in zip(rows, ranks, strict=True):
        row["rank"] = None if pd.isna(rank) else int(rank)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["entity"].name.casefold()))
    network = md(PLATFORMS[platform])
    out = [f"**{md(label)} sur {network} : classement de ces {len(rows)} établissements**", "",
           f"| Rang | Établissement | Compte | {md(label)} | Rang sur {network} | Mesure du |",
           "|---|---|---|---|---|---|"]
    for row in rows:
        out.append(f"| {row['rank'] or '—'} | {_entity_link(row['entity'])} | {row['handle']} | "
                   f"{row['text']} | {row['overall']} | {row['date']} |")
    out.append("")
    if all(r["value"] is None for r in rows):
        out += ["*Pas encore de mesure collectée pour ces comptes : ce classement se remplira à la "
                "première collecte.*", ""]
    return out


def _chiffres(ctx: Context, entity: Entity, platform: str | None, metric: str | None) -> list[str]:
    figures = ctx.figures[ctx.figures["entity"] == entity.id]
    scope = ""
    if platform:
        figures = figures[figures["platform"] == platform]
        scope += f" sur {md(FIGURE_PLATFORMS[platform])}"
    if metric:
        figures = figures[figures["metric"] == metric]
        scope += f" ({md(FIGURE_METRICS[metric])})"
    rows = page_data.figures_data(figures)
    if not rows:
        return [f"*Aucun chiffre publié n'est archivé pour « {md(entity.name)} »{scope}.*", ""]
    out = [f"**Chiffres publiés — {md(entity.name)}{scope}**, tels que leurs sources les ont donnés "
           "(la date est celle à laquelle le chiffre se rapporte) :", "",
           "| Réseau | Mesure | Valeur | Date du chiffre | Source | Citation |", "|---|---|---|---|---|---|"]
    for row in rows:
        source = source_text({"title": row["source_title"], "url": row["source_url"],
                              "publisher": row["source_publisher"], "date": row["published_on"]})
        quote = f"« {md(row['quote'])} »" + (f" <br>*{md(row['note'])}*" if row["note"] else "")
        out.append(f"| {md(row['platform'])} | {md(row['metric'])} | {md(row['value'])} | "
                   f"{md(row['figure_date'])} | {source} | {quote} |")
    return out + [""]


def _directive(words: list[str], alone: bool, ctx: Context, line: int, error: Report) -> str | list[str]:
    """The expansion of one directive: inline text or block lines ('' after a reported problem)."""
    name = ALIASES.get(words[0], words[0]) if words else ""
    if name not in USAGE:
        error(line, f"directive inconnue « {name} »{_suggest(name, list(USAGE))} ; directives permises : "
                    + ", ".join(USAGE))
        return ""
    args = words[1:]
    count_ok = {"abonnes": len(args) >= 2, "mesure": len(args) == 3, "classement": len(args) >= 4,
                "chiffres": 1 <= len(args) <= 3}[name]
    if not count_ok:
        error(line, f"directive « {name} » : arguments attendus : {USAGE[name]}")
        return ""
    if name != "mesure" and not alone:
        error(line, f"directive « {name} » : elle produit un tableau et doit être seule sur sa ligne")
        return ""
    issues: list[str] = []

    def fail(message: str) -> None:
        issues.append(message)
        error(line, f"directive « {name} » : {message}")

    def entity(token: str) -> Entity | None:
        if token in ctx.registry.entities:
            return ctx.registry.entities[token]
        fail(f"établissement inconnu « {token} »{_suggest(token, list(ctx.registry.entities))} : aucun "
             "identifiant du registre ne correspond")
        return None

    def network(token: str, allowed: dict[str, str]) -> str:
        if token not in allowed:
            fail(f"réseau inconnu « {token} »{_suggest(token, list(allowed))} ; réseaux permis : "
                 + ", ".join(allowed))
        return token

    def measure(token: str, allowed: dict[str, Any]) -> str:
        if token not in allowed:
            fail(f"mesure inconnue « {token} »{_suggest(token, list(allowed))} ; mesures permises : "
                 + ", ".join(allowed))
        return token

    if name == "classement":
        platform, metric = network(args[0], PLATFORMS), measure(args[1], METRICS)
        chosen = [entity(t) for t in args[2:]]
        return "" if issues else _classement(ctx, platform, metric, [e for e in chosen if e])
    subject = entity(args[0])
    if name == "abonnes":
        platforms = [network(t, PLATFORMS) for t in args[1:]]
        return "" if issues or not subject else _abonnes(ctx, subject, platforms)
    if name == "mesure":
        platform, metric = network(args[1], PLATFORMS), measure(args[2], METRICS)
        return "" if issues or not subject else _mesure(ctx, subject, platform, metric)
    platform_arg = network(args[1], FIGURE_PLATFORMS) if len(args) > 1 else None
    metric_arg = measure(args[2], FIGURE_METRICS) if len(args) > 2 else None
    return "" if issues or not subject else _chiffres(ctx, subject, platform_arg, metric_arg)


def expand(study: Study, ctx: Context, problems: list[Problem]) -> list[str]:
    """The study's body with every directive replaced by its Markdown; problems are appended."""

    def error(line: int, message: str) -> None:
        problems.append(StudyProblem(study.display, line, "étude de cas", message))

    out: list[str] = []
    fenced = False
    for line_no, line in study.body:
        if FENCE.match(line):
            fenced = not fenced
            out.append(line)
            continue
        if fenced or ("{{" not in line and "}}" not in line):
            out.append(line)
            continue
        rest = DIRECTIVE.sub("", line)
        if "{{" in rest or "}}" in rest:
            error(line_no, "directive mal formée : écrire « {{ nom arguments }} », ouverte et fermée sur "
                           "la même ligne")
            continue
        matches = list(DIRECTIVE.finditer(line))
        alone = len(matches) == 1 and line.strip() == matches[0].group(0)
        if alone:
            result = _directive(matches[0].group(1).split(), True, ctx, line_no, error)
            out += ["", *result, ""] if isinstance(result, list) else [result]
            continue
        pieces, last = [], 0
        for match in matches:
            result = _directive(match.group(1).split(), False, ctx, line_no, error)
            pieces += [line[last:match.start()], result if isinstance(result, str) else ""]
            last = match.end()
        out.append("".join(pieces) + line[last:])
    return out


# ---------------------------------------------------------------------------------------------
# Pages


def _front(title: str, description: str) -> str:
    # As pages._front_matter: themes print these unescaped in <title> and <meta>.
    def scalar(text: str) -> str:
        return json.dumps(html.escape(" ".join(text.split())), ensure_ascii=False)

    return f"---\ntitle: {scalar(title)}\ndescription: {scalar(description)}\n---\n\n"


def _sorted(studies: list[Study]) -> list[Study]:
    """Newest first, then by title."""
    by_title = sorted(studies, key=lambda s: s.title.casefold())
    return sorted(by_title, key=lambda s: s.date, reverse=True)


def _source_line(source: dict[str, Any]) -> str:
    published = source.get("published_on")
    return "- " + source_text({"title": source["title"], "url": source.get("url"),
                               "publisher": source.get("publisher"),
                               "date": date_fr(published) if published else None,
                               "note": source.get("note")})


def study_markdown(study: Study, body: list[str], registry: Registry) -> str:
    entities = [registry.entities[e] for e in study.establishments]
    out = [_front(study.title, study.summary), f"# {md(study.title)}", "", f"*{md(study.summary)}*", "",
           f"- **Publiée le** {md(date_fr(study.date))}",
           "- **Établissements :** " + ", ".join(_entity_link(e) for e in entities),
           "- **Secteur :** " + ", ".join(f"[{md(SECTORS[s])}](../{SECTORS_DIR}/{s}.md)"
                                          for s in study.sectors),
           "- **Réseaux :** " + ", ".join(f"[{md(PLATFORMS[n])}](reseaux.md#{n})" for n in study.networks),
           "- **Thèmes :** " + ", ".join(f"[{md(THEMES[t])}](themes.md#{t})" for t in study.themes), "",
           '!!! info "Les chiffres de cette page"',
           "    Les chiffres publiés sont cités tels que leur source les a donnés, avec cette source. Les "
           "mesures de l'observatoire sont recalculées à chaque mise à jour du site à partir des relevés "
           "de la collecte ; tant qu'aucun relevé n'existe, la page l'indique.", "",
           *body, "", "## Sources", "", *[_source_line(s) for s in study.sources], "",
           f"[Proposer une correction]({PROJECT_URL}/edit/main/data/{SOURCES_DIR}/{study.slug}.md)"
           "{ .md-button }", ""]
    return "\n".join(out)


def _study_item(study: Study, prefix: str = "") -> str:
    return f"- [{md(study.title)}]({prefix}{study.slug}.md) ({md(date_fr(study.date))}) : {md(study.summary)}"


def index_markdown(studies: list[Study]) -> str:
    out = [_front("Études de cas", "Comment les établissements de santé utilisent chaque réseau, "
                                   "et pourquoi"),
           "# Études de cas", "",
           "Chaque étude raconte comment un établissement de santé utilise un réseau social, et pourquoi, "
           "à partir d'articles publiés que la page cite. Elle montre à côté les chiffres archivés de "
           "l'époque et, dès qu'ils sont collectés, les chiffres d'aujourd'hui.", "",
           f"Parcourir : [par thème](themes.md) · [par réseau](reseaux.md) · "
           f"[par secteur](../{SECTORS_DIR}/index.md). Pour en écrire une : "
           "[Écrire une étude de cas](../contribuer.md#ecrire-une-etude-de-cas).", ""]
    if not studies:
        return "\n".join(out + ["Aucune étude de cas n'a encore été écrite.", ""])
    out += ["| Étude | Secteur | Réseaux | Thèmes |", "|---|---|---|---|"]
    for study in _sorted(studies):
        out.append(
            f"| [{md(study.title)}]({study.slug}.md) <br>*{md(date_fr(study.date))}* | "
            + ", ".join(f"[{md(SECTORS[s])}](../{SECTORS_DIR}/{s}.md)" for s in study.sectors) + " | "
            + ", ".join(f"[{md(PLATFORMS[n])}](reseaux.md#{n})" for n in study.networks) + " | "
            + ", ".join(f"[{md(THEMES[t])}](themes.md#{t})" for t in study.themes) + " |")
    return "\n".join(out + [""])


def grouped_markdown(studies: list[Study], title: str, intro: str, groups: dict[str, str],
                     key: Callable[[Study], list[str]], keep_empty: bool) -> str:
    out = [_front(title, title), f"# {md(title)}", "", intro, ""]
    for code, label in groups.items():
        members = [s for s in _sorted(studies) if code in key(s)]
        if not members and not keep_empty:
            continue
        # Explicit ids: the same anchors under MkDocs and Zensical, whatever their slugify.
        out += [f"## {md(label)} {{ #{code} }}", ""]
        out += [_study_item(s) for s in members] or ["Aucune étude pour l'instant."]
        out.append("")
    return "\n".join(out)


MAX_LISTED = 200  # more establishments than this in a sector: listed by region, not one by one


def sector_board(audience: dict[str, Any], sector: str) -> dict[str, Any]:
    """The audience leaderboard restricted to one sector, ranked within it."""
    rows = [dict(r) for r in audience["rows"] if r.get("category") == sector]
    ranks = pd.Series([r["value"] for r in rows], dtype="Float64").rank(method="min", ascending=False)
    for row, rank in zip(rows, ranks, strict=True):
        row["rank"] = None if pd.isna(rank) else int(rank)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"].casefold()))
    return {**audience, "id": f"audience-{sector}", "platform_label": SECTORS[sector], "rows": rows,
            "benchmarks": []}


def sector_markdown(sector: str, studies: list[Study], registry: Registry, audience: dict[str, Any]) -> str:
    label = SECTORS[sector]
    members = sorted((e for e in registry.establishments if e.category == sector),
                     key=lambda e: e.name.casefold())
    out = [_front(label, f"{label} : classement d'audience et études de cas"), f"# {md(label)}", "",
           f"L'annuaire suit **{len(members)} établissement{'s' if len(members) > 1 else ''}** de ce "
           "secteur. [Tous les secteurs](index.md) · [Annuaire](../etablissements/index.md).", "",
           "## Classement : audience tous réseaux", "",
           "Somme des derniers abonnés de chaque établissement du secteur sur ses comptes suivis ; rangs "
           "au sein du secteur. Les classements par réseau et par mesure sont sur la page "
           "[Classements](../classements/index.md).", ""]
    board = sector_board(audience, sector)
    if board["rows"]:
        # Raw HTML links are not rewritten by the renderer: the page lives at secteurs/<code>/.
        # The top only: a sector holds up to a thousand establishments at national scale.
        top = board["rows"][:leaderboard_pages.ROWS_PER_PAGE]
        note = (f" — les {len(top)} premiers sur {len(board['rows'])}" if len(top) < len(board["rows"])
                else "")
        out += leaderboard_pages.board_table(board, "../../etablissements/", rows=top, caption_note=note)
        if len(top) < len(board["rows"]):
            out += [f"Ce tableau montre les {len(top)} premiers des {len(board['rows'])} établissements "
                    "du secteur. Le classement complet est la page "
                    "[Audience tous réseaux](../classements/audience.md), où le filtre « Catégorie » "
                    "retient ce secteur.", ""]
    else:
        out += ['!!! info "Pas encore de mesures"',
                "    La collecte n'a encore enregistré aucun relevé pour les établissements de ce secteur : "
                "le classement apparaîtra après sa première exécution.", ""]
    chosen = [s for s in _sorted(studies) if sector in s.sectors]
    out += ["## Études de cas", ""]
    out += [_study_item(s, f"../{PAGES_DIR}/") for s in chosen] or ["Aucune étude de cas pour ce secteur "
                                                                   "pour l'instant."]
    out += ["", "## Établissements du secteur", ""]
    if len(members) > MAX_LISTED:  # by region, each linked to the directory page of the region
        out += ["Par région (la page de chaque région de l'annuaire indique le secteur de chaque "
                "établissement) :", ""]
        counts = pd.Series([e.region or "" for e in members]).value_counts()
        out += [f"- [{md(region)}](../{page_data.region_page_path(region)}) : {counts[region]} établissement"
                + ("s" if counts[region] > 1 else "") for region in REGIONS if region in counts]
        if "" in counts:
            out.append(f"- [{md(page_data.NO_REGION)}](../{page_data.region_page_path(None)}) : {counts['']}")
        return "\n".join(out + [""])
    out += [f"- {_entity_link(e)}" + (f" ({md(e.region)})" if e.region else "") for e in members] or [
        "Aucun établissement de ce secteur n'est encore dans l'annuaire."]
    return "\n".join(out + [""])


def sectors_index_markdown(studies: list[Study], registry: Registry) -> str:
    out = [_front("Secteurs", "Les établissements de santé par secteur : classements et études de cas"),
           "# Secteurs", "",
           "Chaque secteur a sa page : le classement d'audience de ses établissements, ses études de cas "
           "et la liste de ses établissements.", "",
           "| Secteur | Établissements suivis | Études de cas |", "|---|---|---|"]
    for code, label in SECTORS.items():
        count = sum(1 for e in registry.establishments if e.category == code)
        out.append(f"| [{md(label)}]({code}.md) | {count} | {sum(code in s.sectors for s in studies)} |")
    return "\n".join(out + [""])


def _write_folder(folder: Path, wanted: dict[Path, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in set(folder.rglob("*.md")) - set(wanted):
        stale.unlink()
    for path, text in wanted.items():
        write_if_changed(path, text)


def write_studies(root: Path, registry: Registry, figures: pd.DataFrame, summaries: dict[str, dict[str, Any]],
                  audience: dict[str, Any], charts: dict[tuple[str, str], list[str]] | None = None
                  ) -> list[Study]:
    """Check and expand every study, then write the study, index and sector pages under docs/.

    `charts`: the chart blocks of each account, as drawn for establishment pages (same depth).
    Raises CaseStudyError, with every problem of every study, before writing anything."""
    studies, problems = load_studies(root, registry)
    ctx = Context(root, registry, figures, summaries, charts or {})
    bodies = {s.slug: expand(s, ctx, problems) for s in studies}
    if problems:
        raise CaseStudyError(sorted(problems))
    docs = root / "docs"
    pages = {docs / s.path: study_markdown(s, bodies[s.slug], registry) for s in studies}
    pages[docs / PAGES_DIR / "index.md"] = index_markdown(studies)
    pages[docs / PAGES_DIR / "themes.md"] = grouped_markdown(
        studies, "Études de cas par thème", "Les études de cas classées par thème ; une étude peut en "
        "aborder plusieurs. [Toutes les études](index.md).", THEMES, lambda s: s.themes, True)
    pages[docs / PAGES_DIR / "reseaux.md"] = grouped_markdown(
        studies, "Études de cas par réseau", "Les études de cas classées par réseau social ; seuls les "
        "réseaux qu'une étude aborde sont listés. [Toutes les études](index.md).", PLATFORMS,
        lambda s: s.networks, False)
    _write_folder(docs / PAGES_DIR, pages)
    sectors = {docs / SECTORS_DIR / f"{code}.md": sector_markdown(code, studies, registry, audience)
               for code in SECTORS}
    sectors[docs / SECTORS_DIR / "index.md"] = sectors_index_markdown(studies, registry)
    _write_folder(docs / SECTORS_DIR, sectors)
    return studies


def attach(entity_pages: list[dict[str, Any]], studies: list[Study]) -> None:
    """Give each entity page the studies that name it (pages.py lists them)."""
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for study in _sorted(studies):
        for entity_id in study.establishments:
            by_entity.setdefault(entity_id, []).append(
                {"slug": study.slug, "title": study.title, "date_fr": date_fr(study.date)})
    for page in entity_pages:
        page["case_studies"] = by_entity.get(page["id"], [])
