"""A tiny synthetic registry, clearly fictional, written into a tmp_path data directory."""

from __future__ import annotations

from pathlib import Path

HEADER = """\
name: Hôpital Fictif {n:03d}
short_name: HF {n:03d}
category: ch
region: Bretagne
city: Villefictive
"""
FOOTER = """\
sources:
- title: Source fictive pour les tests
  url: https://exemple.org/source-fictive
"""


def entity_id(n: int) -> str:
    return f"hopital-fictif-{n:03d}"


def write_entity(data_dir: Path, n: int, accounts: list[tuple[str, str]] | list[dict[str, str]],
                 folder: str = "establishments") -> str:
    """One establishment file with these accounts ((platform, handle) or dicts of fields)."""
    lines = [HEADER.format(n=n)]
    if accounts:
        lines.append("accounts:\n")
    for account in accounts:
        fields = account if isinstance(account, dict) else {"platform": account[0], "handle": account[1]}
        fields = {"status": "active", **fields}
        first = True
        for key in ("platform", "handle", "id", "url", "status", "until"):
            if key in fields:
                value = fields[key]
                value = f'"{value}"' if value.startswith("@") else value
                lines.append(f"{'- ' if first else '  '}{key}: {value}\n")
                first = False
    lines.append(FOOTER)
    (data_dir / folder).mkdir(parents=True, exist_ok=True)
    (data_dir / folder / f"{entity_id(n)}.yml").write_text("".join(lines), encoding="utf-8")
    return entity_id(n)


def make_data_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    (data_dir / "establishments").mkdir(parents=True)
    (data_dir / "benchmarks").mkdir(parents=True)
    return data_dir


def bluesky_handle(n: int) -> str:
    return f"hf{n:04d}.bsky.social"


def mastodon_handle(n: int) -> str:
    return f"hopital{n:04d}@instance-{n % 3}.example"


def peertube_handle(n: int) -> str:
    return f"hopital_{n:04d}@video-{n % 2}.example"


def youtube_channel(n: int) -> str:
    return f"UC{n:022d}"


def youtube_handle(n: int) -> str:
    return f"@hopitalfictif{n:04d}"


def twitter_handle(n: int) -> str:
    return f"HFictif{n:04d}"


def build_registry(data_dir: Path, *, entities: int, bluesky: int = 0, mastodon: int = 0,
                   peertube: int = 0, youtube: int = 0, twitter: int = 0, facebook: int = 0,
                   instagram: int = 0, linkedin: int = 0, per_entity: int = 1) -> None:
    """`entities` establishments; platform accounts spread over them, `per_entity` per file and
    platform at most. YouTube: even numbers by channel id, odd by @handle."""
    makers = {
        "bluesky": (bluesky, bluesky_handle),
        "mastodon": (mastodon, mastodon_handle),
        "peertube": (peertube, peertube_handle),
        "youtube": (youtube, lambda n: youtube_channel(n) if n % 2 == 0 else youtube_handle(n)),
        "twitter": (twitter, twitter_handle),
        "facebook": (facebook, lambda n: f"hopitalfictif{n:04d}"),
        "instagram": (instagram, lambda n: f"hopitalfictif{n:04d}"),
        "linkedin": (linkedin, lambda n: f"company/hopital-fictif-{n:04d}"),
    }
    per: dict[int, list[tuple[str, str]]] = {n: [] for n in range(1, entities + 1)}
    for platform, (count, make) in makers.items():
        for i in range(count):
            per[i // per_entity % entities + 1].append((platform, make(i)))
    for n, accounts in per.items():
        write_entity(data_dir, n, accounts)
