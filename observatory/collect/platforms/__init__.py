"""One collector per platform, all behind the interface of platforms.base."""

from __future__ import annotations

from observatory.collect.platforms.base import Collector, api_env_var
from observatory.collect.platforms.bluesky import BlueskyCollector
from observatory.collect.platforms.facebook import FacebookCollector
from observatory.collect.platforms.instagram import InstagramCollector
from observatory.collect.platforms.mastodon import MastodonCollector
from observatory.collect.platforms.peertube import PeerTubeCollector
from observatory.collect.platforms.x import XCollector
from observatory.collect.platforms.youtube import YouTubeCollector
from observatory.registry.vocab import PLATFORMS

COLLECTORS: dict[str, type[Collector]] = {c.platform: c for c in (
    BlueskyCollector, MastodonCollector, PeerTubeCollector, YouTubeCollector, XCollector,
    FacebookCollector, InstagramCollector)}

# Networks with no usable API: their figures are imported by hand (observatory import).
MANUAL_ONLY: tuple[str, ...] = tuple(p for p in PLATFORMS if p not in COLLECTORS)

SECRET_VARIABLES: tuple[str, ...] = tuple(sorted({k for c in COLLECTORS.values() for k in c.env_keys}))

__all__ = ["COLLECTORS", "MANUAL_ONLY", "SECRET_VARIABLES", "Collector", "api_env_var"]
