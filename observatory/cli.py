"""The `observatory` command: one sub-command per job, every option with its help."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from observatory.collect import cli as collect_cli
from observatory.collect.discover import cli as discover_cli
from observatory.registry import scaffold
from observatory.registry.load import DATA_DIR
from observatory.registry.validate import canonical_text, validate_paths
from observatory.textfmt import FrenchArgumentParser, command_adder, plural

ROOT = DATA_DIR.parent


def _default_paths(paths: list[Path]) -> list[Path]:
    return paths or [DATA_DIR / "establishments", DATA_DIR / "benchmarks"]


def cmd_validate(args: argparse.Namespace) -> int:
    from observatory.registry.figures import validate_figures

    paths = _default_paths(args.paths)
    docs, problems = validate_paths(paths, ROOT, check_format=not args.no_format,
                                    workers=os.cpu_count() or 1)
    if not args.paths:
        problems += validate_figures(DATA_DIR / "published-figures.csv", ROOT,
                                     {d.id for d in docs if d.located is not None})
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in problems:
        print(problem)
        if in_actions:
            print(problem.github_annotation())
    if problems:
        print(f"\n{plural(len(problems), 'problème')} dans "
              f"{plural(len({p.file for p in problems}), 'fichier')} sur "
              f"{plural(len(docs), 'vérifié')}.", file=sys.stderr)
        return 1
    print(f"{plural(len(docs), 'fichier valide')}.")
    return 0


def cmd_format(args: argparse.Namespace) -> int:
    docs, problems = validate_paths(_default_paths(args.paths), ROOT, check_format=False)
    if problems:
        for problem in problems:
            print(problem)
        print("Corriger ces problèmes avant de mettre en forme.", file=sys.stderr)
        return 1
    changed = 0
    for doc in docs:
        text = canonical_text(doc)
        if text != doc.text:
            doc.path.write_text(text, encoding="utf-8")
            changed += 1
            print(f"mis en forme : {doc.display}")
    print(f"{plural(changed, 'fichier modifié')} sur {len(docs)}.")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    try:
        added = scaffold.add_establishment(
            DATA_DIR, name=args.name, category=args.category, short_name=args.short_name,
            region=args.region, city=args.city, accounts=args.account or [],
            account_source_title=args.account_source, account_source_url=args.account_source_url,
            source_title=args.source_title, source_url=args.source_url, entity_id=args.id)
    except scaffold.ScaffoldError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 1
    path = added.path
    print(f"Créé : {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if added.to_complete:
        print("À compléter (lignes marquées « # À compléter » dans le fichier) :")
        for name, line in added.to_complete:
            hint = scaffold.TO_COMPLETE["url" if name.endswith(".url") else name]
            print(f"  - {name} (ligne {line}) : {hint}")
        print("Complétez ces champs, ou supprimez les lignes de ceux qui ne s'appliquent pas ; "
              "« observatory validate » refuse le fichier tant qu'une marque reste.")
    else:
        print("Lancez « observatory validate » pour vérifier la fiche.")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from observatory.site import build

    return build.build_site(ROOT, serve=False, strict=True)


def cmd_serve(args: argparse.Namespace) -> int:
    from observatory.site import build

    return build.build_site(ROOT, serve=True, strict=False, address=args.address)


def cmd_demo(args: argparse.Namespace) -> int:
    from observatory.demo import run as demo

    return demo.run_demo(ROOT, args.establishments, args.days, args.address, args.build_only)


def cmd_schema(args: argparse.Namespace) -> int:
    from observatory.registry import schema

    for path in schema.write_schemas(ROOT / "schema"):
        print(f"écrit : {path.relative_to(ROOT)}")
    return 0


FINESS_API = "https://www.data.gouv.fr/api/1/datasets/finess-structures-1/"


def _download_finess(folder: Path) -> tuple[Path, str]:
    """The newest FINESS+ structures file of the official dataset, saved in `folder`."""
    from observatory.collect.http import Http

    http = Http(deadline=1800.0, max_body=4_000_000_000, retries=3)
    meta = http.get_json(os.environ.get("OBSERVATORY_FINESS_API", FINESS_API), tag="finess")
    resources = [r for r in meta.get("resources") or [] if isinstance(r, dict)
                 and str(r.get("format", "")).lower() == "json"
                 and "structure" in (str(r.get("title", "")) + str(r.get("url", ""))).lower()]
    if not resources:
        raise ValueError("aucun fichier JSON des structures dans le jeu de données FINESS - Structures")
    newest = max(resources, key=lambda r: str(r.get("last_modified") or ""))
    target = folder / "finess-structures.json"
    # Saved as it came: the registry stage reads a file, record by record.
    target.write_bytes(http.get_bytes(str(newest["url"]), tag="finess"))
    return target, str(newest["url"])


def cmd_finess(args: argparse.Namespace) -> int:
    import datetime as dt
    import tempfile

    from observatory.collect.http import HttpError
    from observatory.registry.finess_import import import_file
    from observatory.registry.finess_read import FinessError

    folder = args.registry or DATA_DIR / "establishments"
    with tempfile.TemporaryDirectory(prefix="finess-") as tmp:
        try:
            path, url = (args.file, None) if args.file else _download_finess(Path(tmp))
            report = import_file(path, folder, dry_run=args.dry_run, url=url,
                                 accessed=None if args.file else dt.date.today().isoformat(),
                                 report_json=args.report)
        except (FinessError, HttpError, ValueError, OSError) as error:
            print(f"Erreur : {error} ; aucun fichier écrit.", file=sys.stderr)
            return 1
    print(report.text(), end="")
    if args.dry_run:
        print("(essai à blanc : aucun fichier écrit)")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="observatory",
        description="Observatoire des réseaux sociaux des établissements de santé.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE",
                                title="commandes")

    command = command_adder(sub)

    p = command("validate", cmd_validate, "Vérifier les fichiers du registre (data/).")
    p.add_argument("paths", nargs="*", type=Path, help="fichiers ou dossiers (défaut : data/)")
    p.add_argument("--no-format", action="store_true",
                   help="ne pas vérifier la forme canonique des fichiers")

    p = command("format", cmd_format, "Réécrire les fichiers du registre sous leur forme canonique.")
    p.add_argument("paths", nargs="*", type=Path, help="fichiers ou dossiers (défaut : data/)")

    p = command("add", cmd_add, "Créer la fiche d'un nouvel établissement.")
    p.add_argument("name", metavar="NOM", help="nom officiel de l'établissement")
    p.add_argument("--category", required=True, metavar="CATÉGORIE",
                   help="catégorie : " + ", ".join(scaffold.CATEGORIES))
    p.add_argument("--id", help="identifiant (nom du fichier) ; déduit du nom par défaut")
    p.add_argument("--short-name", metavar="NOM_COURT", help="nom court (défaut : le nom)")
    p.add_argument("--region", metavar="RÉGION",
                   help="région (l'une des 18 régions) ; sinon marquée à compléter")
    p.add_argument("--city", metavar="COMMUNE", help="commune ; sinon marquée à compléter")
    p.add_argument("--account", action="append", metavar="RÉSEAU:IDENTIFIANT",
                   help="compte à ajouter, par exemple bluesky:chu-exemple.bsky.social (répétable) ; "
                        "exige --account-source : un compte sans source est refusé")
    p.add_argument("--account-source", metavar="TITRE",
                   help="titre de la source qui établit les comptes (--account), écrite dans chacun ; "
                        "répétez --source-title si c'est la même")
    p.add_argument("--account-source-url", metavar="ADRESSE", help="adresse de cette source")
    p.add_argument("--source-title", required=True, metavar="TITRE",
                   help="titre de la source qui établit ces informations (obligatoire)")
    p.add_argument("--source-url", metavar="ADRESSE",
                   help="adresse de cette source ; sinon marquée à compléter")

    command("build", cmd_build, "Construire le site complet dans site/ (mode strict).")
    p = command("serve", cmd_serve, "Construire puis prévisualiser le site avec rechargement.")
    p.add_argument("--address", default="127.0.0.1:8000", metavar="HÔTE:PORT",
                   help="adresse d'écoute (défaut : %(default)s)")
    command("schema", cmd_schema, "Écrire les schémas JSON du format des fichiers dans schema/.")
    p = command("demo", cmd_demo, "Construire et servir le site à partir de données fictives générées "
                                  "(jusqu'à aujourd'hui, chiffres publiés et étude de cas compris) ; Ctrl-C "
                                  "l'arrête et supprime son dossier temporaire.")
    p.add_argument("--establishments", type=int, default=300, metavar="N",
                   help="nombre d'établissements fictifs (défaut : %(default)s)")
    p.add_argument("--days", type=int, default=365, metavar="J",
                   help="nombre de jours de relevés, jusqu'à aujourd'hui (défaut : %(default)s)")
    p.add_argument("--address", default="127.0.0.1:8000", metavar="HÔTE:PORT",
                   help="adresse d'écoute (défaut : %(default)s)")
    p.add_argument("--build-only", action="store_true",
                   help="construire sans servir (le dossier, qui contient alors le site, est conservé)")
    p = command("finess", cmd_finess, "Créer ou mettre à jour les fiches des hôpitaux et cliniques à "
                                      "partir du fichier officiel FINESS (téléchargé si FICHIER est omis).")
    p.add_argument("file", nargs="?", type=Path, metavar="FICHIER",
                   help="flux FINESS+ (JSON) ou extraction Etalab (etalab_cs1100502/507, CSV)")
    p.add_argument("--dry-run", action="store_true", help="afficher le rapport sans rien écrire")
    p.add_argument("--report", type=Path, metavar="RAPPORT.json", help="écrire aussi le rapport en JSON")
    p.add_argument("--registry", type=Path, metavar="DOSSIER",
                   help="dossier des fiches (défaut : data/establishments)")
    collect_cli.register(command)
    discover_cli.register(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
