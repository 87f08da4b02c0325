"""The renderer's shortcut (observatory/site/fast_render.py) changes how long a page takes, never what
it shows: the same HTML from Python-Markdown, the same search sections, the same site byte for byte."""

import filecmp
import re
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from material.plugins.search.plugin import Parser

from observatory.site.fast_render import (
    SEARCH_ATTRIBUTES,
    SealedHtmlExtension,
    sealed_tag,
    without_excluded_content,
    without_search_attributes,
)

ROOT = Path(__file__).resolve().parent.parent
# mkdocs.yml's extensions (MkDocs adds its own preprocessors; tested with the whole build below).
EXTENSIONS = ["admonition", "attr_list", "tables", "toc", "pymdownx.details", "pymdownx.superfences"]


def render(text: str, fast: bool) -> str:
    extensions = [*EXTENSIONS, SealedHtmlExtension()] if fast else EXTENSIONS
    return markdown.Markdown(extensions=extensions).convert(text)


@pytest.mark.parametrize(("line", "tag"), [
    ('<table class="t"><tr><td>1</td></tr></table>', "table"),
    ("<div><div>a</div><div>b</div></div>", "div"),
    ("<details data-search-exclude><summary>s</summary><table></table></details>", "details"),
    ("<div>a</div><div>b</div>", None),  # two elements: Python-Markdown splits the line
    ("<div>a</div> suite", None),
    ("<div><div>a</div>", None),
    ("<tablex>a</tablex>", "tablex"),
    ("texte <b>gras</b>", None),
    ("<table>", None),
])
def test_a_sealed_line_is_one_element_closed_at_its_very_end(line, tag):
    assert sealed_tag(line) == tag


BLOCKS = st.sampled_from([
    "Un paragraphe avec <b>du gras</b> et `<div>` en code.",
    '<div class="obs-scroll" tabindex="0"><table><caption>c</caption><tr><td>1 &amp; 2</td></tr>'
    "</table></div>",
    '<figure class="obs-chart" data-search-exclude=""><figcaption>Légende</figcaption></figure>',
    "<details data-search-exclude><summary>Données</summary><table><tr><td>x</td></tr></table></details>",
    "<div>a</div><div>b</div>",
    "<div>\n\n<p>sur plusieurs lignes</p>\n\n</div>",
    "<!--\n\n<div>dans un commentaire</div>\n\n-->",
    "```html\n\n<div>dans du code</div>\n\n```",
    "    <div>bloc de code indenté</div>",
    "- liste\n\n<div>après une liste</div>",
    "> citation\n\n<table><tr><td>t</td></tr></table>",
    "| a | b |\n|---|---|\n| <span>1</span> | 2 |",
    "## Titre { data-search-exclude }",
    "<script>var t = '<div>x</div>';</script>",
    "<span>en ligne</span> au début d'un paragraphe",
    "CHU d'Angers : **CHU/CHR** à Angers. <sub hidden>chu angers recenses</sub>",
    "Texte <sub hidden>mots avec é accent</sub>",
    "`code <sub hidden>dans du code</sub>`",
    "`code <sub hidden>dans du code</sub>\nsur deux lignes`",
    "[lien <sub hidden>dans un lien</sub>\n](https://exemple.fr)",
    "- une liste <sub hidden>pliee</sub>",
    "# Titre <sub hidden>titre</sub>",
    "| a | b <sub hidden>dans un tableau</sub>",
    "<p>Un paragraphe en HTML</p>",
    "!!! note\n\n    <div>dans une note</div>",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(BLOCKS, min_size=1, max_size=8), st.sampled_from(["\n\n", "\n", "\n\n\n"]))
def test_python_markdown_renders_the_same_html_with_the_shortcut(blocks, separator):
    text = separator.join(blocks)
    assert render(text, fast=True) == render(text, fast=False)


def test_the_shortcut_stashes_a_generated_page_and_leaves_an_unusual_one_alone():
    md = markdown.Markdown(extensions=[*EXTENSIONS, SealedHtmlExtension()])
    sealed = md.preprocessors["observatoire_sealed_html"]
    table = '<table id="t"><tr><td>1</td></tr></table>'
    lines = ["# Titre", "", table, "", "Fin."]
    assert sealed.run(lines)[2] != table
    assert md.htmlStash.rawHtmlBlocks == [table + "\n"]
    assert sealed.anchor_ids == {"t"}  # handed to MkDocs' anchor check
    for unusual in (["<!-- note -->"], ["<div>", "x", "</div>"], ["texte", "<table></table>"]):
        assert sealed.run([*lines, "", *unusual]) == [*lines, "", *unusual]


def sections(html: str) -> list[tuple]:
    """What the search plugin indexes: every section's id, and the title and text of those not excluded."""
    parser = Parser()
    parser.feed(html)
    parser.close()
    return [(s.id or "", True) if s.is_excluded() else (s.id or "", "".join(s.title), "".join(s.text))
            for s in parser.data]


def test_search_reads_the_same_sections_from_the_lighter_page():
    html = "\n".join([
        '<h1 id="t">Titre</h1>',
        "<p>Présentation lue par la recherche.</p>",
        '<figure class="obs-chart" data-search-exclude=""><figcaption>Légende</figcaption></figure>',
        '<h2 data-search-exclude id="bref">En bref</h2>',
        '<div class="obs-scroll"><table><tr><td>1 234 abonnés</td></tr></table></div>',
        "<ul>", "<li>point</li>", "</ul>",
        '<h2 id="comptes">Comptes</h2>',
        "<table><tr><td>lu</td></tr></table>",
        "<details data-search-exclude><summary>Données</summary><table><tr><td>9</td></tr></table></details>",
    ])
    lighter = without_excluded_content(html)
    assert len(lighter) < len(html)
    assert "1 234 abonnés" not in lighter and "<td>lu</td>" in lighter
    assert sections(lighter) == sections(html)


def test_a_heading_inside_an_element_keeps_its_element_whole():
    html = ('<h2 data-search-exclude id="a">A</h2>\n<div><table></table></div>\n'
            '<div data-search-exclude><h3 id="b">B</h3></div>\n<p>lu</p>')
    lighter = without_excluded_content(html)
    assert lighter == ('<h2 data-search-exclude id="a">A</h2>\n'
                       '<div data-search-exclude><h3 id="b">B</h3></div>\n<p>lu</p>')
    assert sections(lighter) == sections(html)


# Lines as Python-Markdown and the build write them (well-formed, not always balanced on one line):
# headings (excluded or not, alone or inside an element), one-element lines, elements opened and
# closed across lines, plain text.
LINES = st.sampled_from([
    '<h1 id="t">Titre</h1>', '<h2 id="a">A</h2>', '<h2 data-search-exclude id="b">B</h2>',
    '<h3 data-search-exclude id="c">C <code>x</code></h3>', "<p>texte lu</p>",
    '<p><em>note</em> et <a href="x">lien</a></p>', "<table><tr><td>cellule</td></tr></table>",
    '<figure class="obs-chart" data-search-exclude="" aria-label="a"></figure>',
    "<details data-search-exclude><summary>s</summary><table><tr><td>9</td></tr></table></details>",
    "<div>", "</div>", "<div data-search-exclude>", '<div class="admonition">', "<ul>", "<li>point</li>",
    "</ul>", '<div><h2 data-search-exclude id="d">D</h2></div>', '<div><h3 id="e">E</h3></div>',
    "texte seul", "", "<p>début", "fin</p>", "<hr />", "<div><div>x</div><p>y</p></div>",
    '<h2 data-search-exclude id="f">F</h2></div>', "<div><p>z</p>", "<sub>indice</sub> suite",
    # marked elements the parser, which tells skipped elements apart by tag name, reads otherwise
    "<details data-search-exclude><details>x</details>y</details>",
    "<div data-search-exclude><div>a</div>b</div>", '<div><p data-search-exclude="">x</p><p>y</p></div>',
    '<h2 data-search-exclude id="g">G', "<ul data-search-exclude><li>a</li>", "<li>b</li></ul>",
    "<p>x<br>y</p>", "<div><hr /></div>",
])


@settings(max_examples=2000, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=14))
def test_search_reads_the_same_sections_from_any_lighter_page(lines):
    def read(html: str) -> list[tuple] | str:
        try:
            return sections(html)
        except ValueError as error:  # Material's parser fails on some unbalanced pages: on both, then
            return repr(error)

    html = "\n".join(lines)
    assert read(without_excluded_content(html)) == read(html)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([" ", "\n", "x", '"', "=", "data-search-exclude", "data-search-x",
                                 '="v"', '=""', "<p", ">"]), max_size=30))
def test_search_attributes_are_removed_as_material_removes_them(pieces):
    html = "".join(pieces)
    assert without_search_attributes(html) == SEARCH_ATTRIBUTES.sub("", html)


def test_the_demo_site_is_the_same_byte_for_byte_with_and_without_the_plugin(tmp_path):
    from observatory.demo.run import make_demo
    from observatory.site.build import build_site

    project = make_demo(ROOT, tmp_path, establishments=8, days=40)
    assert build_site(project) == 0
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    plain, count = re.subn(r"(?m)^  - observatoire\n", "", config)
    assert count == 1, "mkdocs.yml should list the plugin"
    (project / "mkdocs-plain.yml").write_text(plain, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", "mkdocs-plain.yml",
                    "--site-dir", "site-plain"], cwd=project, check=True, capture_output=True)
    files = sorted(p.relative_to(project / "site") for p in (project / "site").rglob("*") if p.is_file())
    plain_files = sorted(p.relative_to(project / "site-plain")
                         for p in (project / "site-plain").rglob("*") if p.is_file())
    assert files == plain_files
    assert any(f.parts[0] == "etablissements" for f in files)
    _, mismatch, errors = filecmp.cmpfiles(project / "site", project / "site-plain", files, shallow=False)
    assert mismatch == [] and errors == []
    # The build's data files are the docs/ files themselves, linked; the plain build copied them.
    data = [f for f in files if f.parts[0] == "donnees" and f.suffix in {".csv", ".json"}]
    assert data and all((project / "site" / f).samefile(project / "docs" / f) for f in data)
    assert not any((project / "site-plain" / f).samefile(project / "docs" / f) for f in data)


def test_a_data_file_that_cannot_be_linked_is_copied(tmp_path):
    from mkdocs.structure.files import File

    from observatory.site.fast_render import LinkedFile

    (tmp_path / "docs" / "donnees").mkdir(parents=True)
    (tmp_path / "docs" / "donnees" / "a.csv").write_text("date,followers\n", encoding="utf-8")
    (tmp_path / "site" / "donnees").mkdir(parents=True)
    (tmp_path / "site" / "donnees" / "a.csv").write_text("ancien", encoding="utf-8")  # a link fails here
    file = File("donnees/a.csv", str(tmp_path / "docs"), str(tmp_path / "site"), use_directory_urls=True)
    file.__class__ = LinkedFile
    file.copy_file()
    copied = tmp_path / "site" / "donnees" / "a.csv"
    assert copied.read_text(encoding="utf-8") == "date,followers\n"
    assert not copied.samefile(tmp_path / "docs" / "donnees" / "a.csv")


def test_mkdocs_anchor_check_still_sees_the_ids_of_stashed_blocks():
    from mkdocs.structure.pages import _RawHTMLPreprocessor  # what MkDocs registers for its anchor check

    md = markdown.Markdown(extensions=[*EXTENSIONS, SealedHtmlExtension()])
    scan = _RawHTMLPreprocessor()
    scan._register(md)
    md.convert('Voir [le tableau](#classement).\n\n<table id="classement"><tr><td>1</td></tr></table>\n')
    assert "classement" in scan.present_anchor_ids
