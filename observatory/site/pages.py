"""Markdown pages from page data. Every value from data/ goes through textfmt.md or .link (in raw
HTML: .html_text or .html_link)."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

from observatory import PROJECT_URL
from observatory.site.leaderboard_pages import NOT_SEARCHED, html_table, measures_section, write_if_changed
from observatory.site.search_terms import hidden_terms
from observatory.site.study_links import studies_section
from observatory.site.summary import summary_block
from observatory.textfmt import front_matter_text, html_link, html_text, link, md, plural

FINESS_RECORD = "https://finess.esante.gouv.fr/fininter/jsp/actionDetailEtablissement.do?noFiness={}"

UNVERIFIED = ('<span class="obs-unverified" title="Information non confirmée par une source">'
              "non vérifié</span>")


def _front_matter(title: str, description: str) -> str:
    # Themes print these unescaped in <title> and <meta>: escape HTML here. JSON strings are
    # valid YAML scalars, and json escapes every quote and control character.
    def scalar(text: str) -> str:
        return json.dumps(front_matter_text(text), ensure_ascii=False)

    return f"---\ntitle: {scalar(title)}\ndescription: {scalar(description)}\n---\n\n"


def source_text(source: dict[str, Any], raw_html: bool = False) -> str:
    """A source as one line: for Markdown, or for raw HTML (a table the build writes as HTML)."""
    text, linked = (html_text, html_link) if raw_html else (md, link)
    parts = [linked(source["title"], source.get("url"))]
    if source.get("publisher"):
        parts.append(text(source["publisher"]))
    if source.get("date"):
        parts.append(text(source["date"]))
    joined = ", ".join(parts)
    if source.get("note"):
        joined += f" ({text(source['note'])})"
    return joined


def _rel(from_path: str, to_path: str) -> str:
    """Relative link between two pages given by their paths under docs/."""
    depth = from_path.count("/")
    return "../" * depth + to_path


def served_link(from_path: str, to_path: str) -> str:
    """The address of page `to_path`, relative to page `from_path` (paths under docs/), as MkDocs
    serves them (directory URLs): raw HTML links are not rewritten as Markdown links are."""
    def folder(path: str) -> str:
        return path.removesuffix("index.md") if path.endswith("index.md") else path.removesuffix(".md") + "/"

    relative = posixpath.relpath(folder(to_path) or ".", folder(from_path) or ".")
    return "./" if relative == "." else relative + "/"


def _identity(page: dict[str, Any]) -> list[str]:
    unverified = set(page["unverified"])

    def flag(label: str) -> str:
        return f" {UNVERIFIED}" if label in unverified else ""

    rows = []
    if page["category"]:
        rows.append(["Catégorie", html_text(page["category"]) + flag("catégorie")])
    if page["kind"]:
        rows.append(["Nature", html_text(page["kind"]) + flag("nature")])
    if page["region"]:
        rows.append(["Région", html_text(page["region"]) + flag("région")])
    if page["city"]:
        rows.append(["Commune", html_text(page["city"]) + flag("commune")])
    if page["parent"]:
        parent = page["parent"]
        rows.append(["Rattachement", _page_link(page["path"], parent["path"], parent["name"])])
    if page["website"]:
        rows.append(["Site internet", html_link(page["website"], page["website"]) + flag("site internet")])
    if page["aliases"]:
        rows.append(["Autres noms", ", ".join(html_text(a) for a in page["aliases"])])
    if page["finess_ej"]:
        rows.append(["FINESS (entité juridique)", finess_link(page["finess_ej"]) + flag("FINESS")])
    if page["finess_et"]:
        rows.append(["FINESS (sites)", ", ".join(finess_link(n) for n in page["finess_et"])])
    rows.append(["Taille", _size_text(page["size"])])
    return [html_table(f"Identité : {page['name']}", ("Information", "Valeur"), rows, row_headers=True)]


def _size_text(size: dict[str, Any] | None) -> str:
    if not size:
        return "non renseignée"
    bits = [f"{size['beds']} lits et places" if size["beds"] else "",
            f"{size['staff']} personnes" if size["staff"] else ""]
    text = html_text(", ".join(b for b in bits if b) + f" ({size['year']})")
    if size["source"]:
        text += f", source : {source_text(size['source'], raw_html=True)}"
    return text


def finess_link(number: str) -> str:
    """A FINESS number linked to its public record on the official FINESS site."""
    return html_link(number, FINESS_RECORD.format(number))


def _accounts(page: dict[str, Any]) -> list[str]:
    if not page["accounts"]:
        return ["Aucun compte n'est encore enregistré pour cette fiche. "
                f"[Proposer un ajout]({page['edit_url']}).", ""]
    # A sentence before the table: a search result on this section shows it, not the headers.
    count = len(page["accounts"])
    rows = []
    for account in page["accounts"]:
        handle = html_link(account["handle"], account["url"])
        if account["unverified"]:
            handle += f" {UNVERIFIED}"
        if account.get("domain_verified"):
            handle += " (identifiant vérifié par le domaine de l'établissement)"
        if account.get("previous_handles"):
            handle += "<br>anciennement " + ", ".join(
                f"{html_text(p['handle'])} (jusqu'en {html_text(p['until_year'])})"
                for p in account["previous_handles"])
        sources = "; ".join(source_text(s, raw_html=True) for s in account["sources"]) or "—"
        rows.append([html_text(account["platform"]), handle, html_text(account["status"]),
                     html_text(account["since"] or "—"), html_text(account["until"] or "—"), sources])
    name = page.get("name")
    return [f"{plural(count, 'compte')}, {'chacun avec sa' if count > 1 else 'avec sa'} source :", "",
            html_table(f"Comptes de {name}" if name else "Comptes", ACCOUNT_HEADERS, rows), ""]


ACCOUNT_HEADERS = ("Réseau", "Compte", "État", "Depuis", "Jusqu'à", "Source")


def _figures(page: dict[str, Any]) -> list[str]:
    if not page["figures"]:
        return ["<p>Aucun chiffre publié n'est archivé pour cette fiche.</p>", ""]  # one line: stashed
    lines = ["Chiffres publiés par des classements, la presse ou des articles, tels qu'ils ont été "
             "publiés ; la date est celle à laquelle le chiffre se rapporte.", "",
             "| Réseau | Mesure | Valeur | Date du chiffre | Source | Citation |",
             "|---|---|---|---|---|---|"]
    for figure in page["figures"]:
        source = source_text({"title": figure["source_title"], "url": figure["source_url"],
                              "publisher": figure["source_publisher"], "date": figure["published_on"]})
        quote = f"« {md(figure['quote'])} »"
        if figure["note"]:
            quote += f" <br>*{md(figure['note'])}*"
        lines.append(f"| {md(figure['platform'])} | {md(figure['metric'])} | {md(figure['value'])} | "
                     f"{md(figure['figure_date'])} | {source} | {quote} |")
    return lines + [""]


def entity_description(page: dict[str, Any]) -> str:
    """What a shared link to the page says: name, category (and region), networks."""
    kind = "Compte de référence" if page["is_benchmark"] else (page["category"] or "Établissement")
    where = f", {page['region']}" if page.get("region") else ""
    networks = list(dict.fromkeys(a["platform"] for a in page["accounts"]))
    accounts = "comptes sur " + ", ".join(networks) if networks else "aucun compte connu"
    return f"{page['name']} — {kind}{where} : {accounts}."


def and_list(items: list[str]) -> str:
    """« A », « A et B », « A, B et C »."""
    return ", ".join(items[:-1]) + " et " + items[-1] if len(items) > 1 else "".join(items)


def _what(page: dict[str, Any]) -> str:
    """« centre hospitalier », « CHU/CHR », « compte de référence (agence publique) »."""
    def lower(label: str) -> str:  # acronyms (CHU/CHR, ESPIC) keep their capitals
        return label[:1].lower() + label[1:] if label[1:2].islower() else label

    if page["is_benchmark"]:
        return "compte de référence" + (f" ({lower(page['kind'])})" if page["kind"] else "")
    category = page["category"]
    return lower(category) if category and category != "Autre" else "établissement de santé"


def entity_intro(page: dict[str, Any]) -> str:
    """The page's first sentence, plain text: what a search result shows first (not the
    identity table's headers). « CHU d'Angers : CHU/CHR à Angers (Pays de la Loire), 3 comptes
    recensés sur X (Twitter), Facebook et YouTube. »"""
    where = ""
    if page["city"]:
        where = f" à {page['city']}" + (f" ({page['region']})" if page["region"] else "")
    elif page["region"]:
        where = f", région {page['region']}"
    networks = list(dict.fromkeys(a["platform"] for a in page["accounts"]))
    accounts = (f"{plural(len(page['accounts']), 'compte recensé')} sur {and_list(networks)}" if networks
                else "aucun compte recensé sur les réseaux sociaux")
    return f"{page['name']} : {_what(page)}{where}, {accounts}."


def entity_markdown(page: dict[str, Any]) -> str:
    intro = entity_intro(page)
    # The folded forms of the words indexed on the page (search_terms): title, this sentence,
    # the identity table, the attached establishments and the note.
    indexed = [intro, page["kind"], page["parent"]["name"] if page["parent"] else None, page["note"],
               *page["aliases"], *(c["name"] for c in page["children"])]
    out = [_front_matter(page["name"], entity_description(page)),
           f"# {md(page['name'])}", "", md(intro) + hidden_terms(indexed), ""]
    if page["is_benchmark"]:
        out += ['!!! note "Compte de référence"', "    Ce compte sert de point de comparaison. Il "
                "n'est jamais classé parmi les établissements.", ""]
    if page["unverified"]:
        out += ['!!! warning "Informations non vérifiées"',
                f"    Non confirmé par une source : {md(', '.join(page['unverified']))}.", ""]
    out += _identity(page) + [""]
    if page["children"]:
        out += ["Établissements rattachés : " + ", ".join(
            f"[{md(c['name'])}]({_rel(page['path'], c['path'])})" for c in page["children"]), ""]
    if page["note"]:
        out += [f"*{md(page['note'])}*", ""]
    # Across networks, before the accounts (summary.py). After the identity table: the summary's
    # section is kept out of the search index, and names and places must stay in it.
    out += summary_block(page.get("summary"))
    out += ["## Comptes", ""] + _accounts(page)
    # charts: set by build.generate
    out += measures_section(page.get("measures"), page.get("charts"), page["id"])
    # Repeated boilerplate (no figure yet; sources, mostly the registry's) is not indexed: at
    # 3,000 establishments it was a third of the search index. Quotes of figures stay indexed.
    out += [f"## Chiffres publiés{'' if page['figures'] else ' ' + NOT_SEARCHED}", ""] + _figures(page)
    out += studies_section(page.get("case_studies"), page["path"])  # set by casestudies.attach
    sources = "".join(f"<li>{source_text(s, raw_html=True)}</li>" for s in page["sources"])
    out += [f"## Sources {NOT_SEARCHED}", "", f"<ul>{sources}</ul>" if sources else "<p>Aucune source.</p>",
            ""]
    out += [f'[Proposer une correction]({page["edit_url"]}){{ .md-button }}', ""]
    return "\n".join(out)


DIRECTORY_ROWS = 250  # establishments per directory page: about 60 KB of HTML


def directory_markdown(data: dict[str, Any]) -> str:
    """The directory's front page: counts and one link per region (3,000 rows would not fit a
    page), then the reference accounts."""
    total = data["total"]
    counts = ", ".join(f"{c['count']} {c['category']}" for c in data["by_category"])
    out = [_front_matter("Annuaire des établissements", "Tous les établissements suivis"),
           "# Annuaire des établissements", "",
           f"L'observatoire suit **{total} établissements**. {md(counts)}."
           + hidden_terms(["Annuaire des établissements", counts]), "",
           "Pour trouver un établissement par son nom ou sa commune, utilisez la recherche du site ; "
           "l'annuaire les liste par région.", "",
           html_table("Établissements suivis par région", ("Région", "Établissements"), [
               [_page_link("etablissements/index.md", r["path"], r["region"]), str(len(r["rows"]))]
               for r in data["regions"]]),
           "", "## Comptes de référence", "",
           "Ces comptes ne sont pas des établissements de santé : ils servent de point de "
           "comparaison et ne sont jamais classés.", "",
           html_table("Comptes de référence", ("Nom", "Nature", *DIRECTORY_HEADERS[2:]),
                      [_directory_row(row, "etablissements/index.md") for row in data["benchmarks"]])]
    return "\n".join(out) + "\n"


def region_pages(region: dict[str, Any]) -> dict[str, str]:
    """A region's establishments, DIRECTORY_ROWS a page: path (relative to docs/) -> Markdown."""
    rows, name = region["rows"], region["region"]
    count = max(1, -(-len(rows) // DIRECTORY_ROWS))
    paths = [region["path"]] + [region["path"].replace(".md", f"-{n}.md") for n in range(2, count + 1)]
    out = {}
    plural = "s" if len(rows) > 1 else ""
    for n, path in enumerate(paths, start=1):
        part = rows[(n - 1) * DIRECTORY_ROWS:n * DIRECTORY_ROWS]
        title = f"Annuaire : {name}" + (f" (page {n} sur {count})" if count > 1 else "")
        lines = [_front_matter(title, f"Établissements suivis : {name}"), f"# {md(title)}", "",
                 f"{len(rows)} établissement{plural} suivi{plural}"
                 f" dans cette région. [Toutes les régions]({_rel(path, 'etablissements/index.md')})."
                 + hidden_terms([title, "établissements suivis région"]), ""]
        if count > 1:
            lines += [" · ".join(f"page {k}" if k == n else f"[page {k}]({_rel(path, p)})"
                                 for k, p in enumerate(paths, start=1)), ""]
        # Names and places are indexed on each establishment's page, not twice.
        lines += [f"## Établissements {NOT_SEARCHED}", "",
                  html_table(title, DIRECTORY_HEADERS,
                             [_directory_row(row, path) for row in part])]
        out[path] = "\n".join(lines) + "\n"
    return out


DIRECTORY_HEADERS = ("Établissement", "Catégorie", "Région", "Commune", "Réseaux", "Chiffres archivés")


def _page_link(from_path: str, to_path: str, text: str) -> str:
    return f'<a href="{html_text(served_link(from_path, to_path))}">{html_text(text)}</a>'


def _directory_row(row: dict[str, Any], from_path: str) -> list[str]:
    return [_page_link(from_path, row["path"], row["name"]), html_text(row["category"]),
            html_text(row["region"] or "—"), html_text(row["city"] or "—"),
            html_text(", ".join(row["platforms"]) or "—"), html_text(row["figures"])]


def write_pages(docs_dir: Path, entity_pages: list[dict[str, Any]], directory: dict[str, Any]) -> int:
    """Write every generated page under docs/; return how many there are.

    Unchanged files are left alone, so that a live preview reloads only what changed."""
    wanted = {docs_dir / page["path"]: entity_markdown(page) for page in entity_pages}
    wanted[docs_dir / "etablissements" / "index.md"] = directory_markdown(directory)
    for region in directory["regions"]:
        wanted.update({docs_dir / path: text for path, text in region_pages(region).items()})
    for folder in ("etablissements", "references", "annuaire"):
        (docs_dir / folder).mkdir(parents=True, exist_ok=True)
        for stale in set((docs_dir / folder).glob("*.md")) - set(wanted):
            stale.unlink()
    for path, text in wanted.items():
        write_if_changed(path, text)
    return len(wanted)


def format_markdown(specs: list[tuple[str, str, tuple[Any, ...]]]) -> str:
    """The data dictionary of the registry files, generated from observatory/spec.py."""
    out = [_front_matter("Format des fiches", "Dictionnaire des champs des fiches du registre"),
           "# Format des fiches", "",
           "Cette page est produite à partir de la définition du format utilisée par le "
           "validateur : elle est toujours à jour. Les schémas JSON correspondants sont dans le "
           "dossier `schema/` du dépôt.", ""]
    for title, intro, spec in specs:
        out += [f"## {title}", "", intro, ""] + _spec_table(spec, "") + [""]
    return "\n".join(out)


def _spec_table(spec: tuple[Any, ...], prefix: str) -> list[str]:
    kinds = {"str": "texte", "text": "texte", "int": "entier positif", "year": "année",
             "bool": "true / false", "date": "date (AAAA, AAAA-MM ou AAAA-MM-JJ)",
             "https": "lien https://", "link": "adresse http(s)", "finess": "numéro FINESS",
             "slug": "identifiant", "enum": "valeur de la liste", "list": "liste",
             "object": "ensemble de champs", "latitude": "latitude (degrés décimaux)",
             "longitude": "longitude (degrés décimaux)"}
    lines = ["| Champ | Obligatoire | Type | Description |", "|---|---|---|---|"]
    nested: list[str] = []
    for f in spec:
        kind = kinds[f.kind]
        if f.kind == "list" and f.item is not None:
            kind = f"liste de : {kinds[f.item.kind]}"
        description = md(f.doc)
        if f.choices:
            description += " — valeurs : " + ", ".join(f"`{c}`" for c in f.choices)
        lines.append(f"| `{prefix}{f.name}` | {'oui' if f.required else 'non'} | {kind} | {description} |")
        sub = f.spec or (f.item.spec if f.item is not None else ())
        if sub and f.name not in {"sources", "source"}:
            nested += [""] + _spec_table(sub, f"{prefix}{f.name}.")
    return lines + nested


def opendata_markdown(listing: list[dict[str, Any]]) -> str:
    def size(n: int) -> str:
        return f"{n / 1024:.1f} Ko".replace(".", ",") if n >= 1024 else f"{n} octets"

    out = [_front_matter("Données ouvertes", "Télécharger les données de l'observatoire"),
           "# Données ouvertes", "",
           "Toutes les données affichées sur ce site sont téléchargeables, sous la "
           "[Licence Ouverte 2.0](https://www.etalab.gouv.fr/licence-ouverte-open-licence/) : "
           "vous pouvez les réutiliser librement, y compris commercialement, en citant "
           "l'observatoire comme source.", "",
           "Le fichier [datapackage.json](datapackage.json) décrit chaque jeu de données et ses "
            "colonnes (format [Frictionless Data](https://specs.frictionlessdata.io/data-package/)). "
            "Le format des fiches du registre est publié en JSON Schema : "
            "[établissement](establishment.schema.json), [compte de référence](benchmark.schema.json) ; "
            "voir aussi le [dictionnaire des champs](format.md).", "",
            "Les relevés bruts de la collecte (un fichier CSV par réseau et par mois) sont versionnés "
            f"dans le dépôt, dossier [`data/snapshots/`]({PROJECT_URL}/tree/main/data/snapshots), sous "
            "la même licence ; leur définition est donnée dans la [méthodologie](../methodologie.md). "
            "Ils ne sont pas recopiés sur ce site : à l'échelle nationale (quelque 3 000 établissements, "
            "deux ans de relevés quotidiens), ils pèsent près d'un gigaoctet. Pour chaque compte, la "
            "série des abonnés (chaque relevé) et de l'engagement (chaque semaine) se télécharge en "
            "CSV depuis sa fiche.", "",
            f"## Fichiers à télécharger {NOT_SEARCHED}", "",  # names and sizes are not searched
            "| Jeu de données | Lignes | CSV | JSON |", "|---|---|---|---|"]
    for d in listing:
        out.append(f"| {md(d['title'])} | {d['rows']} | [{d['name']}.csv]({d['name']}.csv) "
                   f"({size(d['csv_bytes'])}) | [{d['name']}.json]({d['name']}.json) "
                   f"({size(d['json_bytes'])}) |")
    return "\n".join(out) + "\n"
