"""Frictions a new maintainer meets (issue #12): each one fixed and kept fixed by a test."""

from __future__ import annotations

import pytest

from observatory.textfmt import slugify


@pytest.mark.parametrize(("name", "slug"), [
    ("Clinique du Sacré-Cœur", "clinique-du-sacre-coeur"),
    ("ŒUVRE DES ÆGIDES", "oeuvre-des-aegides"),
    ("Straße Ærø", "strasse-aero"),
    ("Maison Ĳssel — Øster Łódź", "maison-ijssel-oster-lodz"),
])
def test_slugify_spells_out_ligatures(name: str, slug: str) -> None:
    assert slugify(name) == slug
