// Material's search worker, with accents folded: « hopital » finds « hôpital » and « hôpital »
// finds « hopital ». Loaded in its place (overrides/main.html passes its address as ?worker=);
// lunr's tokens lose their diacritics, for the index and for the query alike, just before the
// French stemmer, so that both sides are stemmed the same way. Nothing leaves the site.
(function () {
  "use strict";
  const original = new URL(self.location.href).searchParams.get("worker");
  if (!original || new URL(original, self.location.href).origin !== self.location.origin) return;
  importScripts(original);
  if (typeof self.lunr === "undefined") return;
  const lunr = self.lunr;

  function fold(token) {
    return token.update((text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, ""));
  }
  lunr.Pipeline.registerFunction(fold, "observatoire-fold");

  function withFold(pipeline) {
    const stack = pipeline._stack.slice();
    if (stack.includes(fold)) return;
    const stemmer = stack.findIndex((fn) => /^stemmer/.test(fn.label || ""));
    stack.splice(stemmer === -1 ? stack.length : stemmer, 0, fold);
    pipeline.reset();
    pipeline.add(...stack);
  }

  // The pipelines are final once Material's configuration has run, i.e. at the first document.
  const add = lunr.Builder.prototype.add;
  lunr.Builder.prototype.add = function (...args) {
    withFold(this.pipeline);
    withFold(this.searchPipeline);
    return add.apply(this, args);
  };
})();
