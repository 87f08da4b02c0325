"""Case studies, expanded: the directives of a study's body ({{ abonnes … }}, {{ mesure … }},
{{ classement … }}, {{ chiffres … }}) replaced by figures from the data, or by words when there are none."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from observatory.analysis.leaderboards import BOARD_METRICS
from observatory.registry.load import Entity, Registry
from observatory.registry.validate import Problem
from observatory.registry.vocab import FIGURE_METRICS, FIGURE_PLATFORMS, PLATFORMS
from observatory.site import page_data
from observatory.site.case_studies.read import (
    ALIASES,
    DIRECTIVE,
    METRICS,
    PROVENANCES,
    USAGE,
    Report,
    Study,
    StudyProblem,
    in_code,
    suggest,
)
from observatory.site.pages import source_text
from observatory.store import snapshots
from observatory.textfmt import date_fr, link, md, number


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


def entity_link(entity: Entity, prefix: str = "../") -> str:
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
        out.append(f"| {row['rank'] or '—'} | {entity_link(row['entity'])} | {row['handle']} | "
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
        error(line, f"directive inconnue « {name} »{suggest(name, list(USAGE))} ; directives permises : "
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
        fail(f"établissement inconnu « {token} »{suggest(token, list(ctx.registry.entities))} : aucun "
             "identifiant du registre ne correspond")
        return None

    def network(token: str, allowed: dict[str, str]) -> str:
        if token not in allowed:
            fail(f"réseau inconnu « {token} »{suggest(token, list(allowed))} ; réseaux permis : "
                 + ", ".join(allowed))
        return token

    def measure(token: str, allowed: dict[str, Any]) -> str:
        if token not in allowed:
            fail(f"mesure inconnue « {token} »{suggest(token, list(allowed))} ; mesures permises : "
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


Segment = tuple[bool, list[str]]  # (trusted, lines): the study's prose, or a block made from the data


def expand(study: Study, ctx: Context, problems: list[Problem]) -> list[Segment]:
    """The study's body as runs of lines: prose (not trusted: prose.py cleans it), where an inline
    directive is replaced by its text, and the blocks that stand-alone directives make from the data
    (trusted: every value in them went through textfmt). Problems are appended."""

    def error(line: int, message: str) -> None:
        problems.append(StudyProblem(study.display, line, "étude de cas", message))

    segments: list[Segment] = []

    def add(trusted: bool, lines: list[str]) -> None:
        if segments and segments[-1][0] == trusted:
            segments[-1][1].extend(lines)
        else:
            segments.append((trusted, list(lines)))

    for (line_no, line), code in zip(study.body, in_code([text for _, text in study.body]), strict=True):
        if code or ("{{" not in line and "}}" not in line):
            add(False, [line])
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
            if isinstance(result, list):
                add(True, ["", *result, ""])
            else:
                add(False, [result])
            continue
        pieces, last = [], 0
        for match in matches:
            result = _directive(match.group(1).split(), False, ctx, line_no, error)
            pieces += [line[last:match.start()], result if isinstance(result, str) else ""]
            last = match.end()
        add(False, ["".join(pieces) + line[last:]])
    return segments
