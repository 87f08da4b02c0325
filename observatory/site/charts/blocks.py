"""A chart in a Markdown page: a figure that charts.js fills, its text summary as caption and
label, then its data as a table in a <details> element (a text alternative, as the French
accessibility standard RGAA asks); and the files the charts write, only when changed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from observatory.textfmt import html_text, number

# --- Blocks ----------------------------------------------------------------------------------


def chart_block(kind: str, spec_url: str, data_url: str, title: str, summary: str,
                table_rows: Sequence[Sequence[object]], table_headers: Sequence[str],
                params: dict[str, str] | None = None, note: str = "") -> str:
    """One chart in a Markdown page: a figure that charts.js fills, its text summary as caption
    and label, then its data as a table (escaped raw HTML, kept out of the search index)."""
    body = "".join("<tr>" + "".join(f"<td>{html_text(c)}</td>" for c in row) + "</tr>" for row in table_rows)
    return chart_block_html(kind, spec_url, data_url, title, summary, table_headers, body, params, note)


def chart_block_html(kind: str, spec_url: str, data_url: str, title: str, summary: str,
                     headers: Sequence[str], body: str, params: dict[str, str] | None, note: str) -> str:
    """chart_block with the table's rows already in HTML (escaped by the caller)."""
    attrs = [("class", "obs-chart"), ("data-kind", kind), ("data-spec", spec_url), ("data-url", data_url),
             ("data-search-exclude", "")]  # the summary is long and not what a reader searches for
    if params:
        values = {f"obs_{name}": value for name, value in params.items()}
        attrs.append(("data-params", json.dumps(values, ensure_ascii=False)))
    attrs += [("role", "img"), ("aria-label", f"{title}. {summary}")]
    figure = ("<figure " + " ".join(f'{name}="{html_text(value)}"' for name, value in attrs) + ">"
              '<div class="obs-chart-view"></div>'
              f"<figcaption><strong>{html_text(title)}</strong>. {html_text(summary)}</figcaption></figure>")
    head = "".join(f'<th scope="col">{html_text(h)}</th>' for h in headers)
    caption = html_text(title) + (f" — {html_text(note)}" if note else "")
    details = ('<details class="obs-chart-data" data-search-exclude>'
               "<summary>Données du graphique (tableau)</summary>"
               f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
               f'</table><p><a href="{html_text(data_url)}">Télécharger ces données (CSV)</a></p></details>')
    return f"{figure}\n\n{details}\n"


def signed(value: float, decimals: int = 0) -> str:
    return ("+" if value > 0 else "") + number(value, decimals)


@dataclass
class ChartBlocks:
    """The chart blocks of the pages, with URLs relative to each kind of page."""

    accounts: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # establishment pages
    boards: dict[str, str] = field(default_factory=dict)  # board id -> block; "index": adoption

    @property
    def empty(self) -> bool:
        return not self.accounts and not self.boards



def write_table(path: Path, frame: pd.DataFrame) -> None:
    write_text_if_changed(path, frame.to_csv(index=False, lineterminator="\n"))


def write_text_if_changed(path: Path, text: str) -> None:
    write_bytes_if_changed(path, text.encode("utf-8"))


def write_bytes_if_changed(path: Path, data: bytes) -> None:
    """Unchanged files keep their date, so that a live preview reloads only what changed."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
