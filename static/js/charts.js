// Draw every <canvas data-chart="ID"> from the JSON in <script id="ID">, built on the server
// (emissions/dashboard/charts.py). Runs on load and again after htmx swaps part of the page.
// JSON carries no functions: what needs one (legend shapes, links, short labels) is added here.
(function () {
  "use strict";

  var Chart = window.Chart;
  // Category labels longer than this are shortened on a narrow chart (a phone): the table
  // beside the chart has them whole.
  var NARROW_CHART_PX = 480;
  var SHORT_LABEL_CHARS = 12;

  // The numbers of the marginal abatement cost curve's bars (pages/targets.py _mac_chart),
  // written above a bar that costs and below one that saves, where the bar is wide enough.
  var barNumbers = {
    id: "barNumbers",
    defaults: { display: false },
    afterDatasetsDraw: function (chart, args, options) {
      if (!options.display) {
        return;
      }
      var x = chart.scales.x;
      var y = chart.scales.y;
      var context = chart.ctx;
      context.save();
      context.font = "600 12px " + Chart.defaults.font.family;
      context.textAlign = "center";
      context.fillStyle = "#1c2a26";
      chart.data.datasets.forEach(function (dataset) {
        if (dataset.number === undefined) {
          return;
        }
        var corners = dataset.data;
        var left = x.getPixelForValue(corners[0].x);
        var right = x.getPixelForValue(corners[2].x);
        var text = String(dataset.number);
        if (right - left < context.measureText(text).width + 4) {
          return;
        }
        var cost = corners[1].y;
        var end = y.getPixelForValue(cost);
        context.textBaseline = cost < 0 ? "top" : "bottom";
        context.fillText(text, (left + right) / 2, cost < 0 ? end + 3 : end - 3);
      });
      context.restore();
    },
  };

  // Legend keys in each series' own shape: a line for a line series (dashed when it is), a
  // square for bars. charts.py asks for it with usePointStyle.
  function legendKeysInShape(config) {
    var legend = config.options.plugins && config.options.plugins.legend;
    if (!legend || !legend.labels || !legend.labels.usePointStyle) {
      return;
    }
    legend.labels.generateLabels = function (chart) {
      var items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
      items.forEach(function (item) {
        var dataset = chart.data.datasets[item.datasetIndex] || {};
        var type = dataset.type || chart.config.type;
        item.pointStyle = type === "line" ? "line" : "rect";
      });
      return items;
    };
  }

  // A bar or point whose dataset has a URL for it opens that URL (the ledger, a facility).
  function followLinks(config) {
    var linked = config.data.datasets.some(function (dataset) {
      return Array.isArray(dataset.links);
    });
    if (!linked) {
      return;
    }
    function linkOf(chart, elements) {
      var element = elements[0];
      if (!element) {
        return null;
      }
      var links = chart.data.datasets[element.datasetIndex].links;
      return links ? links[element.index] : null;
    }
    config.options.onClick = function (event, elements, chart) {
      var url = linkOf(chart, elements);
      if (url) {
        window.location.assign(url);
      }
    };
    config.options.onHover = function (event, elements, chart) {
      chart.canvas.style.cursor = linkOf(chart, elements) ? "pointer" : "";
    };
  }

  // Long category labels (facility names, Scope 3 categories) shortened on a phone.
  function shortLabelsWhenNarrow(config) {
    if (config.type !== "bar") {
      return;
    }
    var axis = config.options.indexAxis === "y" ? "y" : "x";
    var scales = (config.options.scales = config.options.scales || {});
    var scale = (scales[axis] = scales[axis] || {});
    scale.ticks = scale.ticks || {};
    scale.ticks.callback = function (value) {
      var label = String(this.getLabelForValue(value));
      if (this.chart.width < NARROW_CHART_PX && label.length > SHORT_LABEL_CHARS) {
        return label.slice(0, SHORT_LABEL_CHARS - 1) + "…";
      }
      return label;
    };
  }

  function configure(config) {
    config.options = config.options || {};
    legendKeysInShape(config);
    followLinks(config);
    shortLabelsWhenNarrow(config);
    return config;
  }

  function draw(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) {
        return;
      }
      var previous = Chart.getChart(canvas);
      if (previous) {
        previous.destroy();
      }
      new Chart(canvas, configure(JSON.parse(source.textContent)));
      canvas.dataset.drawn = "true";
    });
  }

  Chart.register(barNumbers);
  document.addEventListener("DOMContentLoaded", function () {
    // The page's own fonts, so that Chinese labels are drawn as the page's text is.
    Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    draw(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    draw(event.detail.elt);
  });
})();
