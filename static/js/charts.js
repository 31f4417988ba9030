// Draw every <canvas data-chart="ID"> from the JSON in <script id="ID">, built on the server
// (emissions/dashboard/charts.py). Runs on load and again after htmx swaps part of the page.
(function () {
  "use strict";

  function draw(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) {
        return;
      }
      var previous = window.Chart.getChart(canvas);
      if (previous) {
        previous.destroy();
      }
      new window.Chart(canvas, JSON.parse(source.textContent));
      canvas.dataset.drawn = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    draw(event.detail.elt);
  });
})();
