// Charts: renders every <figure class="obs-chart"> of the page with Vega-Lite.
//
// Each figure names its spec (data-spec, one per kind of chart, shared by every page), its data
// (data-url, a CSV file) and the values of the spec's params (data-params, JSON). URLs are relative
// to the page; URLs inside a spec (events.csv) are relative to the spec. The vega bundle is served
// by the site itself and loaded only on pages that have a chart: no request leaves the site.
// Runs on every page Material loads, including after instant navigation (document$), and again
// when the reader switches between the light and dark palettes.
(function () {
  "use strict";

  var DATA_PLACEHOLDER = "__donnees__";
  var script = document.currentScript;
  var bundleUrl = new URL("generated/vega-bundle.js", script ? script.src : document.baseURI).href;
  var specs = new Map(); // absolute URL -> Promise of the parsed spec
  var views = new Map(); // figure -> vega view
  var embedding = null;

  // The bundle (vega, vega-lite, vega-embed, vendored) is a classic script that sets
  // window.vegaEmbed: added once to the page, it stays across instant navigation.
  function loadEmbed() {
    if (!embedding) {
      embedding = new Promise(function (resolve, reject) {
        if (typeof window.vegaEmbed === "function") return resolve(window.vegaEmbed);
        var tag = document.createElement("script");
        tag.src = bundleUrl;
        tag.onload = function () {
          if (typeof window.vegaEmbed === "function") resolve(window.vegaEmbed);
          else reject(new Error("vegaEmbed absent du paquet"));
        };
        tag.onerror = function () { reject(new Error(bundleUrl + " : non chargé")); };
        document.head.appendChild(tag);
      });
      embedding.catch(function () { embedding = null; }); // the next page tries again
    }
    return embedding;
  }

  function loadSpec(url) {
    if (!specs.has(url)) {
      specs.set(url, fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(url + " : " + response.status);
        return response.json();
      }));
    }
    return specs.get(url);
  }

  // Data URLs: the placeholder becomes the figure's data, any other URL is resolved against
  // the spec's own address.
  function resolveData(node, dataUrl, specUrl) {
    if (Array.isArray(node)) {
      node.forEach(function (item) { resolveData(item, dataUrl, specUrl); });
    } else if (node && typeof node === "object") {
      Object.keys(node).forEach(function (key) {
        var value = node[key];
        if (key === "data" && value && typeof value.url === "string") {
          value.url = value.url === DATA_PLACEHOLDER ? dataUrl : new URL(value.url, specUrl).href;
        }
        resolveData(value, dataUrl, specUrl);
      });
    }
  }

  function isDark() {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
  }

  // Colours of text, axes and grid from Material's palette (its CSS variables), with fallbacks.
  function themeConfig() {
    var dark = isDark();
    var style = getComputedStyle(document.body);
    function color(name, fallback) {
      var value = style.getPropertyValue(name).trim();
      return value || fallback;
    }
    var text = color("--md-default-fg-color", dark ? "rgba(226, 228, 233, 0.82)" : "rgba(0, 0, 0, 0.87)");
    var muted = color("--md-default-fg-color--light", dark ? "rgba(226, 228, 233, 0.56)" : "rgba(0, 0, 0, 0.54)");
    var grid = color("--md-default-fg-color--lightest", dark ? "rgba(226, 228, 233, 0.12)" : "rgba(0, 0, 0, 0.07)");
    return {
      background: "transparent",
      axis: { labelColor: muted, titleColor: text, domainColor: muted, tickColor: muted, gridColor: grid },
      legend: { labelColor: text, titleColor: text },
      title: { color: text, subtitleColor: muted },
      text: { color: text },
      view: { stroke: null }
    };
  }

  function merge(target, source) {
    Object.keys(source).forEach(function (key) {
      var value = source[key];
      if (value && typeof value === "object" && !Array.isArray(value)) {
        target[key] = merge(target[key] && typeof target[key] === "object" ? target[key] : {}, value);
      } else {
        target[key] = value;
      }
    });
    return target;
  }

  function draw(vegaEmbed, target, spec) {
    return vegaEmbed(target, spec, {
      mode: "vega-lite",
      actions: false,
      renderer: "svg",
      logLevel: 1, // errors only: an empty layer (no event on this chart) is not worth a warning
      tooltip: { theme: isDark() ? "dark" : "light" }
    }).then(function (result) {
      // The figure is the image for assistive technologies (role="img", aria-label); the
      // drawing inside it is hidden from them, the data table after it is not.
      var svg = target.querySelector("svg");
      if (svg) svg.setAttribute("aria-hidden", "true");
      return result;
    });
  }

  // For pages that build a spec themselves (assets/compare.js): the same bundle, palette and
  // options; resolves to vega-embed's result (call its finalize() before drawing again).
  window.observatoireCharts = {
    embed: function (target, spec) {
      return loadEmbed().then(function (vegaEmbed) {
        spec.config = merge(spec.config || {}, themeConfig());
        return draw(vegaEmbed, target, spec);
      });
    }
  };

  function render(figure) {
    var specUrl = new URL(figure.dataset.spec, document.baseURI).href;
    var dataUrl = new URL(figure.dataset.url, document.baseURI).href;
    var params = {};
    try {
      params = JSON.parse(figure.dataset.params || "{}");
    } catch (error) {
      console.warn("obs-chart : data-params illisible", error);
    }
    var target = figure.querySelector(".obs-chart-view");
    if (!target) {
      target = document.createElement("div");
      target.className = "obs-chart-view";
      figure.insertBefore(target, figure.firstChild);
    }
    // Material sizes figures to their content; a chart takes the width of the text.
    figure.style.width = "100%";
    target.style.width = "100%";
    return Promise.all([loadEmbed(), loadSpec(specUrl)]).then(function (loaded) {
      var vegaEmbed = loaded[0];
      var spec = JSON.parse(JSON.stringify(loaded[1]));
      resolveData(spec, dataUrl, specUrl);
      (spec.params || []).forEach(function (param) {
        if (Object.prototype.hasOwnProperty.call(params, param.name)) param.value = params[param.name];
      });
      spec.config = merge(spec.config || {}, themeConfig());
      spec.description = figure.getAttribute("aria-label") || "";
      var previous = views.get(figure);
      if (previous) previous.finalize();
      return draw(vegaEmbed, target, spec).then(function (result) {
        views.set(figure, result);
        figure.classList.add("obs-chart-ready");
      });
    }).catch(function (error) {
      // The caption and the data table stay: the chart is only an addition to them.
      console.warn("obs-chart : graphique non affiché", error);
    });
  }

  function renderAll() {
    // Views of pages left through instant navigation are released.
    views.forEach(function (view, figure) {
      if (!document.body.contains(figure)) {
        view.finalize();
        views.delete(figure);
      }
    });
    document.querySelectorAll("figure.obs-chart").forEach(render);
  }

  var scheme = document.body.getAttribute("data-md-color-scheme");
  new MutationObserver(function () {
    var current = document.body.getAttribute("data-md-color-scheme");
    if (current !== scheme) {
      scheme = current;
      renderAll();
    }
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { renderAll(); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
})();
