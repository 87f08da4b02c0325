#!/usr/bin/env python3
"""Fetch the vendored vega, vega-lite and vega-embed builds from the npm registry and check them.

Usage:
    python3 scripts/vendor_vega.py                          # re-fetch the versions of the manifest
    python3 scripts/vendor_vega.py vega=6.2.0 vega-lite=6.4.1 vega-embed=7.0.2   # change versions

Each package's tarball is checked against its npm integrity (sha512): the one recorded in the
manifest when the version is unchanged, else the one the registry gives for the new version. The
browser build and the LICENSE of each package are then written to observatory/site/vendor/vega/,
with the manifest (versions, tarball URLs, integrities, SHA-256 of every file) and the README.
tests/test_vendor_vega.py checks the committed files against that manifest; this script is the
only part that needs the network, and no test runs it.

Vega-Lite must match the schema version Altair writes (altair.SCHEMA_VERSION), and vega-embed
must accept those vega and vega-lite versions: check both before changing a version.

Only the standard library is used.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "observatory" / "site" / "vendor" / "vega"
MANIFEST = VENDOR / "manifest.json"
REGISTRY = "https://registry.npmjs.org"
# The files taken from each tarball (paths inside it) and their names here, in loading order.
FILES = {
    "vega": {"package/build/vega.min.js": "vega.min.js", "package/LICENSE": "LICENSE-vega"},
    "vega-lite": {"package/build/vega-lite.min.js": "vega-lite.min.js",
                  "package/LICENSE": "LICENSE-vega-lite"},
    "vega-embed": {"package/build/vega-embed.min.js": "vega-embed.min.js",
                   "package/LICENSE": "LICENSE-vega-embed"},
}

README = """\
# vega, vega-lite et vega-embed (copies vendues)

Les graphiques du site sont dessinés dans le navigateur par
[Vega-Lite](https://vega.github.io/vega-lite/). Le site sert lui-même ces bibliothèques
(aucune requête vers un autre hôte) : ce dossier en garde les fichiers publiés sur npm, sans
aucune modification. La construction les réunit, dans l'ordre ci-dessous, en un seul fichier
`docs/assets/generated/vega-bundle.js` (précédé de leurs licences), que `docs/assets/charts.js`
charge sur les pages qui ont un graphique.

| Paquet | Version | Archive npm | Intégrité (sha512) |
|---|---|---|---|
{rows}

Licence : BSD-3-Clause (University of Washington Interactive Data Lab), textes dans
`LICENSE-vega`, `LICENSE-vega-lite` et `LICENSE-vega-embed`.

`manifest.json` donne aussi l'empreinte SHA-256 de chaque fichier : `tests/test_vendor_vega.py`
vérifie que les fichiers présents sont exactement ceux-là (un fichier modifié fait échouer les
tests).

## Mettre à jour

La version de Vega-Lite doit correspondre au schéma qu'écrit Altair
(`python -c "import altair; print(altair.SCHEMA_VERSION)"`), et vega-embed doit accepter ces
versions de vega et de vega-lite. Puis :

    python3 scripts/vendor_vega.py vega=X.Y.Z vega-lite=X.Y.Z vega-embed=X.Y.Z

Le script télécharge chaque archive depuis le registre npm, vérifie son intégrité sha512, en
extrait le fichier du navigateur et la licence, et réécrit `manifest.json` et ce README. Sans
argument, il télécharge à nouveau les versions du manifeste et vérifie qu'elles n'ont pas changé.
"""


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def registry_dist(name: str, version: str) -> dict[str, str]:
    """The tarball URL and integrity the registry publishes for one version."""
    dist = json.loads(fetch(f"{REGISTRY}/{name}/{version}"))["dist"]
    return {"tarball": dist["tarball"], "integrity": dist["integrity"]}


def vendor_package(name: str, version: str, known: dict[str, str] | None) -> dict[str, object]:
    """Download, check and write one package's files; its manifest entry."""
    dist = known or registry_dist(name, version)
    print(f"{name} {version} : {dist['tarball']}", flush=True)
    data = fetch(dist["tarball"])
    if integrity(data) != dist["integrity"]:
        sys.exit(f"{name} {version} : l'intégrité de l'archive ne correspond pas, rien n'est écrit.")
    files: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for inner, local in FILES[name].items():
            member = archive.extractfile(inner)
            if member is None:
                sys.exit(f"{name} {version} : {inner} absent de l'archive.")
            content = member.read()
            (VENDOR / local).write_bytes(content)
            files[local] = sha256(content)
    return {"name": name, "version": version, **dist, "files": files}


def main(argv: list[str]) -> int:
    wanted = dict(arg.split("=", 1) for arg in argv)
    unknown = set(wanted) - set(FILES)
    if unknown:
        sys.exit(f"Paquets inconnus : {', '.join(sorted(unknown))} (attendus : {', '.join(FILES)}).")
    old = {p["name"]: p for p in json.loads(MANIFEST.read_text())["packages"]} if MANIFEST.exists() else {}
    VENDOR.mkdir(parents=True, exist_ok=True)
    packages = []
    for name in FILES:
        version = wanted.get(name) or old[name]["version"]
        previous = old.get(name)
        known = ({"tarball": previous["tarball"], "integrity": previous["integrity"]}
                 if previous and previous["version"] == version else None)
        packages.append(vendor_package(name, version, known))
    MANIFEST.write_text(json.dumps({"packages": packages}, indent=2) + "\n")
    rows = "\n".join(f"| {p['name']} | {p['version']} | {p['tarball']} | `{p['integrity']}` |"
                     for p in packages)
    (VENDOR / "README.md").write_text(README.replace("{rows}", rows))
    print(f"Écrit dans {VENDOR.relative_to(ROOT)} ; vérifiez avec "
          "`python -m pytest tests/test_vendor_vega.py tests/test_charts.py`.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
