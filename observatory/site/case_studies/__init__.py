"""Case studies: how an establishment uses a network and why, told beside the observatory's numbers.

Format
------
A study is one Markdown file, `data/etudes/<slug>.md`, that opens with a YAML front matter:

    ---
    title: Le CHU d'Angers sur Twitter
    date: 2026-11-23                 # date of writing, YYYY-MM-DD
    summary: One sentence, shown in the indexes and to search engines.
    establishments: [chu-angers]     # registry ids (establishments or benchmark accounts)
    networks: [twitter, facebook]    # vocab.PLATFORMS codes
    themes: [organisation-moyens]    # vocab.THEMES codes
    sector: chu-chr                  # a vocab.SECTORS code, or a list of them
    sources:                         # the articles the study is written from
      - title: …
        publisher: …
        url: https://…
        published_on: 2016-11-24
        note: …
    ---

then prose in Markdown (sections start at `##`: the title comes from the front matter) and
directives, which the build step expands from the data:

    {{ abonnes ID RÉSEAU [RÉSEAU…] }}          follower history: published figures, then collected ones
    {{ mesure ID RÉSEAU MESURE }}              one latest metric with its date (may sit in a sentence)
    {{ classement RÉSEAU MESURE ID ID [ID…] }} mini leaderboard of the chosen establishments
    {{ chiffres ID [RÉSEAU [MESURE]] }}        published figures of the archive, with their sources

All but `mesure` stand alone on their line. An unknown id, network, metric, theme or sector, and
any malformed directive, is a problem `data/etudes/<slug>.md:LINE: message`; every problem of
every study is reported, then the build stops (CaseStudyError is a RegistryError, which
build_site prints like a registry problem before returning 1). With no collected snapshot, the
live directives say so in words ("pas encore de mesure collectée"), never 0.

Where the sources live, and why
-------------------------------
In data/etudes/, outside docs/. The build writes the expanded page to docs/etudes/<slug>.md
(gitignored, like every generated page), so the renderer only ever sees plain Markdown, and sees
each study once; nothing relies on `exclude_docs`, which MkDocs and Zensical would both have to
honour in the same way. The sources sit beside the registry whose ids they cite: `observatory
serve` regenerates the pages when anything in data/ changes, and a copy of data/ (as in the
tests) carries its studies with it.

Generated pages: docs/etudes/<slug>.md, docs/etudes/index.md, docs/etudes/themes.md,
docs/etudes/reseaux.md, docs/secteurs/index.md and docs/secteurs/<sector>.md (the sector's
audience leaderboard, its studies and its establishments).

The prose of a study comes from a pull request: it never reaches the page as written. prose.py
renders it with Python-Markdown and cleans the HTML with nh3 against an allow-list of tags,
attributes, classes and link schemes (no script, event handler, style, form, frame or svg; links
http, https, mailto or relative); headings stay Markdown, their text escaped, so the table of
contents keeps them. Every value that comes from the front matter or from the data goes through
textfmt.md or textfmt.link."""
