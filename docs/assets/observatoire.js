// Sortable and filterable leaderboards. Runs on every page Material loads, including after
// instant navigation (document$ emits on each page), and does nothing on pages without tables.
(function () {
  "use strict";

  function cellValue(row, index) {
    const cell = row.cells[index];
    const raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    const number = Number(raw);
    return raw !== "" && !Number.isNaN(number) ? number : raw.toLocaleLowerCase("fr");
  }

  function sortBy(table, index, button) {
    const header = button.closest("th");
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach((th) => th.removeAttribute("aria-sort"));
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    sortRows(table, index, ascending);
  }

  function sortRows(table, index, ascending) {
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    rows.sort((a, b) => {
      const x = cellValue(a, index), y = cellValue(b, index);
      // Empty values (n/a) always go last, whatever the direction.
      if (x === "" || y === "") return x === "" ? (y === "" ? 0 : 1) : -1;
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "fr");
      return ascending ? order : -order;
    });
    rows.forEach((row) => body.appendChild(row));
  }

  function makeSortable(table) {
    if (table.dataset.ready) return;
    table.dataset.ready = "1";
    Array.from(table.tHead.rows[0].cells).forEach((th, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "obs-sort";
      button.textContent = th.textContent;
      button.title = "Trier selon « " + th.textContent + " »";
      button.addEventListener("click", () => sortBy(table, index, button));
      th.textContent = "";
      th.appendChild(button);
    });
  }

  // With a filter active, the first column ranks the rows shown (ties share a rank) and keeps
  // the national rank beside it; without a filter it shows the national rank alone.
  function rankSelection(table, filtered) {
    const rows = Array.from(table.tBodies[0].rows);
    // The value column is marked by the build (a sector's table leaves some columns out).
    const marked = table.tHead.querySelector("th[data-value]");
    const valueIndex = marked ? marked.cellIndex : table.tHead.rows[0].cells.length - 2;
    rows.forEach((row) => {
      const cell = row.cells[0];
      if (!cell.dataset.national) cell.dataset.national = cell.textContent.trim();
      cell.textContent = cell.dataset.national;
    });
    if (!filtered) return;
    const shown = rows.filter((row) => !row.hidden)
      .map((row) => ({ row, value: row.cells[valueIndex].getAttribute("data-sort") }))
      .filter((item) => item.value !== "" && item.value !== null)
      .sort((a, b) => Number(b.value) - Number(a.value));
    let rank = 0, previous = null;
    shown.forEach((item, position) => {
      if (item.value !== previous) rank = position + 1;
      previous = item.value;
      const national = item.row.cells[0].dataset.national;
      item.row.cells[0].textContent = rank + " (national : " + national + ")";
    });
  }

  // Paginated boards: with a filter set, the rows of every page come from the board's JSON
  // (boardpages.board_rows_json), fetched once from the site itself; the page's own rows are
  // put back when the filters are cleared. Without that file, the filters act on the page.
  const boardData = {};

  function loadRows(url) {
    if (!boardData[url]) {
      boardData[url] = fetch(url, { credentials: "same-origin" }).then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
      boardData[url].catch(() => { delete boardData[url]; });
    }
    return boardData[url];
  }

  function textCell(row, text, sort) {
    const cell = row.insertCell();
    if (sort !== undefined) cell.setAttribute("data-sort", sort === null ? "" : String(sort));
    if (text !== undefined) cell.textContent = text;
    return cell;
  }

  // « 1 ligne affichée », « 2 lignes affichées »: French agreement, no parenthesised plural.
  function plural(count, singular, pluralForm) {
    return count + " " + (Math.abs(count) < 2 ? singular : pluralForm);
  }

  function span(parent, className, title, text) {
    const element = document.createElement("span");
    if (className) element.className = className;
    if (title !== null) element.title = title;
    element.textContent = text;
    parent.appendChild(element);
  }

  // The same row as boardpages._row_html, built as text nodes (never parsed as HTML).
  function rowElement(data, item, links) {
    const [rank, change, entity, name, category, region, size, fourth, value, shown, flags] = item;
    const row = document.createElement("tr");
    row.dataset.category = category;
    row.dataset.region = region;
    row.dataset.size = size;
    textCell(row, rank === null ? "—" : String(rank), rank);
    const changeCell = textCell(row, undefined, change);
    if (change === null) span(changeCell, "", "pas de rang à la période précédente", "—");
    else if (change > 0) span(changeCell, "obs-up", plural(change, "place gagnée", "places gagnées"), "▲ " + change);
    else if (change < 0) span(changeCell, "obs-down", plural(-change, "place perdue", "places perdues"), "▼ " + -change);
    else span(changeCell, "", "rang inchangé", "=");
    const link = document.createElement("a");
    link.setAttribute("href", links + entity + "/");
    link.textContent = name;
    textCell(row).appendChild(link);
    textCell(row, data.categories[category] || "—");
    textCell(row, region || "—");
    textCell(row, fourth);
    const valueCell = textCell(row, value === null ? undefined : shown, value);
    if (value === null) {
      span(valueCell, "obs-na", shown, "n/a");
      span(valueCell, "obs-sr", null, " : " + shown);
    }
    const mentions = data.mentions.filter((_text, bit) => flags & (1 << bit));
    textCell(row, mentions.join("; ") || "—");
    return row;
  }

  function replaceRows(table, rows) {
    const body = table.tBodies[0];
    body.replaceChildren(...rows);
    const sorted = table.querySelector("th[aria-sort]");
    if (sorted) sortRows(table, sorted.cellIndex, sorted.getAttribute("aria-sort") === "ascending");
  }

  function showCount(form, text) {
    const count = form.querySelector(".obs-count");
    if (count) count.textContent = text;
  }

  // While the rows of every page are shown, the page's rank range and pagination do not apply.
  function showPaging(table, visible) {
    const scope = table.closest("article") || document;
    scope.querySelectorAll(".obs-range, .obs-pages").forEach((element) => { element.hidden = !visible; });
  }

  function filterPage(form, table, wanted, note) {
    const rows = Array.from(table.tBodies[0].rows);
    let shown = 0;
    rows.forEach((row) => {
      const visible = Object.keys(wanted).every((key) => !wanted[key] || row.dataset[key] === wanted[key]);
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    rankSelection(table, Object.values(wanted).some((v) => v));
    const total = form.dataset.total || rows.length;
    showCount(form, plural(shown, "ligne affichée", "lignes affichées") + " sur " + total + note);
  }

  function applyFilters(form) {
    const table = document.getElementById(form.dataset.table);
    if (!table) return;
    const wanted = {};
    form.querySelectorAll("select[data-filter]").forEach((s) => { wanted[s.dataset.filter] = s.value; });
    if (!table.obsPageRows) table.obsPageRows = Array.from(table.tBodies[0].rows);
    const request = (form.obsRequest || 0) + 1;  // a later change supersedes a pending fetch
    form.obsRequest = request;
    const filtered = Object.values(wanted).some((v) => v);
    if (!form.dataset.rows || !filtered) {
      table.removeAttribute("aria-busy");
      if (form.dataset.rows) replaceRows(table, table.obsPageRows);
      showPaging(table, true);
      filterPage(form, table, wanted, "");
      return;
    }
    showCount(form, "Chargement du classement complet…");
    table.setAttribute("aria-busy", "true");
    const keys = { category: 4, region: 5, size: 6 };
    loadRows(new URL(form.dataset.rows, document.baseURI).href).then((data) => {
      if (form.obsRequest !== request) return;
      table.removeAttribute("aria-busy");
      const matching = data.rows.filter((item) =>
        Object.keys(wanted).every((key) => !wanted[key] || item[keys[key]] === wanted[key]));
      replaceRows(table, matching.map((item) => rowElement(data, item, table.dataset.links)));
      showPaging(table, false);
      rankSelection(table, true);
      showCount(form, plural(matching.length, "ligne affichée", "lignes affichées") + " sur " + data.rows.length);
    }).catch(() => {
      if (form.obsRequest !== request) return;
      table.removeAttribute("aria-busy");
      replaceRows(table, table.obsPageRows);
      showPaging(table, true);
      filterPage(form, table, wanted, " (classement complet indisponible : filtre limité à cette page)");
    });
  }

  // Regions that scroll sideways on a narrow screen (Material's table wrappers, code blocks)
  // take keyboard focus and have a name, so they can be scrolled without a mouse (RGAA, axe
  // scrollable-region-focusable). Wrappers the build writes already carry these attributes.
  function focusableScrollers() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach((wrap) => {
      if (wrap.hasAttribute("tabindex")) return;
      const caption = wrap.querySelector("caption");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", caption ? caption.textContent.trim() : "Tableau (défilement horizontal)");
    });
    document.querySelectorAll(".md-typeset pre > code").forEach((code) => {
      if (code.hasAttribute("tabindex")) return;
      code.setAttribute("tabindex", "0");
      code.setAttribute("role", "region");
      code.setAttribute("aria-label", "Bloc de code (défilement horizontal)");
    });
  }

  // The accent-folded words that end a page's first paragraph (<sub hidden>, search_terms.py)
  // are indexed with it; observatoire.css hides them in Material's search results. Zensical draws
  // its results inside a shadow root, out of the page's styles: the rule is added there too.
  function hideFoldedWords() {
    document.querySelectorAll("body > *").forEach((host) => {
      const root = host.shadowRoot;
      if (!root || root.querySelector("style[data-obs-folded]")) return;
      const style = document.createElement("style");
      style.setAttribute("data-obs-folded", "");
      style.textContent = "sub { display: none; }";
      root.appendChild(style);
    });
  }

  function init() {
    hideFoldedWords();
    focusableScrollers();
    // Material's search dialog has no accessible name (axe: aria-dialog-name).
    const search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Rechercher");
    document.querySelectorAll("table[data-sortable]").forEach(makeSortable);
    document.querySelectorAll("form.obs-filters").forEach((form) => {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      form.addEventListener("change", () => applyFilters(form));
      form.addEventListener("submit", (event) => event.preventDefault());
      applyFilters(form);
    });
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(init);
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
