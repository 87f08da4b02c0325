"""The interface every collector implements, and what they all share.

A collector declares its platform, the environment variables it needs (none for the keyless
networks), its batch size and its default API address; it implements fetch_batch (profiles of
up to batch_size accounts in one call where the API allows) and, where the platform gives
them, fetch_posts (an account's recent posts). It returns plain dataclasses.

The base class does the rest, once for all collectors: batching, bounded concurrency through
the HTTP layer, isolating each account's failure with a French reason, and progress.

API answers are untrusted. Identifiers an API returns (account ids, handles, post ids) are kept
only when made of an allow-list of characters, and its texts (notes, error details) are made one
line without control or bidi characters: nothing an API says can start a GitHub workflow
command (`::…` at the start of a line), break a line of a snapshot CSV or of a commit message."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from observatory.collect.http import BadResponse, Http, HttpError
from observatory.registry.load import Account
from observatory.store.snapshots import REFRESH_DAYS, parse_time

SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)
# Letters and digits of any script, and the punctuation of handles and ids on every platform
# (did:plc:…, user@instance, host:kind:id, name.bsky.social, @handle, UC…-_).
SAFE_ID = re.compile(r"[\w@][\w.@:+=~-]{0,199}\Z")
SAFE_POST_ID = re.compile(r"[\w@][\w.@:/+=~-]{0,299}\Z")  # Bluesky's are at:// record URIs
UNSAFE_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]+")


def one_line(text: str, limit: int = 500) -> str:
    """An API's text made inert for a report, a CSV cell or a commit message."""
    text = " ".join(UNSAFE_TEXT.sub(" ", text).split())[:limit]
    return text.lstrip(":") if text.startswith("::") else text


def inert_profile(profile: Profile) -> Profile | Missing:
    """The profile with its identifiers checked against SAFE_ID (refused otherwise) and its note
    made one line; posts with an unexpected id are left out."""
    if not SAFE_ID.match(profile.account_id) or not SAFE_ID.match(profile.handle):
        return Missing("identifiant ou nom de compte renvoyé par l'API refusé : caractères inattendus")
    recent = None if profile.recent is None else tuple(safe_posts(list(profile.recent)))
    note = None if profile.note is None else one_line(profile.note)
    return replace(profile, recent=recent, note=note)


def safe_posts(posts: list[Post]) -> list[Post]:
    return [p for p in posts if SAFE_POST_ID.match(p.post_id)]


def api_env_var(platform: str) -> str:
    """OBSERVATORY_<PLATFORM>_API: where a platform's API is, for tests and mirrors."""
    return f"OBSERVATORY_{platform.upper()}_API"


@dataclass(frozen=True)
class Target:
    """A registry account to collect, with its stable id when it is already known."""

    account: Account
    known_id: str | None = None

    @property
    def key(self) -> str:
        return self.account.key


@dataclass(frozen=True)
class Post:
    post_id: str
    published_at: datetime
    is_reply: bool = False
    is_repost: bool = False
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    views: int | None = None


@dataclass(frozen=True)
class Profile:
    account_id: str
    handle: str
    followers: int | None
    following: int | None
    posts: int | None
    recent: tuple[Post, ...] | None = None  # posts already given with the profile, if any
    note: str | None = None  # something a maintainer should know (account moved…)


@dataclass(frozen=True)
class Missing:
    """The platform answered, and the account is not there, or not usable."""

    reason: str


@dataclass(frozen=True)
class Posts:
    items: list[Post]
    total: int | None = None  # total number of posts, when only the listing gives it


@dataclass
class Collected:
    target: Target
    profile: Profile
    measured_at: datetime
    posts: list[Post] | None = None  # None: not measured this time
    posts_measured_at: datetime | None = None


@dataclass(frozen=True)
class Failure:
    target: Target
    stage: str  # "profil" or "publications"
    reason: str


@dataclass
class CollectorResult:
    platform: str
    collected: list[Collected] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def as_int(value: Any) -> int | None:
    """An API count (int or numeric string, as YouTube gives) or None when absent."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"nombre attendu, reçu {value!r}")


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def describe(error: Exception) -> str:
    """A French reason for an exception raised while reading an answer."""
    if isinstance(error, HttpError):
        return error.message
    return f"réponse de l'API d'une forme inattendue ({type(error).__name__} : {str(error)[:120]})"


class Collector:
    platform: ClassVar[str]
    label: ClassVar[str]
    env_keys: ClassVar[tuple[str, ...]] = ()
    batch_size: ClassVar[int] = 1
    default_api: ClassVar[str] = ""
    max_post_pages: ClassVar[int] = 3
    request_interval: ClassVar[float | None] = None  # the API's per-host pace (seconds)

    def __init__(self, http: Http, env: Mapping[str, str] | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.http = http
        self.env = dict(os.environ if env is None else env)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.override = (self.env.get(api_env_var(self.platform)) or "").rstrip("/")
        self.api = self.override or self.default_api.rstrip("/")
        self.notes: list[str] = []
        self.posts_enabled = True
        for name in self.env_keys:
            http.add_secret(self.env.get(name))

    # -- to implement ---------------------------------------------------------------------

    def fetch_batch(self, targets: list[Target]) -> dict[str, Profile | Missing]:
        """Profiles of up to batch_size targets, keyed by target.key. A target left out of
        the answer is reported as missing from it."""
        raise NotImplementedError

    def fetch_posts(self, target: Target, profile: Profile) -> Posts | None:
        """The account's own recent posts (or None where the platform gives none)."""
        return None

    # -- shared helpers -------------------------------------------------------------------

    def batches(self, targets: list[Target]) -> list[list[Target]]:
        """How targets are grouped into fetch_batch calls (by batch_size, in order)."""
        return chunks(targets, self.batch_size)

    @classmethod
    def missing_keys(cls, env: Mapping[str, str]) -> list[str]:
        return [name for name in cls.env_keys if not env.get(name)]

    def key(self, name: str) -> str:
        return self.env[name]

    def get(self, url: str, params: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        return self.http.get_json(url, params=params, headers=headers, tag=self.platform,
                                  interval=None if self.override else self.request_interval)

    def get_object(self, url: str, params: Any = None, headers: Mapping[str, str] | None = None
                   ) -> dict[str, Any]:
        data = self.get(url, params, headers)
        if not isinstance(data, dict):
            raise BadResponse(f"objet JSON attendu, reçu {type(data).__name__} ({url})")
        return data

    @property
    def since(self) -> datetime:
        return self.clock() - timedelta(days=REFRESH_DAYS)

    def recent(self, posts: list[Post]) -> list[Post]:
        since = self.since
        return [p for p in safe_posts(posts) if p.published_at >= since]

    @staticmethod
    def time(text: str) -> datetime:
        return parse_time(text)

    def note(self, text: str) -> None:
        text = one_line(text)
        if text not in self.notes:
            self.notes.append(text)

    # -- the run --------------------------------------------------------------------------

    def collect(self, targets: list[Target], progress: Callable[[int], None] | None = None
                ) -> CollectorResult:
        result = CollectorResult(self.platform)
        advance = progress or (lambda n: None)

        def run_batch(batch: list[Target]) -> list[Collected | Failure]:
            out: list[Collected | Failure] = []
            try:
                answers = self.fetch_batch(batch)
            except (HttpError, *SHAPE_ERRORS) as error:
                reason = one_line(describe(error))
                out = [Failure(t, "profil", reason) for t in batch]
            else:
                measured = self.clock()
                for target in batch:
                    answer = answers.get(target.key)
                    if isinstance(answer, Profile):
                        answer = inert_profile(answer)
                    if answer is None:
                        out.append(Failure(target, "profil", "compte absent de la réponse de l'API "
                                           "(supprimé, suspendu, renommé ou réponse partielle)"))
                    elif isinstance(answer, Missing):
                        out.append(Failure(target, "profil", one_line(answer.reason)))
                    else:
                        out.append(Collected(target, answer, measured))
            advance(len(batch))
            return out

        for outcome in (o for batch in self.http.map(run_batch, self.batches(targets))
                        for o in batch):
            if isinstance(outcome, Failure):
                result.failures.append(outcome)
            else:
                result.collected.append(outcome)
        result.failures += self.collect_posts(result.collected)
        result.notes = list(self.notes)
        return result

    def collect_posts(self, collected: list[Collected]) -> list[Failure]:
        """Fill collected[i].posts; one failure per account whose posts could not be read."""
        for item in collected:
            if item.profile.recent is not None:
                item.posts = self.recent(list(item.profile.recent))
                item.posts_measured_at = item.measured_at

        def one(item: Collected) -> Failure | None:
            if item.profile.recent is not None or not self.posts_enabled:
                return None
            try:
                page = self.fetch_posts(item.target, item.profile)
            except (HttpError, *SHAPE_ERRORS) as error:
                return Failure(item.target, "publications", one_line(describe(error)))
            if page is not None:
                item.posts = self.recent(page.items)
                item.posts_measured_at = self.clock()
                if item.profile.posts is None and page.total is not None:
                    item.profile = replace(item.profile, posts=page.total)
            return None

        return [f for f in self.http.map(one, collected) if f is not None]
