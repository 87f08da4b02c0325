"""PeerTube, no key: a channel's (or account's) followers and its recent videos, on the
instance that hosts it. The registry's handle name@instance does not say whether it names a
channel or an account: the channel is tried first (its address /c/ is the usual one), unless
the registered address says /a/ or /accounts/."""

from __future__ import annotations

from typing import Any

from observatory.collect.http import NotFound
from observatory.collect.platforms.base import Missing, Post, Posts, Profile, Target, as_int
from observatory.collect.platforms.mastodon import FediverseCollector, split_handle

KINDS = {"channel": "video-channels", "account": "accounts"}


class PeerTubeCollector(FediverseCollector):
    platform = "peertube"
    label = "PeerTube"
    videos_count = 50  # the list endpoints' count is at most 100
    request_interval = 0.2  # PeerTube's default API limit: 50 requests per 10 seconds

    def kinds(self, target: Target) -> tuple[str, ...]:
        known = target.known_id or ""
        url = target.account.url
        if ":account:" in known or "/a/" in url or "/accounts/" in url:
            return ("account", "channel")
        return ("channel", "account")

    def fetch_batch(self, targets: list[Target]) -> dict[str, Profile | Missing]:
        (target,) = targets
        name, host = split_handle(target.account.handle)
        for kind in self.kinds(target):
            try:
                actor = self.get_object(f"{self.base(host)}/api/v1/{KINDS[kind]}/{name}@{host}")
            except NotFound:
                continue
            following = as_int(actor.get("followingCount")) if kind == "account" else None
            return {target.key: Profile(
                account_id=f"{host}:{kind}:{actor['id']}", handle=f"{actor.get('name') or name}@{host}",
                followers=as_int(actor.get("followersCount")), following=following, posts=None)}
        return {target.key: Missing(f"ni chaîne ni compte « {name} » sur {host} (supprimé ou renommé)")}

    def fetch_posts(self, target: Target, profile: Profile) -> Posts:
        host, kind, _ = profile.account_id.split(":", 2)
        name = profile.handle.partition("@")[0]
        url = f"{self.base(host)}/api/v1/{KINDS[kind]}/{name}@{host}/videos"
        since = self.since
        posts: list[Post] = []
        total: int | None = None
        for page_number in range(self.max_post_pages):
            data = self.get_object(url, {"count": self.videos_count, "sort": "-publishedAt",
                                         "start": page_number * self.videos_count})
            total = as_int(data.get("total"))
            items = [self._post(video, host) for video in data["data"]]
            posts += items
            if len(items) < self.videos_count or min(p.published_at for p in items) < since:
                break
        return Posts(posts, total=total)

    def _post(self, video: dict[str, Any], host: str) -> Post:
        return Post(post_id=f"{host}:{video['uuid']}", published_at=self.time(video["publishedAt"]),
                    likes=as_int(video.get("likes")), replies=as_int(video.get("comments")),
                    views=as_int(video.get("views")))
