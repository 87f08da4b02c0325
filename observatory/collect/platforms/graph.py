"""What the Facebook and Instagram collectors share: Meta's Graph API, with one token
(OBSERVATORY_FACEBOOK_TOKEN, sent in the Authorization header, never in an address)."""

from __future__ import annotations

from typing import Any

from observatory.collect.http import BadRequest, RateLimited, Unauthorized
from observatory.collect.platforms.base import Collector

TOKEN = "OBSERVATORY_FACEBOOK_TOKEN"
INSTAGRAM_USER = "OBSERVATORY_INSTAGRAM_USER_ID"
GRAPH_VERSION = "v21.0"
AUTH_CODES = ("code 190", "code 102", "code 10)", "code 200")
RATE_CODES = ("code 4)", "code 17)", "code 32)", "code 613)", "code 80001)", "code 80002)")


def has_code(error: BadRequest, codes: tuple[str, ...]) -> bool:
    """Graph API answers 400 for an expired token, a missing permission or a rate limit too."""
    return any(c in error.message for c in codes)


class GraphCollector(Collector):
    default_api = "https://graph.facebook.com"
    request_interval = 0.5  # Graph API: 200 calls per hour per user and app

    @property
    def base(self) -> str:
        return f"{self.api}/{GRAPH_VERSION}"

    def graph(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.get_object(f"{self.base}/{path}", params,
                                   {"Authorization": f"Bearer {self.key(TOKEN)}"})
        except BadRequest as error:
            if has_code(error, RATE_CODES):
                raise RateLimited(f"limite de requêtes de l'API Graph atteinte ({error.message})",
                                  url=error.url, status=error.status) from None
            if has_code(error, AUTH_CODES):
                raise Unauthorized("accès refusé : jeton absent, expiré ou sans la permission nécessaire "
                                   f"({error.message})", url=error.url, status=error.status) from None
            raise
