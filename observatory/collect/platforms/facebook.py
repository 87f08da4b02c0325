"""Facebook pages through the Graph API (OBSERVATORY_FACEBOOK_TOKEN): followers of 50 pages per
request (?ids=a,b,…); recent posts' reactions, comments and shares where the token has access
to pages' public content."""

from __future__ import annotations

from observatory.collect.http import BadRequest, NotFound, RateLimited, Unauthorized
from observatory.collect.platforms.base import Missing, Post, Posts, Profile, Target, as_int
from observatory.collect.platforms.graph import TOKEN, GraphCollector


class FacebookCollector(GraphCollector):
    platform = "facebook"
    label = "Facebook"
    env_keys = (TOKEN,)
    batch_size = 50  # ?ids= takes at most 50 ids
    fields = "id,username,name,followers_count,fan_count"

    @staticmethod
    def page(target: Target) -> str:
        return target.account.platform_id or target.known_id or target.account.handle

    def fetch_batch(self, targets: list[Target]) -> dict[str, Profile | Missing]:
        wanted = {self.page(t): t for t in targets}
        try:
            data = self.graph("", {"ids": ",".join(wanted), "fields": self.fields})
        except (NotFound, BadRequest) as error:
            if len(targets) == 1:
                return {targets[0].key: Missing(f"page introuvable ou non publique ({error.message})")}
            # One unknown page makes Graph refuse the whole batch: ask for each page alone.
            answers: dict[str, Profile | Missing] = {}
            for target in targets:
                answers.update(self.fetch_batch([target]))
            return answers
        answers = {}
        for asked, page in data.items():
            target = wanted.get(asked)
            if target is None or not isinstance(page, dict):
                continue
            followers = page.get("followers_count", page.get("fan_count"))
            answers[target.key] = Profile(account_id=str(page["id"]),
                                          handle=page.get("username") or target.account.handle,
                                          followers=as_int(followers), following=None, posts=None)
        return answers

    def fetch_posts(self, target: Target, profile: Profile) -> Posts | None:
        if not self.posts_enabled:
            return None
        fields = ("id,created_time,shares,reactions.summary(total_count).limit(0),"
                  "comments.summary(total_count).limit(0)")
        try:
            data = self.graph(f"{profile.account_id}/posts",
                              {"fields": fields, "limit": 100, "since": int(self.since.timestamp())})
        except (Unauthorized, RateLimited) as error:
            self.posts_enabled = False
            self.note("publications Facebook non relevées : le jeton n'a pas l'accès au contenu "
                      f"public des pages ou sa limite est atteinte ({error.message})")
            return None
        posts = []
        for item in data.get("data") or []:
            posts.append(Post(
                post_id=str(item["id"]), published_at=self.time(item["created_time"]),
                likes=as_int(((item.get("reactions") or {}).get("summary") or {}).get("total_count")),
                reposts=as_int((item.get("shares") or {}).get("count", 0)),
                replies=as_int(((item.get("comments") or {}).get("summary") or {}).get("total_count"))))
        return Posts(posts)
