"""One collector per platform, all behind the interface of collectors.base."""

from __future__ import annotations

from observatory.collectors.base import Collector, api_env_var
from observatory.collectors.bluesky import BlueskyCollector
from observatory.collectors.facebook import FacebookCollector
from observatory.collectors.instagram import InstagramCollector
from observatory.collectors.mastodon import MastodonCollector
from observatory.collectors.peertube import PeerTubeCollector
from observatory.collectors.x import XCollector
from observatory.collectors.youtube import YouTubeCollector
from observatory.vocab import PLATFORMS

COLLECTORS: dict[str, type[Collector]] = {c.platform: c for c in (
    BlueskyCollector, MastodonCollector, PeerTubeCollector, YouTubeCollector, XCollector,
    FacebookCollector, InstagramCollector)}

# Networks with no usable API: their figures are imported by hand (observatory import).
MANUAL_ONLY: tuple[str, ...] = tuple(p for p in PLATFORMS if p not in COLLECTORS)

SECRET_VARIABLES: tuple[str, ...] = tuple(sorted({k for c in COLLECTORS.values() for k in c.env_keys}))

__all__ = ["COLLECTORS", "MANUAL_ONLY", "SECRET_VARIABLES", "Collector", "api_env_var"]
