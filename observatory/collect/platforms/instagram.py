"""Instagram professional accounts through the Graph API's business discovery: one request per
account gives its followers, follows, media count and recent media. Needs the token
(OBSERVATORY_FACEBOOK_TOKEN) and the id of the observatory's own Instagram professional
account (OBSERVATORY_INSTAGRAM_USER_ID)."""

from __future__ import annotations

from observatory.collect.http import BadRequest, NotFound
from observatory.collect.platforms.base import Missing, Post, Profile, Target, as_int
from observatory.collect.platforms.graph import INSTAGRAM_USER, TOKEN, GraphCollector


class InstagramCollector(GraphCollector):
    platform = "instagram"
    label = "Instagram"
    env_keys = (TOKEN, INSTAGRAM_USER)
    media_limit = 50

    def fetch_batch(self, targets: list[Target]) -> dict[str, Profile | Missing]:
        (target,) = targets
        name = target.account.handle
        fields = (f"business_discovery.username({name}){{id,username,followers_count,follows_count,"
                  f"media_count,media.limit({self.media_limit}){{id,timestamp,like_count,comments_count}}}}")
        try:
            data = self.graph(self.key(INSTAGRAM_USER), {"fields": fields})
        except (NotFound, BadRequest) as error:
            return {target.key: Missing("compte introuvable ou non professionnel (seuls les comptes "
                                        f"professionnels sont lisibles) ({error.message})")}
        found = data["business_discovery"]
        media = (found.get("media") or {}).get("data") or []
        recent = tuple(Post(post_id=str(m["id"]), published_at=self.time(m["timestamp"]),
                            likes=as_int(m.get("like_count")), replies=as_int(m.get("comments_count")))
                       for m in media)
        return {target.key: Profile(
            account_id=str(found["id"]), handle=found.get("username") or name,
            followers=as_int(found.get("followers_count")), following=as_int(found.get("follows_count")),
            posts=as_int(found.get("media_count")), recent=recent)}
