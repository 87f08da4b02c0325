"""The one HTTP layer of every collector: timeouts, retries, rate limits, bounded concurrency.

Errors are classed by cause (as Mastodon.py does), each with a French message a maintainer can
read in the run report: NotFound, Unauthorized, BadRequest, RateLimited, ServerError,
NetworkError, BadResponse. Secrets (API keys, tokens) are redacted from every message.

Sleeping, the clocks and the jitter are injectable so that tests never wait."""

from __future__ import annotations

import email.utils
import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from observatory import PROJECT_URL

USER_AGENT = f"Observatoire/0.1 (+{PROJECT_URL})"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
SECRET_PARAMS = re.compile(r"(?i)\b(key|access_token|token|api_key|apikey|bearer)=[^&\s\"']+")

T = TypeVar("T")
R = TypeVar("R")


class HttpError(Exception):
    """A request that failed for good (after retries where retrying made sense)."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.status = status

    def __str__(self) -> str:
        return self.message


class NotFound(HttpError):
    """404 or 410: the account or resource does not exist (any more)."""


class Unauthorized(HttpError):
    """401 or 403: missing, wrong or insufficient key or token."""


class BadRequest(HttpError):
    """Any other 4xx: the API refused the request (its own error name is quoted)."""


class RateLimited(HttpError):
    """429 still answered after the retries, or a wait longer than allowed."""


class ServerError(HttpError):
    """5xx still answered after the retries."""


class NetworkError(HttpError):
    """Timeout, refused or reset connection, still failing after the retries."""


class OutOfTime(NetworkError):
    """The collection's time budget is spent: the request is not sent (nor retried)."""


class BadResponse(HttpError):
    """A 2xx answer whose body is not the JSON expected (malformed or truncated)."""


@dataclass(frozen=True)
class Page:
    """A web page as get_text read it: its address, status, type and decoded text; `location` is
    where a redirect (3xx, not followed) points, relative or absolute, as the server wrote it."""

    url: str
    status: int
    content_type: str
    text: str
    location: str | None = None


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes
    shown: str


def _text_of(body: bytes, content_type: str, shown: str) -> str:
    """A page's body as text, in the charset its Content-Type names (UTF-8 otherwise, then
    Windows-1252, which decodes any byte: old French sites still use it)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind and not (kind.startswith("text/") or kind.endswith("+xml") or kind == "application/xml"):
        raise BadResponse(f"réponse qui n'est pas une page (type {kind}, {shown})", url=shown)
    charset = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    for encoding in ([charset.group(1)] if charset else []) + ["utf-8", "cp1252", "latin-1"]:
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("latin-1")  # pragma: no cover - latin-1 decodes every byte


SHORTEST_FRAGMENT = 8  # a secret's start or end this long is masked too (a message cut mid-token)
DETAIL_LIMIT = 200  # characters of an API's error detail kept in a message, after redaction


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Text with every known secret, any long start or end of one, and every key-like query
    parameter masked. Call it before cutting a message: a cut secret is still mostly a secret."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
        for size in range(len(secret) - 1, SHORTEST_FRAGMENT - 1, -1):
            text = text.replace(secret[:size], "***").replace(secret[-size:], "***")
    return SECRET_PARAMS.sub(lambda m: f"{m.group(1)}=***", text)


def _api_detail(body: bytes) -> str:
    """The API's own error name or message from an error body, if there is one."""
    try:
        data = json.loads(body[:20000])
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    parts: list[str] = []
    error = data.get("error")
    if isinstance(error, dict):  # Google and Graph API: {"error": {"code", "message", ...}}
        label = str(error.get("message") or error.get("status") or "")
        extra = [str(error[k]) for k in ("type", "status") if isinstance(error.get(k), str)
                 and error[k] != label]
        if error.get("code") is not None:
            extra.append(f"code {error['code']}")
        reasons = [r.get("reason") for r in error.get("errors") or [] if isinstance(r, dict)]
        extra += [str(r) for r in reasons if r]
        parts.append(label + (f" ({', '.join(extra)})" if extra else ""))
    elif error:
        parts.append(str(error))
    for key in ("message", "detail", "title", "error_description"):
        if isinstance(data.get(key), str) and data[key] not in parts:
            parts.append(data[key])
            break
    return " : ".join(p for p in parts if p)  # cut by the caller, once the secrets are masked


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


def parse_reset(value: str | None, now: float) -> float | None:
    """Seconds until a rate-limit window resets: epoch seconds (X, Bluesky), seconds from now
    (IETF RateLimit-Reset) or an ISO 8601 moment (Mastodon)."""
    if not value:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return max(0.0, moment.timestamp() - now)
    return max(0.0, number - now) if number > 1e9 else max(0.0, number)


def _read_some(response: requests.Response) -> bytes:
    """Up to 64 KiB of the body, after one socket read: iter_content would wait for a whole
    chunk, so a server trickling bytes would never let the deadline be checked. urllib3's errors
    are raised as the requests errors get_json already classes."""
    try:
        return response.raw.read1(65536, decode_content=True)
    except urllib3.exceptions.ReadTimeoutError as error:
        raise requests.exceptions.ReadTimeout(error) from None
    except urllib3.exceptions.DecodeError as error:
        raise requests.exceptions.ContentDecodingError(error) from None
    except (urllib3.exceptions.ProtocolError, urllib3.exceptions.SSLError) as error:
        raise requests.exceptions.ChunkedEncodingError(error) from None


def _header(headers: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        if name in headers:
            return headers[name]
    return None


class Http:
    """A requests session shared by all collectors, with everything a polite client needs.

    - timeout: (connect, read) seconds for every request;
    - retries: extra attempts on 429, 5xx and connection errors, waiting Retry-After when
      given, else an exponential backoff with full jitter (base * 2**attempt, at most
      max_backoff);
    - max_retry_after: a longer Retry-After is not waited for, the request fails at once;
    - min_interval: per-host minimum spacing between requests (seconds), overridable per host;
    - rate-limit headers: when a host says no request is left, that host pauses until the
      window resets (at most max_wait seconds);
    - max_workers / per_host: bounded concurrency for map();
    - deadline: seconds a whole request may take, body included (the read timeout only bounds
      each socket read, so a server trickling a byte at a time would hold a request for hours);
      a request over its deadline fails at once, without retry: the host is too slow today;
    - max_body: bytes of an answer read at most (no API answer is near it).
    """

    def __init__(self, *, timeout: tuple[float, float] = (10.0, 30.0), retries: int = 4,
                 backoff: float = 1.0, max_backoff: float = 60.0, max_retry_after: float = 300.0,
                 max_wait: float = 900.0, min_interval: float = 0.2,
                 host_intervals: Mapping[str, float] | None = None, max_workers: int = 4,
                 per_host: int = 2, secrets: Iterable[str] = (),
                 sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic,
                 wallclock: Callable[[], float] = time.time,
                 rng: random.Random | None = None, user_agent: str = USER_AGENT,
                 deadline: float = 120.0, max_body: int = 50_000_000) -> None:
        self.timeout = timeout
        self.deadline = deadline
        self.max_body = max_body
        self.stop_at: float | None = None  # monotonic moment after which no request starts
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.max_wait = max_wait
        self.min_interval = min_interval
        self.host_intervals = dict(host_intervals or {})
        self.max_workers = max(1, max_workers)
        self.per_host = max(1, per_host)
        self.secrets = tuple(s for s in secrets if s)
        self.sleep = sleep
        self.monotonic = monotonic
        self.wallclock = wallclock
        self.rng = rng or random.Random()
        self.user_agent = user_agent
        self.requests: Counter[str] = Counter()  # attempts sent, by tag (platform)
        self.hosts: Counter[str] = Counter()  # attempts sent, by host
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._local = threading.local()
        self._sessions: list[requests.Session] = []

    # -- plumbing -------------------------------------------------------------------------

    def add_secret(self, secret: str | None) -> None:
        if secret:
            self.secrets = (*self.secrets, secret)

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=8, pool_maxsize=self.max_workers, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["User-Agent"] = self.user_agent
            session.headers["Accept"] = "application/json"
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def _throttle(self, host: str, interval: float | None) -> None:
        interval = self.host_intervals.get(host, self.min_interval if interval is None else interval)
        with self._lock:
            now = self.monotonic()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + interval
        if slot > now:
            self.sleep(slot - now)

    def _pause_host(self, host: str, seconds: float) -> None:
        seconds = min(seconds, self.max_wait)
        with self._lock:
            until = self.monotonic() + seconds
            if until > self._next_slot.get(host, 0.0):
                self._next_slot[host] = until

    @contextmanager
    def _host_slot(self, host: str):  # type: ignore[no-untyped-def]
        with self._lock:
            semaphore = self._semaphores.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with semaphore:
            yield

    def spend_until(self, stop_at: float | None) -> None:
        """No request starts after this monotonic moment (the run's or a platform's budget)."""
        self.stop_at = stop_at

    def _within_budget(self, shown: str) -> None:
        if self.stop_at is not None and self.monotonic() >= self.stop_at:
            raise OutOfTime(f"budget de temps de la collecte épuisé, requête non envoyée ({shown}) ; "
                            "relevé à la prochaine collecte", url=shown)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.max_backoff, self.backoff * (2 ** attempt))
        return self.rng.uniform(ceiling / 2, ceiling)

    def _note_rate_headers(self, host: str, headers: Mapping[str, str]) -> None:
        remaining = _header(headers, "ratelimit-remaining", "x-ratelimit-remaining",
                            "x-rate-limit-remaining", "RateLimit-Remaining")
        if remaining is None:
            return
        try:
            left = float(remaining)
        except ValueError:
            return
        if left > 0:
            return
        wait = parse_reset(_header(headers, "ratelimit-reset", "x-ratelimit-reset",
                                   "x-rate-limit-reset", "RateLimit-Reset"), self.wallclock())
        if wait:
            self._pause_host(host, wait)

    # -- the public part ------------------------------------------------------------------

    def get_json(self, url: str, *, params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
                 headers: Mapping[str, str] | None = None, tag: str = "",
                 interval: float | None = None) -> Any:
        """GET url and return its decoded JSON body, or raise an HttpError subclass.
        interval: the host's minimum spacing between requests, when the caller knows it and
        no host_intervals entry overrides it (min_interval otherwise)."""
        answer = self._get(url, params=params, headers=headers, tag=tag, interval=interval,
                           redirects=True)
        return self._decode(answer.status, answer.body, answer.shown)

    def get_text(self, url: str, *, headers: Mapping[str, str] | None = None, tag: str = "",
                 interval: float | None = None) -> Page:
        """GET a web page (HTML or text) without following redirects: a 3xx comes back as a Page
        whose `location` the caller judges (a crawler must not follow a site to another host
        unasked). Errors are those of get_json; a body that is not text is a BadResponse."""
        wanted = {"Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
                  **(headers or {})}
        answer = self._get(url, headers=wanted, tag=tag, interval=interval, redirects=False)
        location = answer.headers.get("Location") if 300 <= answer.status < 400 else None
        return Page(url=url, status=answer.status, content_type=answer.headers.get("Content-Type", ""),
                    text=_text_of(answer.body, answer.headers.get("Content-Type", ""), answer.shown),
                    location=location)

    def get_bytes(self, url: str, *, tag: str = "") -> bytes:
        """GET a data file and return its body as it came (for a caller that reads it as a file);
        errors are those of get_json, the size cap and the total deadline included."""
        return self._get(url, tag=tag, redirects=True).body

    def _get(self, url: str, *, params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
             headers: Mapping[str, str] | None = None, tag: str = "", interval: float | None = None,
             redirects: bool = True) -> _Answer:
        """The one request loop: throttling, retries, deadline, errors by cause. Returns a
        2xx answer (or a 3xx one when redirects are not followed); raises an HttpError otherwise."""
        parts = urlsplit(url)
        host = parts.netloc
        shown = self.redact(f"{parts.scheme}://{host}{parts.path}")
        attempt = 0
        while True:
            self._within_budget(shown)
            self._throttle(host, interval)
            failure: HttpError
            delay: float
            try:
                with self._host_slot(host):
                    with self._lock:
                        self.requests[tag] += 1
                        self.hosts[host] += 1
                    started = self.monotonic()
                    with self._session().get(url, params=params, headers=headers, timeout=self.timeout,
                                             stream=True, allow_redirects=redirects) as response:
                        body = self._read_body(response, started, shown)
            except requests.Timeout:
                failure = NetworkError(f"délai de réponse dépassé ({shown})", url=shown)
                delay = self._backoff(attempt)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
                kind = "réponse interrompue" if isinstance(
                    error, requests.exceptions.ChunkedEncodingError) else "connexion impossible ou coupée"
                failure = NetworkError(f"{kind} ({shown})", url=shown)
                delay = self._backoff(attempt)
            except requests.RequestException as error:
                raise NetworkError(self.redact(f"requête impossible ({shown}) : "
                                               f"{type(error).__name__}"), url=shown) from None
            else:
                status = response.status_code
                self._note_rate_headers(host, response.headers)
                detail = self.redact(_api_detail(body))[:DETAIL_LIMIT] if status >= 400 else ""
                suffix = f" : {detail}" if detail else ""
                if status in RETRY_STATUSES:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"), self.wallclock())
                    if status == 429:
                        failure = RateLimited(f"limite de requêtes atteinte (429, {shown}){suffix}",
                                              url=shown, status=status)
                    else:
                        failure = ServerError(f"erreur du serveur ({status}, {shown}){suffix}",
                                              url=shown, status=status)
                    if retry_after is not None and retry_after > self.max_retry_after:
                        failure.message += f" ; nouvel essai demandé dans {int(retry_after)} s"
                        raise failure
                    delay = retry_after if retry_after is not None else self._backoff(attempt)
                elif status in (404, 410):
                    raise NotFound(f"introuvable ({status}, {shown}){suffix}", url=shown, status=status)
                elif status in (401, 403):
                    raise Unauthorized(f"accès refusé ({status}, {shown}) : clé ou jeton absent, "
                                       f"invalide ou insuffisant{suffix}", url=shown, status=status)
                elif status >= 400:
                    raise BadRequest(f"requête refusée ({status}, {shown}){suffix}", url=shown,
                                     status=status)
                else:
                    return _Answer(status, response.headers, body, shown)
            attempt += 1
            if attempt > self.retries:
                failure.message += f" ; abandon après {attempt} essais"
                raise failure
            self.sleep(delay)

    def _read_body(self, response: requests.Response, started: float, shown: str) -> bytes:
        """The answer's body, read in chunks against the request's total deadline and size cap."""
        chunks: list[bytes] = []
        size = 0
        while chunk := _read_some(response):
            chunks.append(chunk)
            size += len(chunk)
            if self.monotonic() - started > self.deadline:
                raise NetworkError(f"délai total de {self.deadline:g} s dépassé, réponse trop lente "
                                   f"({shown}) ; pas de nouvel essai aujourd'hui", url=shown)
            if size > self.max_body:
                raise BadResponse(f"réponse trop volumineuse (plus de {self.max_body} octets, {shown})",
                                  url=shown, status=response.status_code)
        return b"".join(chunks)

    def _decode(self, status: int, body: bytes, shown: str) -> Any:
        try:
            return json.loads(body)
        except ValueError:
            what = "réponse vide" if not body.strip() else (
                "JSON tronqué" if body.lstrip()[:1] in (b"{", b"[") else "réponse qui n'est pas du JSON")
            raise BadResponse(f"{what} (HTTP {status}, {len(body)} octets, {shown})",
                              url=shown, status=status) from None

    def map(self, fn: Callable[[T], R], items: list[T]) -> list[R]:
        """fn over items with at most max_workers running at once, results in order."""
        if self.max_workers == 1 or len(items) <= 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(items))) as pool:
            return list(pool.map(fn, items))
