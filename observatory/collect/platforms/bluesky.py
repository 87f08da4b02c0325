"""Bluesky through the public AppView, no key: profiles 25 at a time, recent posts by author.

History follows the account's DID: once an account has been seen, it is asked for by its DID,
so a handle change neither breaks nor splits its history (the new handle is stored and the
change reported)."""

from __future__ import annotations

from typing import Any

from observatory.collect.platforms.base import Collector, Missing, Post, Posts, Profile, Target, as_int

DID_PREFIX = "did:"


class BlueskyCollector(Collector):
    platform = "bluesky"
    label = "Bluesky"
    batch_size = 25  # app.bsky.actor.getProfiles: actors, maxLength 25
    request_interval = 0.1  # public AppView: 3,000 requests per 5 minutes per address
    default_api = "https://public.api.bsky.app"
    feed_limit = 100  # app.bsky.feed.getAuthorFeed: limit 1..100

    def actor(self, target: Target) -> str:
        """The DID when known (registry id or earlier snapshots), else the handle."""
        for candidate in (target.account.platform_id, target.known_id):
            if candidate and candidate.startswith(DID_PREFIX):
                return candidate
        return target.account.handle

    def fetch_batch(self, targets: list[Target]) -> dict[str, Profile | Missing]:
        actors = [self.actor(t) for t in targets]
        data = self.get_object(f"{self.api}/xrpc/app.bsky.actor.getProfiles",
                               [("actors", a) for a in actors])
        by_actor: dict[str, dict[str, Any]] = {}
        for profile in data["profiles"]:
            by_actor[profile["did"]] = profile
            by_actor[str(profile.get("handle", "")).lower()] = profile
        answers: dict[str, Profile | Missing] = {}
        for target, actor in zip(targets, actors, strict=True):
            profile = by_actor.get(actor if actor.startswith(DID_PREFIX) else actor.lower())
            if profile is None:
                continue
            labels = {label.get("val") for label in profile.get("labels") or [] if isinstance(label, dict)}
            if "!takedown" in labels or "!suspend" in labels:
                answers[target.key] = Missing("compte suspendu par la modération de Bluesky")
                continue
            handle = profile.get("handle") or target.account.handle
            if handle == "handle.invalid":
                handle = target.account.handle
            answers[target.key] = Profile(
                account_id=profile["did"], handle=handle,
                followers=as_int(profile.get("followersCount")),
                following=as_int(profile.get("followsCount")),
                posts=as_int(profile.get("postsCount")))
        return answers

    def fetch_posts(self, target: Target, profile: Profile) -> Posts:
        since = self.since
        posts: list[Post] = []
        cursor: str | None = None
        for _ in range(self.max_post_pages):
            params: dict[str, Any] = {"actor": profile.account_id, "limit": self.feed_limit,
                                      "filter": "posts_with_replies"}
            if cursor:
                params["cursor"] = cursor
            data = self.get_object(f"{self.api}/xrpc/app.bsky.feed.getAuthorFeed", params)
            page = [self._post(item, profile.account_id) for item in data["feed"]]
            posts += page
            cursor = data.get("cursor")
            if not cursor or not page or min(p.published_at for p in page) < since:
                break
        return Posts(posts)

    def _post(self, item: dict[str, Any], did: str) -> Post:
        post = item["post"]
        reason = item.get("reason") or {}
        if str(reason.get("$type", "")).endswith("#reasonRepost"):
            repost_id = reason.get("uri") or f"repost:{did}:{post['uri']}"
            return Post(post_id=repost_id, published_at=self.time(reason["indexedAt"]),
                        is_repost=True)
        record = post.get("record") or {}
        indexed = self.time(post["indexedAt"])
        try:
            created = self.time(record["createdAt"])
        except (KeyError, TypeError, ValueError):
            created = indexed
        parent = ((record.get("reply") or {}).get("parent") or {}).get("uri", "")
        is_reply = bool(parent) and not parent.startswith(f"at://{did}/")
        return Post(post_id=post["uri"], published_at=min(created, indexed), is_reply=is_reply,
                    likes=as_int(post.get("likeCount")), reposts=as_int(post.get("repostCount")),
                    replies=as_int(post.get("replyCount")), quotes=as_int(post.get("quoteCount")))
