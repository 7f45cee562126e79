// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID">. Each chart on
// the page has a table with the same numbers next to it, so the canvas is decorative
// for assistive technology (it carries an aria-label pointing to that table).
(function () {
  function draw() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var palette = ["#0b3d5c", "#c9731d", "#5b8c3a", "#8a1c1c", "#6b4ea3", "#2f6f9f"];
      spec.datasets.forEach(function (d, i) {
        d.backgroundColor = palette[i % palette.length];
        d.borderColor = palette[i % palette.length];
        d.spanGaps = true;
      });
      var scales = spec.max ? { y: { beginAtZero: true, max: spec.max } } : {};
      new Chart(canvas, {
        type: spec.type, data: { labels: spec.labels, datasets: spec.datasets },
        options: { responsive: true, maintainAspectRatio: false, animation: false, scales: scales }
      });
      canvas.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
