"""Fake platform APIs served by pytest-httpserver on 127.0.0.1, answering in the documented
shapes (payloads built from tests/fixtures/api/*.json), with switches for every fault."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "api"
NOW = datetime(2025, 3, 15, 6, 0, 0, tzinfo=UTC)
JSON = "application/json"
GRAPH_TIME = "%Y-%m-%dT%H:%M:%S+0000"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def reply(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status=status, content_type=JSON, headers=headers)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def did_for(handle: str) -> str:
    digest = base64.b32encode(hashlib.sha256(handle.encode()).digest()).decode().lower()
    return "did:plc:" + digest[:24]


class Clock:
    """A settable clock, for runs on successive days."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def next_day(self, days: int = 1) -> None:
        self.now += timedelta(days=days)


class QuickServer(HTTPServer):
    """pytest-httpserver polling for shutdown every 20 ms instead of 500 ms."""

    def thread_target(self) -> None:
        assert self.server is not None
        self.server.serve_forever(poll_interval=0.02)


@contextmanager
def fake_server(threaded: bool = False) -> Iterator[HTTPServer]:
    server = QuickServer(host="127.0.0.1", threaded=threaded)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()


def count(server: HTTPServer, path: str) -> int:
    return sum(1 for request, _ in server.log if request.path == path)


@dataclass
class Fault:
    """An injected fault: the requests it hits, what they get, how many times (None: always)."""

    match: Callable[[Request], bool]
    respond: Callable[[Request], Response]
    times: int | None = None


class Fake:
    """Shared state of a fake platform: the day (counts grow each day), the clock, the faults."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.faults: list[Fault] = []

    def fail(self, respond: Callable[[Request], Response], match: Callable[[Request], bool] | None = None,
             times: int | None = None) -> Fault:
        fault = Fault(match or (lambda request: True), respond, times)
        self.faults.append(fault)
        return fault

    def heal(self) -> None:
        self.faults.clear()

    def route(self, server: HTTPServer, uri: str | re.Pattern[str],
              handler: Callable[[Request], Response]) -> None:
        def dispatch(request: Request) -> Response:
            for fault in self.faults:
                if fault.times != 0 and fault.match(request):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault.respond(request)
            return handler(request)

        server.expect_request(uri).respond_with_handler(dispatch)

    @property
    def day(self) -> int:
        return (self.clock() - NOW).days

    def counts(self, n: int) -> tuple[int, int, int]:
        return 1000 + 7 * n + 3 * self.day, 50 + n, 200 + n + self.day

    def times(self, how_many: int) -> list[datetime]:
        """Publication times of an account's recent posts, newest first, then one too old."""
        now = self.clock()
        step = min(7.0, 24 * 28 / max(how_many, 1))  # all within the last 29 days
        return [now - timedelta(hours=5 + step * i) for i in range(how_many)] + [now - timedelta(days=45)]


class FakeBluesky(Fake):
    def __init__(self, handles: list[str], clock: Clock, posts: int = 2) -> None:
        super().__init__(clock)
        self.accounts = {did_for(h): {"handle": h, "n": n} for n, h in enumerate(handles)}
        self.gone: set[str] = set()  # deleted, deactivated or taken down: left out of answers
        self.drop_last = 0  # a batch answered only in part: drop this many profiles per answer
        self.posts = posts

    def install(self, server: HTTPServer) -> None:
        self.route(server, "/xrpc/app.bsky.actor.getProfiles", self.profiles)
        self.route(server, "/xrpc/app.bsky.feed.getAuthorFeed", self.feed)

    def rename(self, old: str, new: str) -> None:
        self.accounts[did_for(old)]["handle"] = new

    def resolve(self, actor: str) -> str | None:
        if actor.startswith("did:"):
            return actor if actor in self.accounts else None
        return next((d for d, a in self.accounts.items() if a["handle"] == actor.lower()), None)

    def profile(self, did: str) -> dict[str, Any]:
        account = self.accounts[did]
        data = copy.deepcopy(load("bluesky/getProfiles.json")["profiles"][0])
        followers, follows, posts = self.counts(account["n"])
        data.update(did=did, handle=account["handle"], displayName=f"Hôpital Fictif {account['n']:04d}",
                    followersCount=followers, followsCount=follows, postsCount=posts)
        return data

    def profiles(self, request: Request) -> Response:
        actors = request.args.getlist("actors")
        if not actors or len(actors) > 25:
            return reply(load("bluesky/error-invalid-request.json"), 400)
        found = [d for a in actors if (d := self.resolve(a)) and d not in self.gone]
        answer = [self.profile(d) for d in found]
        if self.drop_last:
            answer = answer[:-self.drop_last]
        return reply({"profiles": answer})

    def items(self, did: str) -> list[dict[str, Any]]:
        template = load("bluesky/getAuthorFeed.json")["feed"]
        handle = self.accounts[did]["handle"]
        times = self.times(self.posts + 2)
        out = []
        for i, moment in enumerate(times):
            kind = 0 if i < self.posts or i == len(times) - 1 else (1 if i == self.posts else 2)
            item = copy.deepcopy(template[kind])
            if kind == 2:
                item["reason"].update(uri=f"at://{did}/app.bsky.feed.repost/r{i}", indexedAt=iso(moment),
                                      by={"did": did, "handle": handle})
            else:
                post = item["post"]
                post.update(uri=f"at://{did}/app.bsky.feed.post/p{i}", indexedAt=iso(moment),
                            author={"did": did, "handle": handle}, likeCount=10 + i + abs(self.day),
                            repostCount=i, replyCount=1, quoteCount=0)
                post["record"]["createdAt"] = iso(moment)
            out.append(item)
        return out

    def feed(self, request: Request) -> Response:
        did = self.resolve(request.args.get("actor", ""))
        if did is None or did in self.gone:
            return reply({"error": "InvalidRequest", "message": "Profile not found"}, 400)
        limit = int(request.args.get("limit", 50))
        start = int(request.args.get("cursor", 0))
        items = self.items(did)
        page = items[start:start + limit]
        data: dict[str, Any] = {"feed": page}
        if start + limit < len(items):
            data["cursor"] = str(start + limit)
        return reply(data)


class FakeMastodon(Fake):
    """Several instances behind one server (OBSERVATORY_MASTODON_API)."""

    def __init__(self, handles: list[str], clock: Clock, posts: int = 2) -> None:
        super().__init__(clock)
        self.accounts: dict[str, dict[str, Any]] = {}
        for n, handle in enumerate(handles):
            user, host = handle.split("@")
            self.accounts[str(110000000000000000 + n)] = {"user": user, "host": host, "n": n}
        self.suspended: set[str] = set()
        self.deleted: set[str] = set()
        self.posts = posts

    def install(self, server: HTTPServer) -> None:
        self.route(server, re.compile(r"^/api/v1/accounts/.+"), self.answer)

    def id_of(self, handle: str) -> str:
        user, host = handle.split("@")
        return next(i for i, a in self.accounts.items() if a["user"] == user and a["host"] == host)

    def account(self, local_id: str) -> dict[str, Any]:
        info = self.accounts[local_id]
        data = copy.deepcopy(load("mastodon/account.json"))
        followers, following, statuses = self.counts(info["n"])
        data.update(id=local_id, username=info["user"], acct=info["user"], followers_count=followers,
                    following_count=following, statuses_count=statuses,
                    url=f"https://{info['host']}/@{info['user']}")
        if local_id in self.suspended:
            data.update(suspended=True, followers_count=0, following_count=0, statuses_count=0)
        return data

    def statuses(self, local_id: str, max_id: str | None, limit: int) -> list[dict[str, Any]]:
        template = load("mastodon/statuses.json")
        out = []
        for i, moment in enumerate(self.times(self.posts + 2)):
            kind = 0 if i < self.posts or i == self.posts + 2 else (1 if i == self.posts else 2)
            status = copy.deepcopy(template[kind])
            status.update(id=str(int(local_id) * 1000 + 999 - i), created_at=iso(moment),
                          favourites_count=5 + i + abs(self.day) if kind != 2 else 0)
            out.append(status)
        if max_id:
            out = [s for s in out if int(s["id"]) < int(max_id)]
        return out[:limit]

    def answer(self, request: Request) -> Response:
        parts = request.path.split("/")[4:]
        not_found = reply(load("mastodon/error-not-found.json"), 404)
        if parts == ["lookup"]:
            user, _, host = request.args.get("acct", "").partition("@")
            found = [i for i, a in self.accounts.items() if a["user"] == user and a["host"] == host]
            if not found or found[0] in self.deleted:
                return not_found
            return reply(self.account(found[0]))
        local_id = parts[0]
        if local_id not in self.accounts or local_id in self.deleted:
            return not_found
        if len(parts) == 1:
            return reply(self.account(local_id))
        if parts[1:] == ["statuses"]:
            return reply(self.statuses(local_id, request.args.get("max_id"),
                                       min(40, int(request.args.get("limit", 20)))))
        return not_found


class FakePeerTube(Fake):
    def __init__(self, handles: list[str], clock: Clock, accounts_only: set[str] | None = None,
                 posts: int = 2) -> None:
        super().__init__(clock)
        self.actors = {h: n for n, h in enumerate(handles)}
        self.accounts_only = accounts_only or set()  # handles that name an account, not a channel
        self.deleted: set[str] = set()
        self.posts = posts

    def install(self, server: HTTPServer) -> None:
        self.route(server, re.compile(r"^/api/v1/(video-channels|accounts)/.+"), self.answer)

    def answer(self, request: Request) -> Response:
        _, _, _, kind, handle, *rest = request.path.split("/")
        exists = handle in self.actors and handle not in self.deleted and (
            (kind == "accounts") == (handle in self.accounts_only))
        if not exists:
            return reply(load("peertube/error-not-found.json"), 404)
        n = self.actors[handle]
        name, host = handle.split("@")
        followers, following, _ = self.counts(n)
        if not rest:
            data = load(f"peertube/{'video-channel' if kind == 'video-channels' else 'account'}.json")
            data.update(id=100 + n, name=name, host=host, followersCount=followers)
            if kind == "accounts":
                data["followingCount"] = following
            return reply(data)
        template = load("peertube/videos.json")
        videos = []
        for i, moment in enumerate(self.times(self.posts)):
            video = copy.deepcopy(template["data"][0])
            video.update(id=n * 100 + i, uuid=f"00000000-0000-4000-8000-{n:08d}{i:04d}",
                         publishedAt=iso(moment), views=100 * i + abs(self.day), likes=i)
            videos.append(video)
        start, size = int(request.args.get("start", 0)), int(request.args.get("count", 15))
        return reply({"total": 40 + n, "data": videos[start:start + size]})


class FakeYouTube(Fake):
    def __init__(self, count_: int, clock: Clock, key: str = "cle-fictive-youtube", videos: int = 2) -> None:
        super().__init__(clock)
        self.count = count_
        self.key = key
        self.videos = videos
        self.gone: set[int] = set()
        self.hidden: set[int] = set()
        self.drop_last = 0

    def install(self, server: HTTPServer) -> None:
        for resource, handler in (("channels", self.channels), ("playlistItems", self.playlist),
                                  ("videos", self.video_stats)):
            self.route(server, f"/youtube/v3/{resource}", handler)

    def check_key(self, request: Request) -> Response | None:
        if request.headers.get("X-Goog-Api-Key") != self.key or "key" in request.args:
            return reply({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                                    "errors": [{"reason": "keyInvalid", "domain": "usageLimits"}]}}, 400)
        return None

    def number(self, channel_id: str) -> int | None:
        if not re.fullmatch(r"UC[0-9]{22}", channel_id):
            return None
        n = int(channel_id[2:])
        return n if n < self.count and n not in self.gone else None

    def item(self, n: int) -> dict[str, Any]:
        data = copy.deepcopy(load("youtube/channels.json")["items"][0])
        channel_id = f"UC{n:022d}"
        subscribers, _, videos = self.counts(n)
        data["id"] = channel_id
        data["snippet"].update(title=f"Hôpital Fictif {n:04d}", customUrl=f"@hopitalfictif{n:04d}")
        data["contentDetails"]["relatedPlaylists"]["uploads"] = "UU" + channel_id[2:]
        data["statistics"].update(subscriberCount=str(subscribers), videoCount=str(videos),
                                  hiddenSubscriberCount=n in self.hidden)
        if n in self.hidden:
            del data["statistics"]["subscriberCount"]
        return data

    def channels(self, request: Request) -> Response:
        if (bad := self.check_key(request)) is not None:
            return bad
        # forHandle takes one @handle; forUsername one legacy user name (youtube.com/user/NAME)
        for name, pattern in (("forHandle", r"@hopitalfictif([0-9]{4})"),
                              ("forUsername", r"HopitalFictif([0-9]{4})")):
            if name in request.args:
                match = re.fullmatch(pattern, request.args[name])
                n = int(match.group(1)) if match else None
                numbers = [n] if n is not None and n < self.count and n not in self.gone else []
                break
        else:
            ids = request.args.get("id", "").split(",")
            if len(ids) > 50:
                return reply({"error": {"code": 400, "message": "Invalid id filter"}}, 400)
            numbers = [n for i in ids if (n := self.number(i)) is not None]
        items = [self.item(n) for n in numbers]
        if self.drop_last:
            items = items[:-self.drop_last]
        if not items:
            return reply(load("youtube/channels-empty.json"))
        return reply({**load("youtube/channels.json"), "items": items,
                      "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}})

    def video_times(self) -> list[datetime]:
        return self.times(self.videos)

    def playlist(self, request: Request) -> Response:
        if (bad := self.check_key(request)) is not None:
            return bad
        playlist = request.args.get("playlistId", "")
        n = int(playlist[2:]) if re.fullmatch(r"UU[0-9]{22}", playlist) else None
        if n is None or n >= self.count or n in self.gone:
            return reply({"error": {"code": 404, "message": "The playlist identified with the request's "
                                    "<code>playlistId</code> parameter cannot be found."}}, 404)
        template = load("youtube/playlistItems.json")
        items = []
        for i, moment in enumerate(self.video_times()):
            entry = copy.deepcopy(template["items"][0])
            entry["contentDetails"] = {"videoId": f"v{n:05d}x{i:02d}",
                                       "videoPublishedAt": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}
            items.append(entry)
        return reply({**template, "items": items})

    def video_stats(self, request: Request) -> Response:
        if (bad := self.check_key(request)) is not None:
            return bad
        ids = request.args.get("id", "").split(",")
        if len(ids) > 50:
            return reply({"error": {"code": 400, "message": "Invalid id filter"}}, 400)
        template = load("youtube/videos.json")
        items = []
        for video_id in ids:
            match = re.fullmatch(r"v([0-9]{5})x([0-9]{2})", video_id)
            if not match:
                continue
            n, i = int(match.group(1)), int(match.group(2))
            item = copy.deepcopy(template["items"][0])
            item["id"] = video_id
            item["snippet"]["publishedAt"] = self.video_times()[i].strftime("%Y-%m-%dT%H:%M:%SZ")
            item["snippet"]["channelId"] = f"UC{n:022d}"
            item["statistics"].update(viewCount=str(1000 * i + n + abs(self.day)), likeCount=str(i),
                                      commentCount=str(n % 5))
            items.append(item)
        return reply({**template, "items": items})


class FakeX(Fake):
    def __init__(self, usernames: list[str], clock: Clock, token: str = "jeton-fictif-x",
                 timelines: bool = True) -> None:
        super().__init__(clock)
        self.users = {str(1000000000000000000 + n): {"username": u, "n": n} for n, u in enumerate(usernames)}
        self.token = token
        self.timelines = timelines
        self.suspended: set[str] = set()
        self.deleted: set[str] = set()

    def install(self, server: HTTPServer) -> None:
        self.route(server, re.compile(r"^/2/users.*"), self.answer)

    def user(self, user_id: str) -> dict[str, Any]:
        info = self.users[user_id]
        followers, following, tweets = self.counts(info["n"])
        return {"id": user_id, "name": f"Hôpital Fictif {info['n']:04d}", "username": info["username"],
                "public_metrics": {"followers_count": followers, "following_count": following,
                                   "tweet_count": tweets, "listed_count": 3, "like_count": 9}}

    def error(self, value: str, parameter: str, suspended: bool) -> dict[str, Any]:
        template = load("x/users_by.json")["errors"][1 if suspended else 0]
        detail = template["detail"].split(": [")[0]
        return {**template, "value": value, "resource_id": value, "parameter": parameter,
                "detail": f"{detail}: [{value}]."}

    def answer(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return reply({"title": "Unauthorized", "type": "about:blank", "status": 401,
                          "detail": "Unauthorized"}, 401)
        path = request.path
        if path in ("/2/users/by", "/2/users"):
            parameter = "usernames" if path.endswith("/by") else "ids"
            values = request.args.get(parameter, "").split(",")
            if len(values) > 100:
                return reply({"errors": [{"message": "size must be between 1 and 100"}],
                              "title": "Invalid Request", "type": "https://api.twitter.com/2/problems/invalid-request"},
                             400)
            data, errors = [], []
            for value in values:
                user_id = value if parameter == "ids" else next(
                    (i for i, u in self.users.items() if u["username"].lower() == value.lower()), None)
                if user_id is None or user_id not in self.users or user_id in self.deleted:
                    errors.append(self.error(value, parameter, False))
                elif user_id in self.suspended:
                    errors.append(self.error(value, parameter, True))
                else:
                    data.append(self.user(user_id))
            answer: dict[str, Any] = {}
            if data:
                answer["data"] = data
            if errors:
                answer["errors"] = errors
            return reply(answer)
        match = re.fullmatch(r"/2/users/([0-9]+)/tweets", path)
        if match:
            if not self.timelines:
                return reply(load("x/error-client-not-enrolled.json"), 403)
            template = load("x/tweets.json")
            tweets = []
            for i, moment in enumerate(self.times(3)[:3]):
                tweet = copy.deepcopy(template["data"][i])
                tweet.update(id=f"{match.group(1)}{i:03d}", created_at=iso(moment))
                tweets.append(tweet)
            return reply({"data": tweets, "meta": {"result_count": len(tweets)}})
        return reply({"title": "Not Found Error"}, 404)


class FakeGraph(Fake):
    """Facebook pages (?ids=) and Instagram business discovery."""

    def __init__(self, pages: list[str], instagram: list[str], clock: Clock,
                 token: str = "jeton-fictif-meta", ig_user: str = "17841499999999999",
                 page_posts: bool = True) -> None:
        super().__init__(clock)
        self.pages = {name: n for n, name in enumerate(pages)}
        self.instagram = {name: n for n, name in enumerate(instagram)}
        self.token = token
        self.ig_user = ig_user
        self.page_posts = page_posts
        self.gone: set[str] = set()

    def install(self, server: HTTPServer) -> None:
        self.route(server, re.compile(r"^/v21\.0/.*"), self.answer)

    def answer(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return reply(load("facebook/error-token.json"), 400)
        path = request.path.removeprefix("/v21.0/")
        if path == "" and "ids" in request.args:
            names = request.args["ids"].split(",")
            missing = [n for n in names if n not in self.pages or n in self.gone]
            if missing:
                error = load("facebook/error-alias.json")
                error["error"]["message"] = ("(#803) Some of the aliases you requested do not exist: "
                                             + ",".join(missing))
                return reply(error, 404)
            answer = {}
            for name in names:
                n = self.pages[name]
                followers, _, _ = self.counts(n)
                answer[name] = {"id": str(100000000000000 + n), "username": name,
                                "name": f"Hôpital Fictif {n:04d}", "followers_count": followers,
                                "fan_count": followers - 10}
            return reply(answer)
        if path == self.ig_user:
            match = re.search(r"business_discovery\.username\(([^)]+)\)", request.args.get("fields", ""))
            name = match.group(1) if match else ""
            if name not in self.instagram or name in self.gone:
                return reply(load("instagram/error-not-business.json"), 400)
            n = self.instagram[name]
            data = load("instagram/business_discovery.json")
            found = data["business_discovery"]
            followers, follows, media = self.counts(n)
            found.update(id=str(17841400000000000 + n), username=name, followers_count=followers,
                         follows_count=follows, media_count=media)
            times = self.times(2)
            found["media"]["data"] = [
                {"id": f"18{n:06d}{i:03d}", "timestamp": m.strftime(GRAPH_TIME), "like_count": 10 + i,
                 "comments_count": i} for i, m in enumerate(times)]
            data["id"] = self.ig_user
            return reply(data)
        match = re.fullmatch(r"([0-9]+)/posts", path)
        if match:
            if not self.page_posts:
                return reply({"error": {"message": "(#10) This endpoint requires the 'pages_read_engagement' "
                                        "permission or the 'Page Public Content Access' feature.",
                                        "type": "OAuthException", "code": 10}}, 400)
            data = load("facebook/posts.json")
            post = data["data"][0]
            post.update(id=f"{match.group(1)}_1", created_time=self.clock().strftime(GRAPH_TIME))
            return reply(data)
        return reply({"error": {"message": "Unsupported get request.", "type": "GraphMethodException",
                                "code": 100}}, 400)


@contextmanager
def reset_server() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that accepts connections and resets them at once."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            with suppress(OSError):
                conn.recv(1024)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


# -- ready-made faults --------------------------------------------------------------------------

def too_many(retry_after: str = "1") -> Callable[[Request], Response]:
    return lambda request: reply({"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, 429,
                                 {"Retry-After": retry_after})


def server_error(request: Request) -> Response:
    return reply({"error": "InternalServerError", "message": "Internal Server Error"}, 500)


def truncated(request: Request) -> Response:
    return Response('{"profiles": [{"did": "did:plc:', content_type=JSON)


def malformed(request: Request) -> Response:
    return Response("<html><body>502 Bad Gateway</body></html>", content_type="text/html")


def slow(seconds: float) -> Callable[[Request], Response]:
    def respond(request: Request) -> Response:
        time.sleep(seconds)
        return reply({})
    return respond


def asks_for(value: str, parameter: str = "actors") -> Callable[[Request], bool]:
    """Requests whose query names this value (a batch holding this account, for instance)."""
    return lambda request: value in request.args.getlist(parameter) or value in request.args.get(
        parameter, "").split(",") or value in request.path
