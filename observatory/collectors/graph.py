"""What the Facebook and Instagram collectors share: Meta's Graph API, with one token
(OBSERVATORY_FACEBOOK_TOKEN, sent in the Authorization header, never in an address)."""

from __future__ import annotations

from typing import Any

from observatory.collectors.base import Collector
from observatory.http import BadRequest, Unauthorized

TOKEN = "OBSERVATORY_FACEBOOK_TOKEN"
INSTAGRAM_USER = "OBSERVATORY_INSTAGRAM_USER_ID"
GRAPH_VERSION = "v21.0"
AUTH_CODES = ("code 190", "code 102", "code 10)", "code 200", "code 4)", "code 17)", "code 32)")


def auth_problem(error: BadRequest) -> bool:
    """Graph API answers 400 for an expired token or missing permission too."""
    return "OAuthException" in error.message and any(c in error.message for c in AUTH_CODES)


class GraphCollector(Collector):
    default_api = "https://graph.facebook.com"

    @property
    def base(self) -> str:
        return f"{self.api}/{GRAPH_VERSION}"

    def graph(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.get_object(f"{self.base}/{path}", params,
                                   {"Authorization": f"Bearer {self.key(TOKEN)}"})
        except BadRequest as error:
            if auth_problem(error):
                raise Unauthorized("accès refusé : jeton absent, expiré ou sans la permission nécessaire "
                                   f"({error.message})", url=error.url, status=error.status) from None
            raise
