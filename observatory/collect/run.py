"""`observatory collect`: read the registry, run each platform's collector, store the snapshots,
and report what was collected, skipped and failed, with reasons (printed in French and written
as JSON to data/snapshots/last-run.json).

A platform whose run reaches far fewer accounts than its previous run is flagged as a probable
outage: accounts it could not reach are never read as gone, and nothing is written for them.
Each platform's rows are stored as soon as it is done, so a later crash loses nothing earlier, and
all or nothing: its accounts, posts, held figures (store/held.py: a followers collapse waits for a
second day or a maintainer) and learned ids (store/ids.py) in one step. Impossible counts
(negative, beyond 64 bits) are refused before, with a reason in the report."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from observatory.collect.http import Http
from observatory.collect.platforms import COLLECTORS, SECRET_VARIABLES
from observatory.collect.platforms.base import Collected, Target
from observatory.registry.handles import YOUTUBE_CHANNEL, HandleError, parse_handle
from observatory.registry.load import Account, RegistryError, load_registry
from observatory.registry.vocab import PLATFORMS
from observatory.store import held, ids, snapshots
from observatory.store import history as store_history
from observatory.store import report as report_file
from observatory.textfmt import plural, words

REPORT_NAME = report_file.REPORT_NAME
COLLECTED_STATUSES = ("active", "dormant")  # closed and left accounts are not followed any more
OUTAGE_RATIO = 0.5  # fewer than half the accounts of the previous run: probable outage
OUTAGE_MINIMUM = 3  # below this many accounts, only a drop to zero is flagged


class ConfigError(Exception):
    """Bad configuration: the run cannot start (French message)."""


@dataclass
class PlatformReport:
    platform: str
    label: str
    status: str = "ok"  # ok, partiel, échec, ignoré, manuel
    targets: int = 0
    collected: int = 0
    posts: int = 0
    requests: int = 0
    previous: int | None = None
    outage: bool = False
    reason: str | None = None  # why skipped, or why flagged as an outage
    failures: list[dict[str, str]] = field(default_factory=list)
    handle_changes: list[dict[str, str]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # suspect figures held aside, confirmed, dismissed
    notes: list[str] = field(default_factory=list)


@dataclass
class RunReport:
    date: str
    started_at: str
    finished_at: str = ""
    dry_run: bool = False
    filters: dict[str, list[str]] = field(default_factory=dict)
    platforms: dict[str, PlatformReport] = field(default_factory=dict)
    stored_accounts: int = 0
    stored_posts: int = 0
    files: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # held figures a maintainer confirmed, now stored
    error: str | None = None
    exit_code: int = 0

    @property
    def collected(self) -> int:
        return sum(p.collected for p in self.platforms.values())

    @property
    def failed(self) -> int:
        return sum(len({(f["entity"], f["handle"]) for f in p.failures}) for p in self.platforms.values())

    @property
    def attempted(self) -> int:
        return sum(p.targets for p in self.platforms.values() if p.status not in ("ignoré", "manuel"))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["totals"] = {"collected": self.collected, "failed": self.failed,
                          "attempted": self.attempted,
                          "outages": [p.platform for p in self.platforms.values() if p.outage]}
        return data

    def summary_line(self) -> str:
        if self.error:
            return f"Collecte du {self.date} impossible : {self.error}"
        parts = [plural(self.collected, "compte relevé"), plural(self.failed, "échec")]
        skipped = [p.label for p in self.platforms.values() if p.status == "ignoré"]
        if skipped:
            parts.append(plural(len(skipped), "réseau ignoré"))
        outages = [p.label for p in self.platforms.values() if p.outage]
        if outages:
            parts.append("panne probable : " + ", ".join(outages))
        return f"Collecte du {self.date} : " + ", ".join(parts)

    def lines(self) -> list[str]:
        """The French summary, one platform a line, failures and notes indented below."""
        out = [self.summary_line() + (" (essai à blanc : rien n'a été écrit)" if self.dry_run else "")]
        for p in self.platforms.values():
            if p.status == "manuel":
                to_read = plural(p.targets, "compte à relever", "comptes à relever")
                out.append(f"  {p.label} : {to_read} à la main — {p.reason}")
                continue
            if p.status == "ignoré":
                out.append(f"  {p.label} : ignoré — {p.reason}")
                continue
            line = (f"  {p.label} : {p.collected}/{plural(p.targets, 'compte relevé', 'comptes relevés')}, "
                    f"{plural(p.posts, 'publication')}, {plural(p.requests, 'requête')}")
            if p.failures:
                line += ", " + plural(len(p.failures), "échec")
            out.append(line)
            if p.outage:
                out.append(f"    ⚠ PANNE PROBABLE : {p.reason}")
            for change in p.handle_changes:
                out.append(f"    changement de nom : {change['entity']} {change['before']} → "
                           f"{change['after']}")
            out.extend(f"    ⚠ {line}" for line in p.held)
            out.extend(_failure_lines(p.failures))
            out.extend(f"    note : {note}" for note in p.notes)
        out.extend(f"  {line}" for line in self.held)
        if self.files:
            stored = plural(self.stored_accounts, "relevé de comptes", "relevés de comptes")
            out.append(f"  {stored} et {self.stored_posts} de publications écrits dans "
                       f"{plural(len(self.files), 'fichier')}.")
        return out

    def commit_message(self) -> str:
        return self.summary_line() + "\n\n" + "\n".join(line.strip() for line in self.lines()[1:]) + "\n"


def _failure_lines(failures: list[dict[str, str]], shown: int = 5) -> list[str]:
    """One line per failure; failures sharing a cause (a whole batch) grouped on one line."""
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for failure in failures:
        groups.setdefault((failure["stage"], failure["reason"]), []).append(failure)
    out = []
    for (stage, reason), items in groups.items():
        if len(items) <= 2:
            out += [f"    échec ({stage}) {f['entity']} {f['handle']} : {reason}" for f in items]
            continue
        names = ", ".join(f["handle"] for f in items[:shown]) + (", …" if len(items) > shown else "")
        out.append(f"    échec ({stage}) de {len(items)} comptes ({names}) : {reason}")
    return out


class Progress:
    """A progress bar on a terminal; plain log lines (every tenth, per platform) elsewhere."""

    def __init__(self, stream: TextIO | None = None, interactive: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        if interactive is None:
            interactive = self.stream.isatty() and not os.environ.get("CI")
        self.interactive = interactive
        self.label = ""
        self.total = 0
        self.done = 0
        self.logged = 0

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.logged = label, total, 0, 0
        if not self.interactive:
            to_read = plural(total, "compte à relever", "comptes à relever")
            print(f"{label} : {to_read}…", file=self.stream, flush=True)

    def advance(self, count: int) -> None:
        self.done += count
        if self.interactive:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            print(f"\r{self.label:<14} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}",
                  end="", file=self.stream, flush=True)
        elif self.done - self.logged >= max(1, self.total // 10) or self.done == self.total:
            self.logged = self.done
            print(f"{self.label} : {self.done}/{self.total}", file=self.stream, flush=True)

    def finish(self) -> None:
        if self.interactive and self.total:
            print(file=self.stream, flush=True)


def _handle_key(platform: str, handle: str) -> str:
    try:
        return parse_handle(platform, handle).key
    except (HandleError, KeyError):
        return handle.lower()


def _is_id(handle: str) -> bool:
    """A DID, a YouTube channel id or a numeric page id: not a name that can change."""
    return handle.startswith("did:") or bool(YOUTUBE_CHANNEL.match(handle)) or handle.isdigit()


def _known_id(account: Account, history: store_history.History, known: dict[ids.Key, str]) -> str | None:
    """The registry's id, else the one last learned for this registry account (ids.csv), else
    the one stored rows give for its handle."""
    return account.platform_id or known.get((account.platform, account.entity_id, account.key)) \
        or history.ids_by_handle.get(account.key.lower()) or history.ids_by_handle.get(account.handle.lower())


def _previous_count(platform: str, previous: dict[str, Any] | None, history: store_history.History,
                    today: str) -> int | None:
    """Accounts the previous full run reached on this platform (from its report, else from the
    store's latest earlier collection day)."""
    if previous and not any((previous.get("filters") or {}).values()) and not previous.get("dry_run"):
        entry = (previous.get("platforms") or {}).get(platform) or {}
        # a run that was itself an outage is no yardstick: the store's last good day is
        if isinstance(entry.get("collected"), int) and entry["collected"] > 0 and not entry.get("outage"):
            return entry["collected"]
    return history.last_count if history.last_date else None


def _outage(report: PlatformReport) -> None:
    if report.previous is None:
        return
    expected = min(report.previous, report.targets)
    if expected >= 1 and report.collected == 0 or (
            expected >= OUTAGE_MINIMUM and report.collected < expected * OUTAGE_RATIO):
        report.outage = True
        report.reason = (f"{plural(report.collected, 'compte relevé')} contre {report.previous} lors de la "
                         "collecte précédente : l'API ou le réseau est probablement en panne ; les "
                         "comptes manquants ne sont pas considérés comme disparus, relancer plus tard")


def _rows(platform: str, today: str, item: Collected) -> tuple[snapshots.AccountRow, list[snapshots.PostRow]]:
    profile, account = item.profile, item.target.account
    row = snapshots.AccountRow(
        date=today, entity=account.entity_id, platform=platform, account_id=profile.account_id,
        handle=profile.handle, followers=profile.followers, following=profile.following,
        posts=profile.posts, provenance="api", collected_at=snapshots.utc_text(item.measured_at))
    posts = [snapshots.PostRow(
        platform=platform, post_id=post.post_id, entity=account.entity_id,
        account_id=profile.account_id, published_at=snapshots.utc_text(post.published_at),
        is_reply=post.is_reply, is_repost=post.is_repost, likes=post.likes, reposts=post.reposts,
        replies=post.replies, quotes=post.quotes, views=post.views,
        measured_at=snapshots.utc_text(item.posts_measured_at or item.measured_at))
        for post in item.posts or []]
    return row, posts


def _plausible(row: snapshots.AccountRow, posts: list[snapshots.PostRow], item: Collected,
               result: PlatformReport) -> list[snapshots.PostRow] | None:
    """The account's posts whose counts are possible, or None when its own counts are not (a
    negative count, or one beyond 64 bits, is the API's garbage: refused, reported, never stored)."""
    failure = {"entity": row.entity, "handle": item.target.account.handle}
    problems = snapshots.impossible(row)
    if problems:
        result.failures.append({**failure, "stage": "profil", "reason": "chiffre impossible renvoyé par "
                                "l'API, relevé refusé : " + " ; ".join(problems)})
        return None
    refused = [(p, snapshots.impossible(p)) for p in posts]
    refused = [(p, problems) for p, problems in refused if problems]
    if refused:
        result.failures.append({**failure, "stage": "publications", "reason": plural(
            len(refused), "publication aux chiffres impossibles refusée",
            "publications aux chiffres impossibles refusées") + " : " + " ; ".join(refused[0][1])})
    return [p for p in posts if not snapshots.impossible(p)]


def _select(data_dir: Path, platforms: list[str] | None, only: list[str] | None
            ) -> dict[str, list[Account]]:
    unknown = [p for p in platforms or [] if p not in PLATFORMS]
    if unknown:
        raise ConfigError(f"{words(len(unknown), 'réseau inconnu')} : {', '.join(unknown)} ; "
                          f"valeurs permises : {', '.join(PLATFORMS)}")
    try:
        registry = load_registry(data_dir)
    except RegistryError as error:
        raise ConfigError("le registre n'est pas valide ; lancer « observatory validate » :\n"
                          + "\n".join(str(p) for p in error.problems[:20])) from None
    missing = [i for i in only or [] if i not in registry.entities]
    if missing:
        raise ConfigError(f"{words(len(missing), 'identifiant inconnu')} dans le registre : "
                          f"{', '.join(missing)}")
    chosen: dict[str, list[Account]] = {}
    for account in registry.accounts():
        if account.status not in COLLECTED_STATUSES:
            continue
        if platforms and account.platform not in platforms:
            continue
        if only and account.entity_id not in only:
            continue
        chosen.setdefault(account.platform, []).append(account)
    return {p: chosen[p] for p in PLATFORMS if p in chosen}


def run_collection(data_dir: Path, *, platforms: list[str] | None = None,
                   only: list[str] | None = None, dry_run: bool = False,
                   env: Mapping[str, str] | None = None, http: Http | None = None,
                   clock: Callable[[], datetime] | None = None, progress: Progress | None = None,
                   log: Callable[[str], None] | None = None, budget: float | None = None) -> RunReport:
    """Collect the selected accounts and store their rows. `budget`: seconds the whole run may
    spend on requests, shared fairly among the platforms still to collect (a platform that ends
    early leaves its time to the next ones); once a platform's share is spent its remaining
    accounts fail with a reason, and what was collected is stored and reported before the
    workflow's own deadline, so a slow network never costs the day's other figures."""
    env = dict(os.environ if env is None else env)
    clock = clock or (lambda: datetime.now(UTC))
    say = log or (lambda text: print(text, file=sys.stderr, flush=True))
    started = clock()
    today = started.strftime("%Y-%m-%d")
    report = RunReport(date=today, started_at=snapshots.utc_text(started), dry_run=dry_run,
                       filters={"platforms": sorted(platforms or []), "only": sorted(only or [])})
    try:
        selected = _select(data_dir, platforms, only)
    except ConfigError as error:
        report.error = str(error)
        report.exit_code = 2
        report.finished_at = snapshots.utc_text(clock())
        return report
    previous = report_file.read_report(data_dir)
    if not dry_run:
        for stale in snapshots.remove_stale_temp_files(data_dir):
            say(f"fichier temporaire d'une collecte interrompue supprimé : {stale.name}")
        _release_confirmed(data_dir, report, say)
    own_http = http is None
    http = http or Http(secrets=[env.get(name, "") for name in SECRET_VARIABLES])
    progress = progress or Progress()
    filtered = bool(platforms or only)
    run_end = None if budget is None else http.monotonic() + budget
    try:
        for position, (platform, accounts) in enumerate(selected.items()):
            if run_end is not None:
                left = len(selected) - position
                http.spend_until(http.monotonic() + max(0.0, run_end - http.monotonic()) / left)
            try:
                report.platforms[platform] = _run_platform(
                    data_dir, platform, accounts, report, env=env, http=http, clock=clock,
                    progress=progress, previous=None if filtered else previous, dry_run=dry_run,
                    say=say)
            except Exception as error:  # a bug in one collector must not cost the others
                reason = http.redact(f"erreur interne du collecteur : {type(error).__name__} : {error}")
                say(f"{PLATFORMS[platform]} : {reason}")
                report.platforms[platform] = PlatformReport(
                    platform, PLATFORMS[platform], status="échec", targets=len(accounts), reason=reason,
                    failures=[{"entity": "*", "handle": "*", "stage": "collecte", "reason": reason}])
    finally:
        http.spend_until(None)
        if own_http:
            http.close()
    report.finished_at = snapshots.utc_text(clock())
    report.exit_code = 1 if report.attempted and not report.collected else 0
    if not dry_run:
        path = report_file.report_path(data_dir)
        snapshots.atomic_write(path, json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    return report


def _relative(data_dir: Path, files: list[Path]) -> list[str]:
    root = data_dir.parent
    return [str(f.relative_to(root)) if f.is_relative_to(root) else str(f) for f in files]


def _store(data_dir: Path, account_rows: list[snapshots.AccountRow], post_rows: list[snapshots.PostRow],
           learned: dict[ids.Key, str], result: PlatformReport, report: RunReport) -> None:
    """Write one platform's rows, held figures and learned ids, all or nothing: a failed write is
    reported, and every file stays as it was."""
    try:
        with snapshots.store_lock(data_dir):
            screening = held.screen(data_dir, account_rows, [result.platform])
            texts = {**snapshots.account_texts(data_dir, screening.accepted),
                     **snapshots.post_texts(data_dir, post_rows), **screening.texts,
                     **ids.ids_texts(data_dir, learned)}
            files = snapshots.write_files(texts)
    except (snapshots.StoreError, OSError) as error:
        result.failures.append({"entity": "*", "handle": "*", "stage": "écriture",
                                "reason": f"écriture des relevés impossible, rien n'a été écrit pour ce "
                                          f"réseau : {error}"})
        result.collected = result.posts = 0
        return
    result.held += held.report_lines(screening)
    report.files += _relative(data_dir, files)
    report.stored_accounts += len(screening.accepted)
    report.stored_posts += len(post_rows)


def _release_confirmed(data_dir: Path, report: RunReport, say: Callable[[str], None]) -> None:
    """Store the held figures a maintainer confirmed (any platform, manual ones included)."""
    try:
        with snapshots.store_lock(data_dir):
            screening = held.release_confirmed(data_dir)
            if not screening.confirmed:
                return
            files = snapshots.write_files({**snapshots.account_texts(data_dir, screening.accepted),
                                           **screening.texts})
    except (snapshots.StoreError, OSError) as error:
        say(f"relevés suspects confirmés non enregistrés : {error}")
        return
    report.held += held.report_lines(screening)
    report.files += _relative(data_dir, files)
    report.stored_accounts += len(screening.accepted)


def _run_platform(data_dir: Path, platform: str, accounts: list[Account], report: RunReport, *,
                  env: dict[str, str], http: Http, clock: Callable[[], datetime], progress: Progress,
                  previous: dict[str, Any] | None, dry_run: bool, say: Callable[[str], None]
                  ) -> PlatformReport:
    cls = COLLECTORS.get(platform)
    result = PlatformReport(platform, PLATFORMS[platform], targets=len(accounts))
    if cls is None:
        result.status = "manuel"
        result.reason = "pas d'API utilisable ; importer les chiffres avec « observatory import »"
        return result
    missing = cls.missing_keys(env)
    if missing:
        result.status = "ignoré"
        absent = words(len(missing), "variable d'environnement absente", "variables d'environnement absentes")
        result.reason = (f"{absent} : {', '.join(missing)} ; "
                         "importer les chiffres à la main ou configurer le secret")
        say(f"{result.label} : ignoré ({result.reason})")
        return result
    history = store_history.history(data_dir, platform, before=report.date)
    try:
        known = ids.read_ids(data_dir)
    except snapshots.StoreError as error:
        known = {}
        result.notes.append(str(error))
    result.previous = _previous_count(platform, previous, history, report.date)
    targets = [Target(a, _known_id(a, history, known)) for a in accounts]
    collector = cls(http, env, clock)
    before = http.requests[platform]
    progress.start(result.label, len(targets))
    try:
        outcome = collector.collect(targets, progress.advance)
    finally:
        progress.finish()
    result.requests = http.requests[platform] - before
    result.notes += list(outcome.notes)
    for failure in outcome.failures:
        result.failures.append({"entity": failure.target.account.entity_id,
                                "handle": failure.target.account.handle, "stage": failure.stage,
                                "reason": failure.reason})
    account_rows, post_rows = [], []
    learned: dict[ids.Key, str] = {}
    for item in outcome.collected:
        row, posts = _rows(platform, report.date, item)
        posts = _plausible(row, posts, item, result)
        if posts is None:
            continue
        account_rows.append(row)
        post_rows += posts
        learned[(platform, row.entity, item.target.account.key)] = row.account_id
        before_handle = history.last_handle.get(row.account_id)
        if before_handle and _handle_key(platform, before_handle) != _handle_key(platform, row.handle):
            result.handle_changes.append({"entity": row.entity, "account_id": row.account_id,
                                          "before": before_handle, "after": row.handle})
        elif _handle_key(platform, row.handle) != item.target.account.key and not _is_id(
                item.target.account.handle) and not _is_id(row.handle):
            result.notes.append(f"{row.entity} : le registre indique {item.target.account.handle}, "
                                f"la plateforme {row.handle} ; mettre à jour le registre")
        if item.profile.note:
            result.notes.append(f"{row.entity} : {item.profile.note}")
    result.collected = len(account_rows)
    result.posts = len(post_rows)
    if not dry_run and account_rows:
        _store(data_dir, account_rows, post_rows, learned, result, report)
    if result.failures:
        result.status = "échec" if not result.collected else "partiel"
    _outage(result)
    say(f"{result.label} : {result.collected}/{plural(result.targets, 'compte')}, "
        f"{plural(len(result.failures), 'échec')}")
    return result
