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
    const body = table.tBodies[0];
    const header = button.closest("th");
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach((th) => th.removeAttribute("aria-sort"));
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
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
    const valueIndex = table.tHead.rows[0].cells.length - 2;
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

  function applyFilters(form) {
    const table = document.getElementById(form.dataset.table);
    if (!table) return;
    const wanted = {};
    form.querySelectorAll("select[data-filter]").forEach((s) => { wanted[s.dataset.filter] = s.value; });
    let shown = 0;
    Array.from(table.tBodies[0].rows).forEach((row) => {
      const visible = Object.keys(wanted).every((key) => !wanted[key] || row.dataset[key] === wanted[key]);
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    rankSelection(table, Object.values(wanted).some((v) => v));
    const count = form.querySelector(".obs-count");
    if (count) count.textContent = shown + " ligne(s) affichée(s) sur " + table.tBodies[0].rows.length;
  }

  function init() {
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
