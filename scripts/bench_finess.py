"""Benchmark of `observatory finess` on a national-size file (docs/finess.md, « Performances »).

Writes a synthetic FINESS+ structures file to /tmp (fake names and numbers, every kind of record:
legal entities, sites of hospital and non-hospital categories, groupings, events and contacts as in
the ANS sample), then measures in a child process each: reading and filtering (target: 60 s and
1 GB at most), the full import into an empty registry, and the validation of that registry.

    .venv/bin/python scripts/bench_finess.py [--records 100000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from observatory.registry.finess import luhn_ok  # noqa: E402

WORK = Path("/tmp/finess-bench")
# Category mix: mostly medico-social and pharmacies, as in the national file; about 5 % hospitals.
CATEGORIES = [("500", 30), ("620", 25), ("182", 10), ("354", 8), ("124", 6), ("141", 3), ("156", 4),
              ("355", 2), ("365", 3), ("109", 2), ("128", 1), ("129", 1), ("101", 1), ("292", 1),
              ("131", 1), ("127", 1), ("122", 1)]
DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]


def finess_number(department: str, order: int) -> str:
    """Department + 0 + order + a Luhn key (Corsica: format only, as the validator accepts)."""
    stem = f"{department}0{order % 100000:05d}"
    if not stem.isdigit():
        return stem + "0"
    return next(stem + str(key) for key in range(10) if luhn_ok(stem + str(key)))


def _event(n: int, kind: str) -> dict:
    return {"evenementId": str(n), "dateEnregistrement": "2025-10-21 18:36:29",
            "dateEvenement": "2001-01-01", "etatObjet1": "001", "identifiantObjet1": str(n),
            "systemeMaitre": "01", "typeObjet1": kind, "codeEvenement": "001"}


def _address(department: str, n: int, rng: random.Random) -> dict:
    return {"usageAdresse": "03", "numeroVoie": str(n % 300 + 1), "typeVoie": "R",
            "libelleVoie": f"DE LA RUE FICTIVE {n}", "cogCommune": f"{department}{n % 900 + 1:03d}",
            "ligneAcheminement": f"COMMUNE FICTIVE {n % 5000}", "codePostal": "01000",
            "coordonneesGeographique": {"coordonneeX": "6570414.61", "coordonneeY": "873766.07",
                                        "directionLatitude": f"{rng.uniform(42, 51):.6f}",
                                        "directionLongitude": f"{rng.uniform(-4, 8):.6f}",
                                        "cleInInteropBAN": "01053_1950_00062", "scoreBAN": "0.97"}}


def _site(n: int, ej: str, department: str, rng: random.Random) -> dict:
    category = rng.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0]
    closed = rng.random() < 0.15
    info = {"egeId": str(n), "dateOuverture": "1990-01-01", "datePremiereAutorisation": "1990-01-01",
            "nomEgeCourt": f"ETABLISSEMENT FICTIF {n}", "nomEgeLong": f"ETABLISSEMENT FICTIF DE TEST {n}",
            "numFinessEge": finess_number(department, 70000 + n), "espic": [rng.choice("0167")]}
    if closed:
        info["dateFermeture"] = "2020-01-01"
    return {"informationsGeneralesEGE": info, "categorieentiteGeographiqueExercice": category,
            "modefixationtarifaire": "07", "typeBudget": ["01"],
            "adresse": [_address(department, n, rng)],
            "contact": [{"typeContact": {"roleContact": "01"}, "telecom": {"telephone": "0400000000"}}],
            "engagement": [], "evenement": [_event(n, "EG"), _event(n + 1, "EG")], "roleEge": [],
            "etatObjet": "I" if closed else "A", "dateDerniereMaj": "2021-10-18 00:00:00"}


def write_file(path: Path, records: int, seed: int = 1) -> int:
    """A FINESS+ file of about `records` records; returns the exact count."""
    rng = random.Random(seed)
    count, n = 0, 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n  "schemaVersion" : "v1.0.0",\n  "generatedAt" : "2026-03-09T00:00:00Z",\n')
        groups = [{"gccId": str(i), "nomGcc": f"GROUPEMENT FICTIF {i}", "typeGcc": "001",
                   "gccIdentifiantExterne": str(i), "engagement": [], "evenement": [],
                   "pmejDuGcc": [], "egeDuGcc": [], "etatObjet": "A",
                   "dateDerniereMaj": "2025-10-21 19:19:05"} for i in range(records // 100)]
        count += len(groups)
        out.write('  "gcc" : ' + json.dumps(groups, ensure_ascii=False) + ',\n  "pmej" : [')
        first = True
        while count < records:
            n += 1
            department = rng.choice(DEPARTMENTS)
            ej = finess_number(department, n)
            sites = [_site(n * 10 + i, ej, department, rng) for i in range(rng.choice((1, 1, 1, 2, 3)))]
            entity = {"informationsGeneralesPMEJ": {
                "pmSmsseId": str(n), "dateCreation": "2001-01-01",
                "denominationLonguePmSmsse": f"ENTITE JURIDIQUE FICTIVE {n}",
                "denominationPm": f"EJ FICTIVE {n}", "numFinessPm": ej,
                "statutJuridique": rng.choice(["13", "21", "60", "63", "72", "73", "95"]),
                "typePersonneMorale": "01"},
                "adresse": [_address(department, n, rng)], "contact": [], "engagement": [],
                "evenement": [_event(n, "PM")], "ege": sites, "etatObjet": "A",
                "dateDerniereMaj": "2021-10-18 00:00:00"}
            out.write(("\n  " if first else ",\n  ") + json.dumps(entity, ensure_ascii=False, indent=1))
            first = False
            count += 1 + len(sites)
        out.write("\n  ]\n}\n")
    return count


CHILD = {
    "lecture": """
from pathlib import Path
from observatory.registry.finess_read import read_finess
from observatory.registry.finess_map import INCLUDED, select
data = read_finess(Path({path!r}), set(INCLUDED))
selection = select(data)
print(f"{{data.records}} enregistrements lus, {{len(data.sites)}} sites d'hôpitaux gardés, "
      f"{{len(selection.planned)}} fiches prévues")
""",
    "import": """
from pathlib import Path
from observatory.registry.finess_import import import_file
report = import_file(Path({path!r}), Path({registry!r}))
print(f"{{len(report.added)}} fiches écrites")
""",
    "validation": """
from pathlib import Path
import os
from observatory.registry.validate import validate_paths
# as `observatory validate` does: the files checked in one process per core
docs, problems = validate_paths([Path({registry!r})], Path({registry!r}).parent.parent,
                                workers=os.cpu_count() or 1)
print(f"{{len(docs)}} fiches validées, {{len(problems)}} problèmes")
""",
}


def measure(name: str, code: str) -> tuple[float, float, str]:
    """Seconds and peak memory (MB, resident) of `code` run in a fresh interpreter."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{name} : échec\n{done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak, done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="garder /tmp/finess-bench")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    registry = WORK / "data" / "establishments"
    registry.mkdir(parents=True)
    path = WORK / "structures-fictives.json"
    started = time.perf_counter()
    count = write_file(path, args.records)
    print(f"Fichier fictif : {count} enregistrements, {path.stat().st_size / 1e6:.0f} Mo, écrit en "
          f"{time.perf_counter() - started:.1f} s ({path})")
    # ru_maxrss of children is the largest child so far: each stage runs after the smaller ones.
    for name, code in CHILD.items():
        seconds, peak, said = measure(name, code.format(path=str(path), registry=str(registry)))
        print(f"{name} : {seconds:.1f} s, mémoire maximale {peak:.0f} Mo — {said}")
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
