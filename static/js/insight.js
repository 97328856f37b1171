/* The explain / what-if panel and the insight charts.
 *
 * A click on any element with data-explain-url loads that URL into the offcanvas #explain-panel
 * (htmx sends HX-Request, so the view answers a fragment) and shows it; links inside the panel
 * that carry data-explain-url load there too. Ctrl/Cmd-click still opens the page itself.
 * Charts: elements with data-insight-chart draw from the JSON of #effectiveness-data (ECharts,
 * SVG renderer so they print sharply); the tables beside them hold the same numbers.
 */
(function () {
  "use strict";

  function panel() {
    return document.getElementById("explain-panel");
  }

  function load(url) {
    var element = panel();
    if (!element || !window.htmx || !window.bootstrap) {
      window.location.href = url;
      return;
    }
    var body = element.querySelector(".offcanvas-body");
    body.textContent = "";
    var spinner = document.createElement("div");
    spinner.className = "text-body-secondary small p-3";
    spinner.textContent = element.getAttribute("data-loading") || "…";
    body.appendChild(spinner);
    window.bootstrap.Offcanvas.getOrCreateInstance(element).show();
    window.htmx.ajax("GET", url, { target: body, swap: "innerHTML" }).catch(function () {
      body.textContent = (element.getAttribute("data-failed") || "") + " ";
      var link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      body.appendChild(link);
    });
  }

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-explain-url]");
    if (!trigger || event.defaultPrevented) return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    load(trigger.getAttribute("data-explain-url"));
  });

  document.addEventListener("keydown", function (event) {
    // Elements that are not links or buttons still open the panel from the keyboard.
    if (event.key !== "Enter" && event.key !== " ") return;
    var trigger = event.target.closest("[data-explain-url]");
    if (!trigger || trigger.matches("a, button")) return;
    event.preventDefault();
    load(trigger.getAttribute("data-explain-url"));
  });

  // A what-if with values the engine refused answers 400 with the form and its errors: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 400 && event.detail.target.closest("[data-insight], #explain-panel")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  var charts = [];

  function chartData() {
    var source = document.getElementById("effectiveness-data");
    return source ? JSON.parse(source.textContent) : null;
  }

  function scatterOption(item, labels) {
    return {
      animation: false,
      grid: { left: 48, right: 16, top: 16, bottom: 40 },
      tooltip: {
        formatter: function (p) {
          return p.value[2] + "<br>" + labels.x + ": " + p.value[0] + "<br>" + item.name + ": " + p.value[1];
        },
      },
      xAxis: { type: "value", name: labels.x, nameLocation: "middle", nameGap: 26, scale: true },
      yAxis: { type: "value", name: item.unit || "", scale: true },
      series: [{ type: "scatter", symbolSize: 9, itemStyle: { color: "#c8102e", opacity: 0.75 }, data: item.points }],
    };
  }

  function trendOption(trend, labels) {
    return {
      animation: false,
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      xAxis: { type: "category", data: trend.periods },
      yAxis: { type: "value", min: -1, max: 1, name: labels.r },
      series: trend.series.map(function (s) {
        return { type: "line", name: s.name, data: s.values, connectNulls: false, symbolSize: 7 };
      }),
    };
  }

  function drawCharts(root) {
    if (!window.echarts) return;
    var data = chartData();
    if (!data) return;
    (root || document).querySelectorAll("[data-insight-chart]").forEach(function (element) {
      if (element.getAttribute("data-drawn")) return;
      var kind = element.getAttribute("data-insight-chart");
      var option = null;
      if (kind === "scatter") {
        option = scatterOption(data.scatter[Number(element.getAttribute("data-chart-index"))], data.labels);
      } else if (kind === "trend") {
        option = trendOption(data.trend, data.labels);
      }
      if (!option) return;
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(option);
      element.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
  }

  function resize() {
    charts.forEach(function (chart) {
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    drawCharts(event.detail.target);
  });
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
})();
