"""Dated events drawn on the time charts (from the case studies and the methodology's journal),
and the Vega bundle the site serves itself (no third-party host)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from observatory.site.charts.blocks import write_table, write_text_if_changed
from observatory.site.charts.specs import EVENT_COLUMNS, EVENTS_FILE, KINDS

# --- Events ----------------------------------------------------------------------------------

_JOURNAL_ENTRY = re.compile(r"^-\s+\*\*(\d{4}-\d{2}-\d{2})\*\*\s*[—–-]+\s*(.+?)\s*$")


def _plain(text: str, limit: int = 90) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]", "", " ".join(text.split()))
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _day(text: str) -> str | None:
    """A YYYY-MM-DD (or YYYY-MM: its first day) date, or None."""
    text = text.strip()
    for pattern, suffix in (("%Y-%m-%d", ""), ("%Y-%m", "-01")):
        try:
            dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
        return text + suffix
    return None


def events_frame(data_dir: Path, methodology: Path | None = None) -> pd.DataFrame:
    """Dated events drawn on the time charts: data/events.csv (date, platform, label and an
    optional chart: followers, engagement or adoption), and the entries of the methodology's
    "Journal des définitions", on the engagement charts. Unreadable rows are left out."""
    rows: list[dict[str, str]] = []
    path = data_dir / "events.csv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                day, label = _day(row.get("date") or ""), _plain(row.get("label") or "")
                chart = (row.get("chart") or "").strip()
                if day and label and (not chart or chart in KINDS):
                    rows.append({"date": day, "platform": (row.get("platform") or "").strip(),
                                 "label": label, "chart": chart})
    if methodology is not None and methodology.exists():
        text = methodology.read_text(encoding="utf-8")
        start = text.find("## Journal des définitions")
        section = text[start:].split("\n## ", 1)[0] if start >= 0 else ""
        # One entry per list item (continued on indented lines); its label is its first clause.
        for item in re.split(r"\n(?=- )", section):
            match = _JOURNAL_ENTRY.match(" ".join(item.split()))
            if match and _day(match.group(1)):
                clause = re.split(r" : |;|\. ", match.group(2), maxsplit=1)[0].rstrip(" .")
                rows.append({"date": match.group(1), "platform": "", "chart": "engagement",
                             "label": _plain("Définitions : " + clause)})
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    return frame.drop_duplicates().sort_values(["date", "label"], kind="stable").reset_index(drop=True)


def write_events(out_dir: Path, events: pd.DataFrame) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    write_table(out_dir / EVENTS_FILE, events[list(EVENT_COLUMNS)])


# --- Vega bundle -----------------------------------------------------------------------------


VENDOR = Path(__file__).resolve().parent.parent / "vendor" / "vega"
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", flags=re.MULTILINE)


def vendored_files() -> list[dict[str, Any]]:
    """The vendored packages in loading order (vega, vega-lite, vega-embed), from the manifest
    that tests/test_vendor_vega.py checks the files against."""
    return json.loads((VENDOR / "manifest.json").read_text(encoding="utf-8"))["packages"]


def _bundle_stamp(packages: list[dict[str, Any]]) -> str:
    names = ", ".join(f"{p['name']} {p['version']}" for p in packages)
    digest = hashlib.sha256(json.dumps(packages, sort_keys=True).encode()).hexdigest()[:16]
    return f"/* {names} ({digest}) */\n"


def _bundle_text(packages: list[dict[str, Any]]) -> str:
    """The packages' licences in a comment (BSD-3-Clause asks for them), then their builds. The
    builds' source-map comments are dropped: the maps are not shipped, a browser would ask for them."""
    licences, builds = [], []
    for package in packages:
        for name in package["files"]:
            text = (VENDOR / name).read_text(encoding="utf-8")
            if name.endswith(".js"):
                builds.append(_SOURCE_MAP.sub("", text).rstrip() + "\n;")
            else:
                licences.append(f"{package['name']} {package['version']} :\n{text.strip()}")
    return "/*\n" + "\n\n".join(licences).replace("*/", "* /") + "\n*/\n" + "\n".join(builds) + "\n"


def write_vega_bundle(out_path: Path) -> None:
    """vega, vega-lite and vega-embed in one classic script that sets window.vegaEmbed (charts.js
    adds it to the page), from the files vendored in observatory/site/vendor/vega. Skipped when the
    file already comes from the same manifest: reading 800 kB to compare is not needed."""
    packages = vendored_files()
    stamp = _bundle_stamp(packages)
    if out_path.exists():
        with out_path.open(encoding="utf-8") as handle:
            if handle.readline() == stamp:
                return
    write_text_if_changed(out_path, stamp + _bundle_text(packages))
