// The « Comparer » page (observatory/site/compare.py writes it and its index): the reader picks
// 2 to 4 establishments in a combobox (accent- and case-insensitive search), and sees their
// followers (and engagement when known) on one network, drawn from the per-account CSV files the
// site publishes, with a plain-text summary and data tables (RGAA). The choice lives in the URL
// (?e=id1,id2&r=network) so it can be shared; back and forward restore it.
// Loaded by that page only; Material re-runs the page's scripts after instant navigation, so
// this file may run several times: shared state lives on window. Text from the registry is
// inserted with textContent only, never parsed as HTML.
(function () {
  "use strict";

  var shared = window.observatoireCompare || (window.observatoireCompare = {
    indexes: new Map(), // URL -> Promise of the index
    files: new Map(), // URL -> Promise of parsed CSV rows
    listening: false
  });
  var COLORS = ["#5c6bc0", "#ef6c00", "#d6336c", "#00a39b"];
  var MAX_OPTIONS = 30;
  var numberFormat = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
  var rateFormat = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 3, maximumFractionDigits: 3 });
  var dateFormat = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

  // --- Text ----------------------------------------------------------------------------------

  // Lower case, without accents or ligatures, punctuation as spaces: « Hôpital » -> « hopital ».
  function fold(text) {
    return String(text).toLowerCase().replace(/œ/g, "oe").replace(/æ/g, "ae").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, " ").trim();
  }

  function plural(count, singular, pluralForm) {
    return numberFormat.format(count) + " " + (Math.abs(count) < 2 ? singular : pluralForm);
  }

  function day(iso) {
    return dateFormat.format(new Date(iso + "T00:00:00Z"));
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- Data ----------------------------------------------------------------------------------

  function getJson(url) {
    if (!shared.indexes.has(url)) {
      var request = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(url + " : " + response.status);
        return response.json();
      });
      request.catch(function () { shared.indexes.delete(url); });
      shared.indexes.set(url, request);
    }
    return shared.indexes.get(url);
  }

  // Rows of a series file (date,followers,engagement); empty cells are null.
  function getSeries(url) {
    if (!shared.files.has(url)) {
      var request = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(url + " : " + response.status);
        return response.text();
      }).then(function (text) {
        return text.split("\n").slice(1).filter(Boolean).map(function (line) {
          var cells = line.split(",");
          return {
            date: cells[0],
            followers: cells[1] === "" || cells[1] === undefined ? null : Number(cells[1]),
            engagement: cells[2] === "" || cells[2] === undefined ? null : Number(cells[2])
          };
        });
      });
      request.catch(function () { shared.files.delete(url); });
      shared.files.set(url, request);
    }
    return shared.files.get(url);
  }

  // The index's entry as an object: id, name, label (short name), category, region, accounts.
  function establishment(index, id) {
    var entry = index.e[id];
    if (!entry) return null;
    return {
      id: id,
      name: entry[0],
      label: entry[4] || entry[0],
      category: index.c[entry[1]] || "",
      region: entry[2] >= 0 ? index.r[entry[2]] : "",
      accounts: entry[3].map(function (account) {
        return {
          platform: index.p[account[0]][0],
          network: index.p[account[0]][1],
          handle: account[1],
          path: index.s + "/" + index.p[account[0]][0] + "/" + account[2] + ".csv"
        };
      }),
      words: fold(entry[0] + " " + (entry[4] || "") + " " + id)
    };
  }

  // --- The URL -------------------------------------------------------------------------------

  function fromUrl(index, max) {
    var params = new URLSearchParams(location.search);
    var ids = (params.get("e") || "").split(",").filter(function (id, at, all) {
      return id && Object.prototype.hasOwnProperty.call(index.e, id) && all.indexOf(id) === at;
    });
    return { ids: ids.slice(0, max), platform: params.get("r") || "" };
  }

  function toUrl(ids, platform) {
    var url = new URL(location.href);
    if (ids.length) url.searchParams.set("e", ids.join(","));
    else url.searchParams.delete("e");
    if (platform && ids.length) url.searchParams.set("r", platform);
    else url.searchParams.delete("r");
    // Ids are [a-z0-9-]: the comma needs no escaping, and a shared address stays readable.
    return url.pathname + url.search.replace(/%2C/gi, ",") + url.hash;
  }

  // --- The page ------------------------------------------------------------------------------

  function Compare(root, index, config) {
    this.root = root;
    this.index = index;
    this.config = config;
    this.max = Number(root.dataset.max) || 4;
    this.dataUrl = new URL(root.dataset.data, document.baseURI).href;
    this.all = Object.keys(index.e).map(function (id) { return establishment(index, id); });
    this.chosen = [];
    this.platform = "";
    this.explicit = false; // the network was chosen by the reader (or the address), not by default
    this.options = [];
    this.active = -1;
    this.views = [];
    this.request = 0;
    this.input = root.querySelector("#obs-compare-input");
    this.listbox = root.querySelector("#obs-compare-options");
    this.status = root.querySelector(".obs-compare-status");
    this.chips = root.querySelector(".obs-compare-chosen");
    this.networkBox = root.querySelector(".obs-compare-network");
    this.select = root.querySelector("#obs-compare-platform");
    this.results = root.querySelector(".obs-compare-results");
    this.bind();
  }

  Compare.prototype.bind = function () {
    var self = this;
    this.input.disabled = false;
    this.input.addEventListener("input", function () { self.search(); });
    this.input.addEventListener("keydown", function (event) { self.key(event); });
    this.input.addEventListener("blur", function () {
      setTimeout(function () { self.close(); }, 150);
    });
    // mousedown: the input keeps the focus while an option is clicked.
    this.listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) self.pick(Number(option.dataset.at));
    });
    this.select.addEventListener("change", function () {
      self.platform = self.select.value;
      self.explicit = true;
      history.replaceState(history.state, "", toUrl(self.chosen, self.platform));
      self.draw();
    });
  };

  Compare.prototype.search = function () {
    var words = fold(this.input.value).split(" ").filter(Boolean);
    var chosen = this.chosen;
    this.listbox.replaceChildren();
    this.options = [];
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    if (!words.length) return this.close();
    if (chosen.length >= this.max) {
      this.close();
      this.status.textContent = "Vous avez choisi " + this.max + " établissements, le maximum : "
        + "retirez-en un pour en ajouter un autre.";
      return;
    }
    var found = this.all.filter(function (item) {
      return chosen.indexOf(item.id) < 0 && words.every(function (word) {
        return (" " + item.words).indexOf(" " + word) >= 0 || item.words.indexOf(word) >= 0;
      });
    });
    this.options = found.slice(0, MAX_OPTIONS);
    var self = this;
    this.options.forEach(function (item, at) {
      var option = element("li", "obs-compare-option");
      option.id = "obs-compare-option-" + at;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.at = String(at);
      option.appendChild(element("span", "obs-compare-name", item.name));
      var details = [item.category, item.region].filter(Boolean).join(", ");
      if (details) option.appendChild(element("span", "obs-compare-details", " — " + details));
      self.listbox.appendChild(option);
    });
    var shown = this.options.length;
    this.status.textContent = found.length === 0 ? "Aucun établissement ne correspond à « " + this.input.value + " »."
      : plural(found.length, "établissement trouvé", "établissements trouvés")
        + (found.length > shown ? " (" + shown + " premiers affichés : précisez la recherche)" : "")
        + ". Flèche bas pour parcourir la liste.";
    this.listbox.hidden = shown === 0;
    this.input.setAttribute("aria-expanded", shown ? "true" : "false");
  };

  Compare.prototype.close = function () {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  Compare.prototype.highlight = function (at) {
    var options = this.listbox.querySelectorAll("[role=option]");
    if (!options.length) return;
    this.active = (at + options.length) % options.length;
    options.forEach(function (option, position) {
      option.setAttribute("aria-selected", position === this.active ? "true" : "false");
    }, this);
    var current = options[this.active];
    this.input.setAttribute("aria-activedescendant", current.id);
    current.scrollIntoView({ block: "nearest" });
  };

  Compare.prototype.key = function (event) {
    var open = !this.listbox.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open && this.options.length) {
        this.listbox.hidden = false;
        this.input.setAttribute("aria-expanded", "true");
      }
      this.highlight(this.active + (event.key === "ArrowDown" ? 1 : this.active < 0 ? 0 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (open && this.active >= 0) this.pick(this.active);
      else if (this.options.length === 1) this.pick(0);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      this.close();
    }
  };

  Compare.prototype.pick = function (at) {
    var item = this.options[at];
    if (!item || this.chosen.indexOf(item.id) >= 0 || this.chosen.length >= this.max) return;
    this.chosen = this.chosen.concat([item.id]);
    this.input.value = "";
    this.listbox.replaceChildren();
    this.options = [];
    this.close();
    this.show();
    history.pushState(null, "", toUrl(this.chosen, this.platform));
    this.input.focus();
  };

  Compare.prototype.remove = function (id) {
    this.chosen = this.chosen.filter(function (other) { return other !== id; });
    this.show();
    history.pushState(null, "", toUrl(this.chosen, this.platform));
    this.input.focus();
  };

  // Selection from the address (first visit, shared link, back or forward).
  Compare.prototype.restore = function () {
    var wanted = fromUrl(this.index, this.max);
    this.chosen = wanted.ids;
    this.platform = wanted.platform;
    this.explicit = Boolean(wanted.platform);
    this.show();
  };

  Compare.prototype.chosenItems = function () {
    var all = this.all;
    return this.chosen.map(function (id) {
      return all.find(function (item) { return item.id === id; });
    });
  };

  // Networks of the chosen establishments, those most of them use first.
  Compare.prototype.networks = function () {
    var counts = new Map();
    var order = this.index.p.map(function (p) { return p[0]; });
    this.chosenItems().forEach(function (item) {
      var seen = new Set(item.accounts.map(function (a) { return a.platform; }));
      seen.forEach(function (platform) { counts.set(platform, (counts.get(platform) || 0) + 1); });
    });
    return Array.from(counts.keys()).sort(function (a, b) {
      return counts.get(b) - counts.get(a) || order.indexOf(a) - order.indexOf(b);
    }).map(function (platform) { return { platform: platform, count: counts.get(platform) }; });
  };

  Compare.prototype.show = function () {
    var self = this;
    var items = this.chosenItems();
    this.chips.replaceChildren();
    items.forEach(function (item) {
      var chip = element("li", "obs-compare-chip");
      chip.appendChild(element("span", "", item.name));
      var button = element("button", "obs-compare-remove", "×");
      button.type = "button";
      button.setAttribute("aria-label", "Retirer " + item.name);
      button.title = "Retirer " + item.name;
      button.addEventListener("click", function () { self.remove(item.id); });
      chip.appendChild(button);
      self.chips.appendChild(chip);
    });
    this.chips.hidden = items.length === 0;
    var networks = this.networks();
    // By default the network most of the chosen establishments share; the reader's choice
    // stays while it applies.
    if (!this.explicit || !networks.some(function (n) { return n.platform === self.platform; })) {
      this.platform = networks.length ? networks[0].platform : "";
      this.explicit = false;
    }
    this.select.replaceChildren();
    var names = new Map(this.index.p);
    networks.forEach(function (n) {
      var option = element("option", "", names.get(n.platform) + " (" + n.count + " sur " + items.length + ")");
      option.value = n.platform;
      option.selected = n.platform === self.platform;
      self.select.appendChild(option);
    });
    this.networkBox.hidden = networks.length === 0;
    if (items.length === 0) {
      this.status.textContent = plural(this.all.length, "établissement peut", "établissements peuvent")
        + " être comparés : tapez une partie d'un nom.";
    } else if (items.length === 1) {
      this.status.textContent = "1 établissement choisi : ajoutez-en au moins un autre pour comparer.";
    } else {
      this.status.textContent = items.length + " établissements choisis.";
    }
    this.draw();
  };

  // --- Results -------------------------------------------------------------------------------

  Compare.prototype.draw = function () {
    var self = this;
    var request = ++this.request;
    var items = this.chosenItems();
    this.views.forEach(function (view) { view.finalize(); });
    this.views = [];
    if (!items.length) {
      this.results.replaceChildren();
      return;
    }
    var accounts = [];
    items.forEach(function (item) {
      item.accounts.forEach(function (account) { accounts.push({ item: item, account: account }); });
    });
    this.results.setAttribute("aria-busy", "true");
    Promise.all(accounts.map(function (entry) {
      return getSeries(new URL(entry.account.path, self.dataUrl).href).then(function (rows) {
        entry.rows = rows;
      }, function () {
        entry.rows = null; // the summary says the file could not be read
      });
    })).then(function () {
      if (request !== self.request) return;
      self.results.removeAttribute("aria-busy");
      self.results.replaceChildren(self.summary(items, accounts));
      var shown = accounts.filter(function (entry) { return entry.account.platform === self.platform; });
      var series = self.series(shown);
      // Chosen establishments without an account on this network are said, not silently missing.
      self.absent = items.filter(function (item) {
        return !item.accounts.some(function (account) { return account.platform === self.platform; });
      }).map(function (item) { return item.label + " : pas de compte mesuré sur ce réseau"; });
      self.chart(series, "followers");
      if (series.some(function (s) { return s.rows.some(function (r) { return r.engagement !== null; }); })) {
        self.chart(series, "engagement");
      } else if (series.length) {
        self.results.appendChild(element("p", "obs-compare-note", "Pas d'engagement connu sur "
          + self.networkName() + " pour ces établissements."));
      }
      self.downloads(series);
    });
  };

  Compare.prototype.networkName = function () {
    var platform = this.platform;
    var found = this.index.p.find(function (p) { return p[0] === platform; });
    return found ? found[1] : platform;
  };

  // Latest followers of every chosen establishment on each of its networks, in plain text.
  Compare.prototype.summary = function (items, accounts) {
    var box = element("div", "obs-compare-summary");
    box.appendChild(element("h2", "", "En bref"));
    var list = element("ul");
    items.forEach(function (item) {
      var parts = accounts.filter(function (entry) { return entry.item === item; }).map(function (entry) {
        var known = (entry.rows || []).filter(function (r) { return r.followers !== null; });
        if (!entry.rows) return entry.account.network + " : fichier illisible";
        if (!known.length) return entry.account.network + " : pas encore de mesure";
        var last = known[known.length - 1];
        return entry.account.network + " (" + entry.account.handle + ") : "
          + plural(last.followers, "abonné", "abonnés") + " au " + day(last.date);
      });
      list.appendChild(element("li", "", item.name + " — " + parts.join(" ; ") + "."));
    });
    box.appendChild(list);
    return box;
  };

  // The chosen network's series, one per account, each with a label unique on the chart.
  Compare.prototype.series = function (shown) {
    var counts = new Map();
    shown.forEach(function (entry) { counts.set(entry.item.id, (counts.get(entry.item.id) || 0) + 1); });
    return shown.filter(function (entry) { return entry.rows; }).map(function (entry) {
      var label = entry.item.label + (counts.get(entry.item.id) > 1 ? " (" + entry.account.handle + ")" : "");
      return { label: label, name: entry.item.name, account: entry.account, rows: entry.rows };
    });
  };

  Compare.prototype.chart = function (series, measure) {
    var followers = measure === "followers";
    var title = (followers ? "Abonnés sur " : "Engagement sur ") + this.networkName();
    var points = [];
    var sentences = [];
    series.forEach(function (s) {
      var known = s.rows.filter(function (r) { return r[measure] !== null; });
      known.forEach(function (r) { points.push({ date: r.date, serie: s.label, value: r[measure] }); });
      if (!known.length) {
        sentences.push(s.label + " : aucune valeur");
        return;
      }
      var first = known[0], last = known[known.length - 1];
      sentences.push(followers
        ? s.label + " : de " + plural(first.followers, "abonné", "abonnés") + " le " + day(first.date)
          + " à " + plural(last.followers, "abonné", "abonnés") + " le " + day(last.date)
        : s.label + " : " + rateFormat.format(last.engagement) + " % (fenêtre close le " + day(last.date) + ")");
    });
    var summary = sentences.concat(this.absent || []).join(" ; ") + ".";
    var heading = element("h2", "", title);
    var figure = element("figure", "obs-compare-figure");
    figure.setAttribute("role", "img");
    figure.setAttribute("aria-label", title + ". " + summary);
    var view = element("div", "obs-compare-view");
    figure.appendChild(view);
    var caption = element("figcaption");
    caption.appendChild(element("strong", "", title));
    caption.appendChild(document.createTextNode(". " + summary));
    figure.appendChild(caption);
    this.results.append(heading, figure, this.table(series, measure, title));
    if (!points.length || !window.observatoireCharts) return;
    var self = this;
    var request = this.request;
    window.observatoireCharts.embed(view, this.spec(points, series, measure)).then(function (result) {
      if (request !== self.request) {
        result.finalize();
        return;
      }
      self.views.push(result);
      figure.classList.add("obs-compare-ready");
    }).catch(function (error) {
      // The caption and the table stay: the chart is only an addition to them.
      console.warn("obs-compare : graphique non affiché", error);
    });
  };

  Compare.prototype.spec = function (points, series, measure) {
    var followers = measure === "followers";
    var labels = series.map(function (s) { return s.label; });
    var config = this.config;
    return {
      width: "container",
      height: 280,
      autosize: { type: "fit-x", contains: "padding" },
      data: { values: points },
      mark: { type: "line", strokeWidth: 2, point: points.length <= 300 ? { size: 18 } : false },
      encoding: {
        x: { field: "date", type: "temporal", scale: { type: "utc" }, title: null,
             axis: { format: config.timeAxis, labelOverlap: true, grid: false, tickMinStep: 86400000 } },
        y: { field: "value", type: "quantitative", title: followers ? "Abonnés" : "Engagement (%)",
             scale: { zero: false }, axis: { format: followers ? ",d" : ",~r" } },
        // Colour and dash both tell the series apart: not by colour alone (RGAA 3.1).
        color: { field: "serie", type: "nominal", title: null, sort: labels,
                 scale: { domain: labels, range: COLORS },
                 legend: { orient: "bottom", direction: "vertical", labelLimit: 0, symbolStrokeWidth: 2 } },
        strokeDash: { field: "serie", type: "nominal", title: null, sort: labels,
                      scale: { domain: labels, range: config.dashes.slice(0, labels.length) } },
        tooltip: [
          { field: "serie", type: "nominal", title: "Établissement" },
          { field: "date", type: "temporal", title: "Date", format: "%-d %B %Y", scale: { type: "utc" } },
          { field: "value", type: "quantitative", title: followers ? "Abonnés" : "Engagement (%)",
            format: followers ? ",d" : ",.3f" }
        ]
      },
      config: {
        locale: config.locale, aria: false, font: "sans-serif", background: "transparent",
        view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 11 },
        legend: { labelFontSize: 12 }, mark: { aria: false }
      }
    };
  };

  // The chart's data, one column per series (RGAA: a text alternative with every value shown).
  Compare.prototype.table = function (series, measure, title) {
    var byDate = new Map();
    series.forEach(function (s, at) {
      s.rows.forEach(function (r) {
        if (r[measure] === null) return;
        if (!byDate.has(r.date)) byDate.set(r.date, []);
        byDate.get(r.date)[at] = r[measure];
      });
    });
    var dates = Array.from(byDate.keys()).sort();
    var note = "";
    if (dates.length > 200) {  // long daily series: one row a week, every value being in the files
      var last = dates.length - 1;
      dates = dates.filter(function (_d, at) { return (last - at) % 7 === 0; });
      note = " — une ligne par semaine ; toutes les valeurs dans les fichiers CSV";
    }
    var details = element("details", "obs-compare-data");
    details.appendChild(element("summary", "", "Données du graphique (tableau)"));
    var region = element("div", "obs-scroll");
    region.setAttribute("role", "region");
    region.setAttribute("tabindex", "0");
    region.setAttribute("aria-label", title + " (tableau)");
    var table = element("table");
    table.appendChild(element("caption", "", title + note));
    var head = table.createTHead().insertRow();
    ["Date"].concat(series.map(function (s) { return s.label; })).forEach(function (text) {
      var th = element("th", "", text);
      th.scope = "col";
      head.appendChild(th);
    });
    var body = table.createTBody();
    dates.forEach(function (date) {
      var row = body.insertRow();
      var th = element("th", "", day(date));
      th.scope = "row";
      row.appendChild(th);
      var values = byDate.get(date);
      series.forEach(function (_s, at) {
        var value = values[at];
        row.insertCell().textContent = value === undefined ? "—"
          : measure === "followers" ? numberFormat.format(value) : rateFormat.format(value) + " %";
      });
    });
    region.appendChild(table);
    details.appendChild(region);
    return details;
  };

  Compare.prototype.downloads = function (series) {
    if (!series.length) return;
    var self = this;
    var paragraph = element("p", "obs-compare-files", "Fichiers CSV de ces séries : ");
    series.forEach(function (s, at) {
      if (at) paragraph.appendChild(document.createTextNode(", "));
      var link = element("a", "", s.label);
      link.href = new URL(s.account.path, self.dataUrl).href;
      paragraph.appendChild(link);
    });
    paragraph.appendChild(document.createTextNode("."));
    this.results.appendChild(paragraph);
  };

  // --- Start ---------------------------------------------------------------------------------

  function start() {
    var root = document.querySelector(".obs-compare");
    if (!root || root.obsCompare || root.dataset.starting) return;
    root.dataset.starting = "1";
    var status = root.querySelector(".obs-compare-status");
    var config;
    try {
      config = JSON.parse(root.dataset.config);
    } catch (error) {
      status.textContent = "Réglages de la page illisibles : la comparaison est indisponible.";
      return;
    }
    getJson(new URL(root.dataset.index, document.baseURI).href).then(function (index) {
      if (!document.body.contains(root)) return;
      root.obsCompare = new Compare(root, index, config);
      root.obsCompare.restore();
    }).catch(function (error) {
      console.warn("obs-compare : liste des établissements illisible", error);
      status.textContent = "La liste des établissements n'a pas pu être chargée : rechargez la page.";
    });
  }

  if (!shared.listening) {
    shared.listening = true;
    // Back and forward between two choices on this page.
    window.addEventListener("popstate", function () {
      var root = document.querySelector(".obs-compare");
      if (root && root.obsCompare) root.obsCompare.restore();
    });
    // The palette changed: the charts are drawn again with its colours.
    var scheme = document.body.getAttribute("data-md-color-scheme");
    new MutationObserver(function () {
      var current = document.body.getAttribute("data-md-color-scheme");
      if (current === scheme) return;
      scheme = current;
      var root = document.querySelector(".obs-compare");
      if (root && root.obsCompare) root.obsCompare.draw();
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    if (typeof document$ !== "undefined") document$.subscribe(start);
  }
  start();
})();
