"""The `collect` and `import` sub-commands, registered into the `observatory` command by
observatory.cli (register(command) inside _parser), or run on their own:
python -m observatory.collect.cli collect --dry-run"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from observatory.registry.load import DATA_DIR
from observatory.registry.vocab import PLATFORMS
from observatory.textfmt import FrenchArgumentParser, command_adder, plural, words

Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def _display(path: Path) -> str:
    root = DATA_DIR.parent
    path = path.resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def cmd_collect(args: argparse.Namespace) -> int:
    from observatory.collect.run import run_collection
    from observatory.store.snapshots import atomic_write

    report = run_collection(args.data_dir, platforms=args.platform, only=args.only, dry_run=args.dry_run,
                            budget=args.budget * 60 if args.budget else None)
    if report.error:
        print(f"Erreur de configuration : {report.error}", file=sys.stderr)
        return report.exit_code
    for line in report.lines():
        print(line)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for platform in report.platforms.values():
            if platform.outage:
                print(f"::warning title=Panne probable ({platform.label})::{platform.reason}")
    if args.commit_message:
        atomic_write(args.commit_message, report.commit_message())
    if report.exit_code:
        print("Aucun relevé n'a pu être enregistré.", file=sys.stderr)
    return report.exit_code


def cmd_import(args: argparse.Namespace) -> int:
    from observatory.collect.manual_import import import_file
    from observatory.registry.load import RegistryError, load_registry

    try:
        registry = load_registry(args.data_dir)
    except RegistryError as error:
        print("Le registre n'est pas valide ; lancer « observatory validate » d'abord :", file=sys.stderr)
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    result = import_file(args.file, registry, args.data_dir, dry_run=args.dry_run,
                         display=_display(args.file))
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in result.problems:
        print(problem)
        if in_actions:
            print(problem.github_annotation())
    if result.problems:
        print(f"\n{plural(len(result.problems), 'problème')} ; rien n'a été importé.", file=sys.stderr)
        return 1
    for note in result.notes:  # rows left out (an API row stands), figures held as suspect
        print(f"note : {note}")
    count = len(result.rows)
    verb = words(count, "serait importé", "seraient importés") + " (essai à blanc)" if args.dry_run \
        else words(count, "importé")
    print(f"{plural(count, 'relevé')} {verb}.")
    for path in result.files:
        print(f"écrit : {_display(path)}")
    return 0


def register(command: Command) -> None:
    """Add `collect` and `import` through observatory.cli's command(name, handler, help)."""
    p = command("collect", cmd_collect,
                "Relever abonnés, abonnements et publications des comptes par les API des réseaux.")
    p.add_argument("--platform", action="append", choices=list(PLATFORMS), metavar="RÉSEAU",
                   help="ne relever que ce réseau (répétable) ; parmi : " + ", ".join(PLATFORMS))
    p.add_argument("--only", action="append", metavar="ID",
                   help="ne relever que les comptes de cet établissement (identifiant ; répétable)")
    p.add_argument("--dry-run", action="store_true",
                   help="interroger les API et afficher le rapport sans rien écrire dans data/")
    p.add_argument("--commit-message", type=Path, metavar="FICHIER",
                   help="écrire dans ce fichier un message de commit résumant la collecte")
    p.add_argument("--budget", type=float, default=80.0, metavar="MINUTES",
                   help="durée maximale des requêtes de toute la collecte, partagée entre les réseaux "
                        "(défaut : 80 ; 0 : sans limite) ; ce qui est relevé avant est enregistré")
    p.add_argument("--data-dir", type=Path, default=DATA_DIR, metavar="DOSSIER",
                   help="dossier des données (défaut : data/ du dépôt)")

    p = command("import", cmd_import,
                "Importer des chiffres relevés à la main (fichier CSV avec source et date).")
    p.add_argument("file", type=Path, metavar="FICHIER.csv",
                   help="fichier CSV aux colonnes date, entity, platform, handle, followers, following, "
                        "posts, source_title, source_url et, facultative, provenance ; séparateur "
                        "virgule, point-virgule (export Excel) ou tabulation ; encodé en UTF-8")
    p.add_argument("--dry-run", action="store_true",
                   help="vérifier le fichier sans rien écrire dans data/")
    p.add_argument("--data-dir", type=Path, default=DATA_DIR, metavar="DOSSIER",
                   help="dossier des données (défaut : data/ du dépôt)")


def build_parser() -> argparse.ArgumentParser:
    """A parser holding only these two commands (for tests and for running this module)."""
    parser = FrenchArgumentParser(prog="observatory", description="Collecte des chiffres.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE", title="commandes")

    command = command_adder(sub)

    register(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
