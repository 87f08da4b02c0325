"""Every command and option has French help, and every command is documented in the README."""

from __future__ import annotations

import argparse

from conftest import ROOT

from observatory.cli import _parser


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_and_option_has_help() -> None:
    for name, parser in _subcommands().items():
        assert parser.description, name
        for action in parser._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"{name} {action.dest}"


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in _subcommands() if f"observatory {name}" not in readme]
    assert missing == []
