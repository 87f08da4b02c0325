#!/usr/bin/env python3
"""Time `observatory validate` on N synthetic registry files (clearly fake, in a temp folder).

Usage: .venv/bin/python scripts/bench_validate.py [N]   (default 3000)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from observatory.registry.vocab import REGIONS


def write_fake_registry(folder: Path, count: int) -> None:
    establishments = folder / "data" / "establishments"
    establishments.mkdir(parents=True)
    (folder / "data" / "benchmarks").mkdir()
    for i in range(count):
        (establishments / f"fictif-{i:05d}.yml").write_text(
            f"name: Établissement fictif {i:05d}\nshort_name: Fictif {i:05d}\ncategory: ch\n"
            f"region: {REGIONS[i % len(REGIONS)]}\ncity: Ville fictive\naccounts:\n"
            f"- platform: twitter\n  handle: fictif_{i:05d}\n  status: active\n"
            f"- platform: bluesky\n  handle: fictif-{i:05d}.bsky.social\n  status: active\n"
            f"- platform: youtube\n  handle: '@fictif{i:05d}'\n  status: active\n"
            "sources:\n- title: Données fictives de test\n", encoding="utf-8")


def main(count: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        write_fake_registry(Path(tmp), count)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "observatory", "validate",
                                 str(Path(tmp) / "data")], capture_output=True, text=True)
        elapsed = time.perf_counter() - started
    print(result.stdout.strip().splitlines()[-1] if result.stdout else result.stderr)
    print(f"{count} fichiers validés en {elapsed:.2f} s (processus complet, forme canonique comprise)")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
