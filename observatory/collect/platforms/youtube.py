"""YouTube Data API v3 with a free API key (OBSERVATORY_YOUTUBE_KEY).

Every list call costs 1 unit of the 10,000 daily units: channels.list takes 50 channel ids per
call (forHandle only one @handle, forUsername only one legacy user name written user/NAME, so a
channel seen once is asked for by its id afterwards);
each channel's uploads playlist gives its latest videos (1 unit), and videos.list gives the
statistics of 50 videos per call, across channels. The run stops asking once its budget
(OBSERVATORY_YOUTUBE_QUOTA, 9,000 units by default) would be exceeded. The key travels in the
X-Goog-Api-Key header, never in an address."""

from __future__ import annotations

import threading
from typing import Any

from observatory.collect.http import HttpError, RateLimited
from observatory.collect.platforms.base import (
    SHAPE_ERRORS,
    Collected,
    Collector,
    Failure,
    Missing,
    Post,
    Profile,
    Target,
    as_int,
    chunks,
    describe,
)
from observatory.registry.handles import YOUTUBE_CHANNEL, YOUTUBE_USER
from observatory.textfmt import plural

KEY = "OBSERVATORY_YOUTUBE_KEY"
QUOTA = "OBSERVATORY_YOUTUBE_QUOTA"
DEFAULT_QUOTA = 9000


class QuotaExhausted(RateLimited):
    pass


class YouTubeCollector(Collector):
    platform = "youtube"
    label = "YouTube"
    env_keys = (KEY,)
    batch_size = 50  # channels.list id: at most 50
    default_api = "https://www.googleapis.com"
    request_interval = 0.1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = int(self.env.get(QUOTA) or DEFAULT_QUOTA)
        self.units = 0
        self._units_lock = threading.Lock()
        self._uploads: dict[str, str] = {}

    def call(self, resource: str, params: dict[str, Any]) -> dict[str, Any]:
        with self._units_lock:
            if self.units + 1 > self.budget:
                raise QuotaExhausted(f"budget de quota YouTube atteint ({self.budget} unités pour "
                                     f"cette collecte, variable {QUOTA})")
            self.units += 1
        return self.get_object(f"{self.api}/youtube/v3/{resource}", params,
                               {"X-Goog-Api-Key": self.key(KEY)})

    @staticmethod
    def channel_id(target: Target) -> str | None:
        for candidate in (target.account.platform_id, target.known_id, target.account.handle):
            if candidate and YOUTUBE_CHANNEL.match(candidate):
                return candidate
        return None

    def batches(self, targets: list[Target]) -> list[list[Target]]:
        """Channels known by id, 50 a call; each @handle or user name alone (one per call)."""
        known = [t for t in targets if self.channel_id(t)]
        return chunks(known, self.batch_size) + [[t] for t in targets if not self.channel_id(t)]

    def fetch_batch(self, targets: list[Target]) -> dict[str, Profile | Missing]:
        parts = "snippet,statistics,contentDetails"
        answers: dict[str, Profile | Missing] = {}
        by_id = {cid: t for t in targets if (cid := self.channel_id(t))}
        if by_id:
            data = self.call("channels", {"part": parts, "id": ",".join(by_id), "maxResults": 50})
            for item in data.get("items") or []:
                if item["id"] in by_id:
                    answers[by_id[item["id"]].key] = self._profile(item, by_id[item["id"]])
        for target in (t for t in targets if not self.channel_id(t)):
            data = self.call("channels", {"part": parts, **self.lookup(target.account.handle)})
            items = data.get("items") or []
            answers[target.key] = (self._profile(items[0], target) if items else
                                   Missing(self.not_found(target.account.handle)))
        return answers

    @staticmethod
    def lookup(handle: str) -> dict[str, str]:
        """The channels.list filter for a channel not yet known by its id."""
        if user := YOUTUBE_USER.fullmatch(handle):
            return {"forUsername": user.group(1)}
        return {"forHandle": handle}

    @staticmethod
    def not_found(handle: str) -> str:
        if user := YOUTUBE_USER.fullmatch(handle):
            return (f"aucune chaîne pour l'ancien nom d'utilisateur YouTube « {user.group(1)} » (adresse "
                    f"/user/{user.group(1)}) : indiquer le @nom ou l'identifiant UC… de la chaîne")
        return f"aucune chaîne pour {handle}"

    def _profile(self, item: dict[str, Any], target: Target) -> Profile:
        stats = item["statistics"]
        uploads = ((item.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
        if uploads:
            self._uploads[item["id"]] = uploads
        hidden = bool(stats.get("hiddenSubscriberCount"))
        handle = (item.get("snippet") or {}).get("customUrl") or target.account.handle
        return Profile(account_id=item["id"], handle=handle,
                       followers=None if hidden else as_int(stats.get("subscriberCount")),
                       following=None, posts=as_int(stats.get("videoCount")))

    def collect_posts(self, collected: list[Collected]) -> list[Failure]:
        """Latest uploads of each channel, then statistics of every recent video, 50 a call."""
        since = self.since
        failures: list[Failure] = []
        wanted: dict[str, Collected] = {}  # video id -> channel

        def uploads(item: Collected) -> tuple[Collected, list[tuple[str, str]] | Failure]:
            playlist = self._uploads.get(item.profile.account_id)
            if not playlist or item.profile.posts == 0:
                return item, []
            try:
                data = self.call("playlistItems", {"part": "contentDetails", "playlistId": playlist,
                                                   "maxResults": 50})
                videos = [(entry["contentDetails"]["videoId"],
                           entry["contentDetails"].get("videoPublishedAt") or "")
                          for entry in data.get("items") or []]
            except (HttpError, *SHAPE_ERRORS) as error:
                return item, Failure(item.target, "publications", describe(error))
            return item, videos

        for item, videos in self.http.map(uploads, collected):
            if isinstance(videos, Failure):
                failures.append(videos)
                continue
            item.posts = []
            item.posts_measured_at = self.clock()
            for video_id, published in videos:
                if published and self.time(published) >= since:
                    wanted[video_id] = item

        def statistics(ids: list[str]) -> tuple[list[str], dict[str, Any] | Exception]:
            try:
                return ids, self.call("videos", {"part": "snippet,statistics", "id": ",".join(ids),
                                                 "maxResults": 50})
            except (HttpError, *SHAPE_ERRORS) as error:
                return ids, error

        for ids, answer in self.http.map(statistics, chunks(list(wanted), 50)):
            if isinstance(answer, Exception):
                for item in {id(wanted[v]): wanted[v] for v in ids}.values():
                    item.posts = None
                    failures.append(Failure(item.target, "publications", describe(answer)))
                continue
            measured = self.clock()
            for video in answer.get("items") or []:
                item = wanted.get(video["id"])
                if item is None or item.posts is None:
                    continue
                stats = video.get("statistics") or {}
                item.posts.append(Post(
                    post_id=video["id"], published_at=self.time(video["snippet"]["publishedAt"]),
                    likes=as_int(stats.get("likeCount")), replies=as_int(stats.get("commentCount")),
                    views=as_int(stats.get("viewCount"))))
                item.posts_measured_at = measured
        failures.sort(key=lambda f: f.target.key)
        self.note(f"quota YouTube utilisé : {plural(self.units, 'unité')} sur un budget de {self.budget}")
        return failures
