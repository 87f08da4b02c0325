"""FINESS numbers: nine characters, département + "0" + order number + Luhn key
(see ../shared/reference/finess.md, from the Agence du numérique en santé)."""

from __future__ import annotations

import re

FINESS_FORMAT = re.compile(r"(?:[0-9]{2}|2A|2B)0[0-9]{6}")  # used with fullmatch


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def finess_problem(number: str) -> str | None:
    """None when `number` is a valid FINESS number, else the reason in French."""
    if not FINESS_FORMAT.fullmatch(number):
        return (f"numéro FINESS « {number} » mal formé : 9 caractères attendus, "
                "département (2 chiffres, 2A ou 2B), puis 0, puis 6 chiffres")
    if number[:2] in {"2A", "2B"}:
        # How Corsican numbers enter the Luhn sum is not documented: format only.
        return None
    if not luhn_ok(number):
        return f"numéro FINESS « {number} » : la clé de contrôle (Luhn) est fausse"
    return None
