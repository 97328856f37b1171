/* The explain / what-if panel and the insight charts.
 *
 * A click on any element with data-explain-url loads that URL into the offcanvas #explain-panel
 * (htmx sends HX-Request, so the view answers a fragment) and shows it; links inside the panel
 * that carry data-explain-url load there too. Ctrl/Cmd-click still opens the page itself.
 * Charts: elements with data-insight-chart draw from the JSON of #effectiveness-data (ECharts,
 * SVG renderer so they print sharply): each scatter with its fitted line and the line's 95% band,
 * and the coefficient of each year with its 95% interval as a band. The tables beside them hold
 * the same numbers.
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

  // A band between two lines: the low line unseen, the width stacked on it and shaded.
  function bandSeries(name, stack, lows, widths, color) {
    return [
      { type: "line", name: name, stack: stack, data: lows, lineStyle: { opacity: 0 }, symbol: "none", silent: true, tooltip: { show: false } },
      { type: "line", name: name, stack: stack, data: widths, lineStyle: { opacity: 0 }, symbol: "none", silent: true, tooltip: { show: false }, areaStyle: { color: color, opacity: 0.18 } },
    ];
  }

  function scatterOption(item, labels) {
    var series = [];
    if (item.fit) {
      var band = item.fit.band;
      series = series.concat(
        bandSeries(labels.band, "band", band.map(function (b) { return [b[0], b[2]]; }),
          band.map(function (b) { return [b[0], b[3] - b[2]]; }), "#6c757d"),
      );
      series.push({
        type: "line", name: labels.fit, data: band.map(function (b) { return [b[0], b[1]]; }),
        symbol: "none", lineStyle: { color: "#495057", width: 1.5 }, silent: true, tooltip: { show: false },
      });
    }
    series.push({ type: "scatter", symbolSize: 9, itemStyle: { color: "#c8102e", opacity: 0.75 }, data: item.points });
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
      series: series,
    };
  }

  function yearsOption(years, labels) {
    var palette = ["#c8102e", "#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"];
    var series = [];
    years.series.forEach(function (s, index) {
      var color = palette[index % palette.length];
      var name = s.name + " (" + s.symbol + ")";
      var lows = s.values.map(function (v) { return v && v.low !== null ? v.low : null; });
      var widths = s.values.map(function (v) { return v && v.low !== null ? v.high - v.low : null; });
      series = series.concat(bandSeries(name, "interval-" + s.code, lows, widths, color));
      series.push({
        type: "line", name: name, symbolSize: 7, connectNulls: false, itemStyle: { color: color },
        data: s.values.map(function (v) { return v ? v.value : null; }),
      });
    });
    // One legend entry per measure: clicking it hides the line and its band together.
    var names = years.series.map(function (s) { return s.name + " (" + s.symbol + ")"; });
    return {
      animation: false,
      grid: { left: 48, right: 16, top: 56, bottom: 32 },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var lines = [items.length ? items[0].axisValue : ""];
          items.forEach(function (p) {
            if (p.seriesType !== "line" || p.value === null || p.value === undefined) return;
            var s = years.series[Math.floor(p.seriesIndex / 3)];
            var v = s && s.values[p.dataIndex];
            if (!v || p.seriesIndex % 3 !== 2) return;
            var text = p.marker + s.name + ": " + s.symbol + " = " + v.value.toFixed(2);
            if (v.low !== null) text += " [" + v.low.toFixed(2) + ", " + v.high.toFixed(2) + "]";
            lines.push(text + " (n = " + v.n + ")");
          });
          return lines.join("<br>");
        },
      },
      legend: { top: 0, data: names, type: "scroll" },
      xAxis: { type: "category", data: years.labels, boundaryGap: false },
      yAxis: { type: "value", min: -1, max: 1, name: labels.r },
      series: series,
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
      } else if (kind === "years") {
        option = yearsOption(data.years, data.labels);
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
