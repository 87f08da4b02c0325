"""Mastodon, no key, any instance: account lookup and recent statuses on the account's own
instance. OBSERVATORY_MASTODON_API sends every instance's requests to the one server given;
the account's own instance still appears in the stored handle and id."""

from __future__ import annotations

from typing import Any

from observatory.collect.http import NotFound
from observatory.collect.platforms.base import Collector, Missing, Post, Posts, Profile, Target, as_int


def split_handle(handle: str) -> tuple[str, str]:
    user, _, host = handle.partition("@")
    return user, host.lower()


class FediverseCollector(Collector):
    """What Mastodon and PeerTube share: one API per instance, an id stable on its instance."""

    def base(self, host: str) -> str:
        return self.override or f"https://{host}"

    @staticmethod
    def stable_id(host: str, local_id: Any) -> str:
        return f"{host}:{local_id}"

    @staticmethod
    def local_id(target: Target, host: str) -> str | None:
        known = target.known_id or ""
        prefix = f"{host}:"
        return known[len(prefix):] if known.startswith(prefix) else None


class MastodonCollector(FediverseCollector):
    platform = "mastodon"
    label = "Mastodon"
    statuses_limit = 40  # GET /api/v1/accounts/:id/statuses: limit at most 40
    request_interval = 1.0  # 300 requests per 5 minutes per address on each instance

    def fetch_batch(self, targets: list[Target]) -> dict[str, Profile | Missing]:
        (target,) = targets
        user, host = split_handle(target.account.handle)
        base = self.base(host)
        local_id = self.local_id(target, host)
        try:
            if local_id:  # known id: follows the account even if its name changed
                account = self.get_object(f"{base}/api/v1/accounts/{local_id}")
            else:
                account = self.get_object(f"{base}/api/v1/accounts/lookup", {"acct": f"{user}@{host}"})
        except NotFound:
            return {target.key: Missing(f"compte introuvable sur {host} (supprimé ou renommé)")}
        if account.get("suspended"):
            return {target.key: Missing(f"compte suspendu sur {host}")}
        acct = str(account.get("acct") or account["username"])
        handle = acct if "@" in acct else f"{acct}@{host}"
        moved = account.get("moved")
        note = f"le compte a déménagé vers {moved.get('acct')}" if isinstance(moved, dict) else None
        return {target.key: Profile(
            account_id=self.stable_id(host, account["id"]), handle=handle,
            followers=as_int(account.get("followers_count")),
            following=as_int(account.get("following_count")),
            posts=as_int(account.get("statuses_count")), note=note)}

    def fetch_posts(self, target: Target, profile: Profile) -> Posts:
        _, host = split_handle(target.account.handle)
        local_id = profile.account_id.split(":", 1)[1]
        since = self.since
        posts: list[Post] = []
        max_id: str | None = None
        for _ in range(self.max_post_pages):
            params: dict[str, Any] = {"limit": self.statuses_limit}
            if max_id:
                params["max_id"] = max_id
            page = self.get(f"{self.base(host)}/api/v1/accounts/{local_id}/statuses", params)
            if not isinstance(page, list):
                raise ValueError("liste de statuts attendue")
            items = [self._post(status, str(local_id), host) for status in page]
            posts += items
            if len(page) < self.statuses_limit or min(p.published_at for p in items) < since:
                break
            max_id = str(page[-1]["id"])
        return Posts(posts)

    def _post(self, status: dict[str, Any], local_id: str, host: str) -> Post:
        post_id = self.stable_id(host, status["id"])
        published = self.time(status["created_at"])
        if status.get("reblog"):
            return Post(post_id=post_id, published_at=published, is_repost=True)
        reply_to = status.get("in_reply_to_account_id")
        return Post(post_id=post_id, published_at=published,
                    is_reply=reply_to is not None and str(reply_to) != local_id,
                    likes=as_int(status.get("favourites_count")),
                    reposts=as_int(status.get("reblogs_count")),
                    replies=as_int(status.get("replies_count")),
                    quotes=as_int(status.get("quotes_count")))
