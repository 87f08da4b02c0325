#!/usr/bin/env python3
"""Write the accent-folded words of each hand-written page of docs/ at the end of its first
paragraph, so that the site search finds « methodologie » for « Méthodologie » there too (the
build does it for the pages it generates; observatory/site/search_terms.py says how).

Usage: .venv/bin/python scripts/fold_docs.py        (tests/test_search_fold.py checks it was run)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from observatory.site.build import hand_written_pages  # noqa: E402
from observatory.site.search_terms import with_folded_words  # noqa: E402
from observatory.textfmt import plural  # noqa: E402


def main() -> int:
    changed = 0
    for page in hand_written_pages(ROOT / "docs"):
        text = page.read_text(encoding="utf-8")
        if (folded := with_folded_words(text)) != text:
            page.write_text(folded, encoding="utf-8")
            changed += 1
            print(f"{page.relative_to(ROOT)} : mots sans accents mis à jour")
    print(f"{plural(changed, 'page modifiée', 'pages modifiées')}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
