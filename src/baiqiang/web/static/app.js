// Baiqiang pages: CSRF header on htmx writes, Vega charts from JSON islands (no inline scripts: CSP).
(function () {
  "use strict";
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrf();
  });
  function embed(target, spec) {
    vegaEmbed(target, spec, { actions: false, renderer: "svg", loader: vega.loader({ target: "_self" }) })
      .then(function () { target.setAttribute("data-ready", "1"); })
      .catch(function (err) { target.textContent = String(err); });
  }
  function charts(root) {
    var nodes = (root || document).querySelectorAll("script[type='application/json'][data-vega]");
    nodes.forEach(function (node) {
      var target = document.getElementById(node.getAttribute("data-vega"));
      if (!target || target.getAttribute("data-rendered")) return;
      target.setAttribute("data-rendered", "1");
      embed(target, JSON.parse(node.textContent));
    });
    // Large specs (the map) come from the JSON API: cached and gzip-compressed there, not inlined in the page.
    (root || document).querySelectorAll("[data-vega-src]").forEach(function (target) {
      if (target.getAttribute("data-rendered")) return;
      target.setAttribute("data-rendered", "1");
      fetch(target.getAttribute("data-vega-src"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (!body.ok) { target.textContent = body.error; return; }
          embed(target, body.data.spec);
        })
        .catch(function (err) { target.textContent = String(err); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { charts(document); });
  document.addEventListener("htmx:afterSwap", function (e) { charts(e.target); });
})();
