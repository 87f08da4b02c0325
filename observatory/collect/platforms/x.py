"""X (Twitter) API v2 with a bearer token (OBSERVATORY_X_BEARER_TOKEN): users looked up 100 at
a time with their public metrics (by id once known, so a renamed account keeps its history),
then recent posts' metrics where the token's access tier allows reading timelines."""

from __future__ import annotations

from typing import Any

from observatory.collect.http import RateLimited, Unauthorized
from observatory.collect.platforms.base import Collector, Missing, Post, Posts, Profile, Target, as_int
from observatory.store.snapshots import utc_text

TOKEN = "OBSERVATORY_X_BEARER_TOKEN"


class XCollector(Collector):
    platform = "twitter"
    label = "X (Twitter)"
    env_keys = (TOKEN,)
    batch_size = 100  # GET /2/users/by and /2/users: at most 100 per request
    default_api = "https://api.x.com"
    request_interval = 1.0  # app limits per 15 minutes are low: no bursts

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key(TOKEN)}"}

    @staticmethod
    def user_id(target: Target) -> str | None:
        for candidate in (target.account.platform_id, target.known_id):
            if candidate and candidate.isdigit():
                return candidate
        return None

    def fetch_batch(self, targets: list[Target]) -> dict[str, Profile | Missing]:
        answers: dict[str, Profile | Missing] = {}
        fields = {"user.fields": "public_metrics"}
        by_id = {uid: t for t in targets if (uid := self.user_id(t))}
        by_name = {t.account.handle.lower(): t for t in targets if not self.user_id(t)}
        lookups = []
        if by_id:
            lookups.append(("ids", by_id, f"{self.api}/2/users", {"ids": ",".join(by_id), **fields}))
        if by_name:
            lookups.append(("usernames", by_name, f"{self.api}/2/users/by",
                            {"usernames": ",".join(t.account.handle for t in by_name.values()), **fields}))
        for _, wanted, url, params in lookups:
            data = self.get_object(url, params, self.headers)
            for user in data.get("data") or []:
                target = wanted.get(user["id"]) or wanted.get(str(user.get("username", "")).lower())
                if target is None:
                    continue
                metrics = user.get("public_metrics") or {}
                answers[target.key] = Profile(
                    account_id=user["id"], handle=user.get("username") or target.account.handle,
                    followers=as_int(metrics.get("followers_count")),
                    following=as_int(metrics.get("following_count")),
                    posts=as_int(metrics.get("tweet_count")))
            for error in data.get("errors") or []:
                value = str(error.get("value") or error.get("resource_id") or "")
                target = wanted.get(value) or wanted.get(value.lower())
                if target is None or target.key in answers:
                    continue
                detail = str(error.get("detail") or error.get("title") or "")
                reason = ("compte suspendu par X" if "suspend" in detail.lower()
                          else "compte introuvable sur X (supprimé ou renommé)")
                answers[target.key] = Missing(f"{reason} ({detail[:120]})" if detail else reason)
        return answers

    def fetch_posts(self, target: Target, profile: Profile) -> Posts | None:
        if not self.posts_enabled:
            return None
        params = {"max_results": 100, "start_time": utc_text(self.since),
                  "tweet.fields": "created_at,public_metrics,referenced_tweets,in_reply_to_user_id"}
        try:
            data = self.get_object(f"{self.api}/2/users/{profile.account_id}/tweets", params, self.headers)
        except (Unauthorized, RateLimited) as error:
            # The free tier cannot read timelines, and the basic tier's allowance is small:
            # stop asking for the rest of this run instead of failing every account.
            self.posts_enabled = False
            self.note(f"publications X non relevées : le niveau d'accès du jeton ne le permet pas "
                      f"ou sa limite est atteinte ({error.message})")
            return None
        return Posts([self._post(tweet, profile.account_id) for tweet in data.get("data") or []])

    def _post(self, tweet: dict[str, Any], user_id: str) -> Post:
        kinds = {ref.get("type") for ref in tweet.get("referenced_tweets") or []}
        published = self.time(tweet["created_at"])
        if "retweeted" in kinds:
            return Post(post_id=tweet["id"], published_at=published, is_repost=True)
        metrics = tweet.get("public_metrics") or {}
        reply_to = tweet.get("in_reply_to_user_id")
        return Post(post_id=tweet["id"], published_at=published,
                    is_reply="replied_to" in kinds and reply_to is not None and str(reply_to) != user_id,
                    likes=as_int(metrics.get("like_count")), reposts=as_int(metrics.get("retweet_count")),
                    replies=as_int(metrics.get("reply_count")), quotes=as_int(metrics.get("quote_count")),
                    views=as_int(metrics.get("impression_count")))
