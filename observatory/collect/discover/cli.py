"""The `discover` sub-command (`websites`, `wikidata`), registered into the `observatory`
command by observatory.cli."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from observatory.registry.load import DATA_DIR

if TYPE_CHECKING:
    from observatory.collect.discover.proposals import Report

Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def _finish(report: Report, args: argparse.Namespace) -> int:
    from observatory.collect.discover.proposals import write_report

    if report.error:
        print(f"Erreur : {report.error}", file=sys.stderr)
    for line in report.lines():
        print(line)
    write_report(report, args.report)
    if args.dry_run:
        print("Essai à blanc : aucune fiche n'a été modifiée.")
    return 1 if report.error else 0


def cmd_websites(args: argparse.Namespace) -> int:
    from observatory.collect.discover.websites import discover_websites, polite_http

    http = polite_http()
    try:
        report = discover_websites(args.data_dir, http, only=args.only, dry_run=args.dry_run)
    finally:
        http.close()
    return _finish(report, args)


def cmd_wikidata(args: argparse.Namespace) -> int:
    from observatory.collect.discover.websites import polite_http
    from observatory.collect.discover.wikidata import discover_wikidata

    http = polite_http(deadline=300.0, timeout=(10.0, 120.0), max_body=200_000_000)
    try:
        report = discover_wikidata(args.data_dir, http, dry_run=args.dry_run)
    finally:
        http.close()
    return _finish(report, args)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--report", type=Path, metavar="FICHIER.json",
                   help="écrire aussi le rapport en JSON dans ce fichier")
    p.add_argument("--dry-run", action="store_true", help="afficher le rapport sans modifier les fiches")
    p.add_argument("--data-dir", type=Path, default=DATA_DIR, metavar="DOSSIER",
                   help="dossier des données (défaut : data/ du dépôt)")


def register(command: Command) -> None:
    """Add `discover websites|wikidata` through observatory.cli's command(name, handler, help)."""
    p = command("discover", lambda args: args.action(args),
                "Chercher les comptes des établissements sur leur site et dans Wikidata, et les "
                "proposer dans les fiches (à relire dans une demande de fusion).")
    sub = p.add_subparsers(dest="source", required=True, metavar="SOURCE", title="sources",
                           help="où chercher : websites (sites des établissements) ou wikidata")
    w = sub.add_parser("websites", help="lire le site de chaque établissement (page d'accueil et page "
                                        "de contact) et relever les liens vers ses comptes",
                       description="Lire le site de chaque établissement et relever ses comptes.")
    w.set_defaults(action=cmd_websites)
    w.add_argument("--only", action="append", metavar="ID",
                   help="ne lire que le site de cet établissement (identifiant ; répétable)")
    _common(w)
    k = sub.add_parser("wikidata", help="interroger Wikidata (éléments portant un numéro FINESS)",
                       description="Interroger Wikidata pour les éléments portant un numéro FINESS.")
    k.set_defaults(action=cmd_wikidata)
    _common(k)
