"""The "Études de cas" section of an establishment page: links to the case studies that name it.

Kept apart from casestudies.py so that pages.py can use it without importing the whole case-study
machinery (which itself imports pages.py)."""

from __future__ import annotations

from typing import Any

from observatory.textfmt import md


def studies_section(studies: list[dict[str, Any]] | None, from_path: str) -> list[str]:
    """Markdown lines listing `studies` (dicts with slug, title and when: the date of the events,
    or of writing said as such), or nothing when empty.

    `from_path` is the page's path under docs/, for relative links."""
    if not studies:
        return []
    prefix = "../" * from_path.count("/")
    out = ["## Études de cas", "",
           "Récits d'usage des réseaux sociaux qui citent cet établissement, avec leurs chiffres :", ""]
    out += [f"- [{md(s['title'])}]({prefix}etudes/{s['slug']}.md) ({md(s['when'])})" for s in studies]
    return out + [""]
