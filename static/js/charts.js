// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID">. Each chart on
// the page has a table with the same numbers next to it, so the canvas is decorative
// for assistive technology (it carries an aria-label pointing to that table).
// A spec is {type, labels, datasets, max?, options?, height?}: `options` is passed to
// Chart.js as it is (plain JSON, no callbacks), `height` sets the box height in rem.
(function () {
  var palette = ["#0b3d5c", "#c9731d", "#5b8c3a", "#8a1c1c", "#6b4ea3", "#2f6f9f"];

  function draw() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      spec.datasets.forEach(function (d, i) {
        var colour = palette[i % palette.length];
        if (!d.backgroundColor) d.backgroundColor = colour;
        if (!d.borderColor) d.borderColor = colour;
        // past the palette, lines repeat a colour: dash them so the legend still tells them apart
        if (i >= palette.length && !d.borderDash) d.borderDash = [6, 3];
        d.spanGaps = true;
      });
      if (spec.height) canvas.parentElement.style.height = spec.height + "rem";
      var options = { responsive: true, maintainAspectRatio: false, animation: false,
                      scales: spec.max ? { y: { beginAtZero: true, max: spec.max } } : {} };
      Object.keys(spec.options || {}).forEach(function (key) { options[key] = spec.options[key]; });
      new Chart(canvas, {
        type: spec.type, data: { labels: spec.labels, datasets: spec.datasets },
        options: options
      });
      canvas.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
