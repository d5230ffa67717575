// Draw every chart of the page from its Vega-Lite spec (data-spec), with Vega's expression
// interpreter so the page's Content-Security-Policy needs no 'unsafe-eval' (and no style element
// injected: the tooltip's style is in app.css). Each chart's data
// is also in the table below it, for screen readers and for copying.
(function () {
  function draw() {
    document.querySelectorAll(".vega[data-spec]").forEach(function (el) {
      var spec = JSON.parse(el.getAttribute("data-spec"));
      vegaEmbed(el, spec, {
        actions: false, renderer: "svg", ast: true, expr: vega.expressionInterpreter,
        defaultStyle: false, tooltip: { disableDefaultStyle: true }
      }).then(function () { el.setAttribute("data-drawn", "true"); })
        .catch(function (err) { el.setAttribute("data-error", String(err)); el.textContent = "Chart could not be drawn: " + err; });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); }
  else { draw(); }
})();
